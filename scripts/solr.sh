#!/usr/bin/env bash
# A real Apache Solr 9 on loopback for the demo and the tests (docs/solr.md).
#
#   scripts/solr.sh build      compile deploy/solr/ (skipped when up to date)
#   scripts/solr.sh up         Solr standalone, core "ckan": http://127.0.0.1:$SOLR_PORT/solr/ckan
#   scripts/solr.sh cloud-up   SolrCloud: 2 nodes on $SOLRCLOUD_PORT and +1, embedded ZooKeeper,
#                              collection "ckan" (2 shards x 2 replicas); base URLs in
#                              var/solrcloud.urls
#   scripts/solr.sh down       stop the standalone Solr and the cloud of these ports
#   scripts/solr.sh down-all   stop every Solr this script started (make stop)
#   scripts/solr.sh status
#
# Environment: SOLR_PORT (8983), SOLRCLOUD_PORT (8984), SOLR_JAVA_OPTS (heap etc.).
# Other ports than the defaults get their own files: var/solr-<port>.pid, var/solr-<port>/,
# var/log/solr-<port>.log, so a test's Solr never touches the demo's.
# "up" and "cloud-up" are idempotent: a running instance is reused.
set -euo pipefail
. "$(dirname "$0")/common.sh"

MODULE="$ROOT/deploy/solr"
CONFIGSET="${SOLR_CONFIGSET:-$MODULE/configset}"
SOLR_PORT="${SOLR_PORT:-8983}"
SOLRCLOUD_PORT="${SOLRCLOUD_PORT:-8984}"
WAIT_SECONDS="${SOLR_WAIT_SECONDS:-180}"

# var/<name>.pid, var/<name>/, var/log/<name>.log for one instance
name_of() {  # mode port
  local base="solr" default=8983
  if [ "$1" = cloud ]; then base="solrcloud"; default=8984; fi
  if [ "$2" = "$default" ]; then echo "$base"; else echo "$base-$2"; fi
}

die() { echo "solr.sh: $*" >&2; exit 1; }

need_tools() {
  command -v java >/dev/null 2>&1 \
    || die "java not found: install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)"
  local version
  version="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [ "${version%%.*}" -ge 17 ] 2>/dev/null || die "Java 17 or newer needed, found ${version:-unknown}"
}

build() {
  need_tools
  local stamp="$MODULE/target/.built"
  if [ -f "$stamp" ] && [ -d "$MODULE/target/lib" ] \
     && [ -z "$(find "$MODULE/pom.xml" "$MODULE/src" -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 \
    || die "mvn not found: install Maven (Debian: apt-get install maven)"
  mkdir -p "$VAR/log"
  echo "building deploy/solr (the first build downloads Solr's jars into ~/.m2) ..."
  local start=$SECONDS
  # the whole output is kept in var/log/solr-build.log
  if ! (cd "$MODULE" && mvn -B package) >"$VAR/log/solr-build.log" 2>&1; then
    tail -30 "$VAR/log/solr-build.log" >&2
    die "build failed, see var/log/solr-build.log"
  fi
  touch "$stamp"
  echo "built in $((SECONDS - start)) s"
}

alive() {  # pidfile
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

ping_ok() {  # port
  curl -fsS -o /dev/null "http://127.0.0.1:$1/solr/ckan/admin/ping" 2>/dev/null
}

launch() {  # mode port name [extra launcher options...]
  local mode="$1" port="$2" name="$3"; shift 3
  mkdir -p "$VAR/log"
  # shellcheck disable=SC2086  # SOLR_JAVA_OPTS is a list of options
  nohup java ${SOLR_JAVA_OPTS:-} -Dsolr.log.dir="$VAR/log" \
    -cp "$MODULE/target/classes:$MODULE/target/lib/*" de.smartcity.solr.Launcher "$mode" \
    --port "$port" --configset "$CONFIGSET" --pid-file "$VAR/$name.pid" "$@" \
    >>"$VAR/log/$name.log" 2>&1 </dev/null &
  echo $! > "$VAR/$name.pid"
}

wait_until() {  # pidfile name test-command...
  local pidfile="$1" name="$2"; shift 2
  for _ in $(seq 1 "$((WAIT_SECONDS * 2))"); do
    if "$@"; then return 0; fi
    if ! alive "$pidfile"; then
      tail -30 "$VAR/log/$name.log" >&2
      rm -f "$pidfile"
      die "$name exited during start-up, see var/log/$name.log"
    fi
    sleep 0.5
  done
  die "$name did not answer within $WAIT_SECONDS s, see var/log/$name.log"
}

up() {
  local name pidfile start=$SECONDS
  name="$(name_of standalone "$SOLR_PORT")"
  pidfile="$VAR/$name.pid"
  if alive "$pidfile" && ping_ok "$SOLR_PORT"; then
    echo "Solr already running: http://127.0.0.1:$SOLR_PORT/solr/ckan"
    return 0
  fi
  if ! alive "$pidfile"; then
    if ping_ok "$SOLR_PORT"; then
      echo "a Solr not started by this script answers: http://127.0.0.1:$SOLR_PORT/solr/ckan"
      return 0
    fi
    build
    SOLR_JAVA_OPTS="${SOLR_JAVA_OPTS:--Xms256m -Xmx512m}" \
      launch standalone "$SOLR_PORT" "$name" --home "$VAR/$name"
  fi
  wait_until "$pidfile" "$name" ping_ok "$SOLR_PORT"
  echo "Solr standalone up in $((SECONDS - start)) s: http://127.0.0.1:$SOLR_PORT/solr/ckan" \
       "(log var/log/$name.log)"
}

cloud_up() {
  local name pidfile urls start=$SECONDS
  name="$(name_of cloud "$SOLRCLOUD_PORT")"
  pidfile="$VAR/$name.pid"
  urls="$VAR/$name.urls"
  if ! alive "$pidfile"; then
    build
    rm -f "$urls"
    SOLR_JAVA_OPTS="${SOLR_JAVA_OPTS:--Xms256m -Xmx1g}" \
      launch cloud "$SOLRCLOUD_PORT" "$name" --home "$VAR/$name" --urls-file "$urls"
  fi
  # the launcher writes the URL list once the collection is active, and removes it when stopped
  wait_until "$pidfile" "$name" test -s "$urls"
  echo "SolrCloud up in $((SECONDS - start)) s (log var/log/$name.log), collection ckan on:"
  sed 's|$|/ckan|' "$urls"
}

stop_pidfile() {  # pidfile
  local pidfile="$1" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$(basename "$pidfile" .pid) ($pid) did not stop within 30 s, killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
    echo "stopped $(basename "$pidfile" .pid) ($pid)"
  fi
  rm -f "$pidfile" "${pidfile%.pid}.urls"
}

down() {
  stop_pidfile "$VAR/$(name_of standalone "$SOLR_PORT").pid"
  stop_pidfile "$VAR/$(name_of cloud "$SOLRCLOUD_PORT").pid"
}

down_all() {
  local pidfile
  for pidfile in "$VAR"/solr.pid "$VAR"/solr-[0-9]*.pid "$VAR"/solrcloud.pid \
                 "$VAR"/solrcloud-[0-9]*.pid; do
    [ -e "$pidfile" ] && stop_pidfile "$pidfile"
  done
  return 0
}

status() {
  local pidfile name
  for pidfile in "$VAR"/solr.pid "$VAR"/solr-[0-9]*.pid "$VAR"/solrcloud.pid \
                 "$VAR"/solrcloud-[0-9]*.pid; do
    [ -e "$pidfile" ] || continue
    name="$(basename "$pidfile" .pid)"
    if alive "$pidfile"; then
      echo "$name: running (pid $(cat "$pidfile"))"
      [ -s "$VAR/$name.urls" ] && sed 's|^|  |; s|$|/ckan|' "$VAR/$name.urls"
    else
      echo "$name: not running (stale pid file)"
    fi
  done
  ping_ok "$SOLR_PORT" && echo "http://127.0.0.1:$SOLR_PORT/solr/ckan answers"
  return 0
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  cloud-up) cloud_up ;;
  down) down ;;
  down-all) down_all ;;
  status) status ;;
  *) echo "usage: $0 build|up|cloud-up|down|down-all|status" >&2; exit 2 ;;
esac
