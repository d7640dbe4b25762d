#!/usr/bin/env bash
# Bring up everything the portal and the tests need, on a fresh Debian
# machine as root, idempotently:
#   Debian packages -> PostgreSQL and Redis on loopback -> database role and
#   databases -> virtualenv with the pinned packages -> var/ckan.ini from
#   deploy/ckan.ini.in -> CKAN and plugin migrations.
# Usage: scripts/bootstrap.sh [demo|test]
set -euo pipefail

MODE="${1:-demo}"
. "$(dirname "$0")/common.sh"
PYTHON="${PYTHON:-python3}"
DB_USER="${DB_USER:-ckan_smartcity}"
DB_PASSWORD="${DB_PASSWORD:-ckan_smartcity}"
DB_NAME="${DB_NAME:-ckan_smartcity}"
TEST_DB_NAME="${TEST_DB_NAME:-ckan_smartcity_test}"
SOURCE_DB_NAME="${SOURCE_DB_NAME:-ckan_smartcity_source}"
BROWSER_DB_NAME="${BROWSER_DB_NAME:-ckan_smartcity_browser}"
# the DataStore (docs/datastore.md): one database next to each CKAN database
# (<name>_ds), written by $DB_USER, read by a role that can only SELECT
DATASTORE_DB_NAME="${DATASTORE_DB_NAME:-${DB_NAME}_ds}"
DATASTORE_RO_USER="${DATASTORE_RO_USER:-ckan_smartcity_ro}"
DATASTORE_RO_PASSWORD="${DATASTORE_RO_PASSWORD:-ckan_smartcity_ro}"
AXE_CORE_VERSION="4.14.1"
SITE_URL="${SITE_URL:-http://127.0.0.1:5000}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

# PostgreSQL's default shared_buffers (128 MB) cannot hold the search index
# of 100,000 datasets (about 400 MB): every search then reads its pages
# from the kernel again. A quarter of the memory, at most 1 GB (a
# container may report the host's memory), as the PostgreSQL manual
# advises (docs/architecture.md, "Search at 100k datasets"). Written once,
# before this script starts the cluster; an operator's own file is left
# alone.
tune_postgresql() {
  local conf="/etc/postgresql/$1/main/conf.d/smartcity.conf" mem_mb buffers_mb
  [ -e "$conf" ] && return
  mem_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
  buffers_mb=$(( mem_mb / 4 ))
  [ "$buffers_mb" -gt 1024 ] && buffers_mb=1024
  [ "$buffers_mb" -lt 128 ] && buffers_mb=128
  as_root mkdir -p "$(dirname "$conf")"
  printf '# written by ckanext-smartcity scripts/bootstrap.sh\nshared_buffers = %sMB\n' \
    "$buffers_mb" | as_root tee "$conf" >/dev/null
}

start_postgresql() {
  local version
  version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
  # a running cluster is left as it is (its owner may tune it; see
  # tune_postgresql): only one this script starts is tuned
  if pg_isready -q -h 127.0.0.1 -p 5432; then return; fi
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    log "Creating PostgreSQL $version cluster"
    as_root pg_createcluster "$version" main
  fi
  tune_postgresql "$version"
  log "Starting PostgreSQL $version"
  as_root pg_ctlcluster "$version" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return
    sleep 1
  done
  echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2
  exit 1
}

start_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
  log "Starting Redis on 127.0.0.1:6379"
  mkdir -p "$VAR/redis"
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes \
    --pidfile "$VAR/redis.pid" --dir "$VAR/redis" --save '' --appendonly no \
    --logfile "$VAR/redis.log"
  for _ in $(seq 1 30); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return
    sleep 0.5
  done
  echo "Redis did not come up on 127.0.0.1:6379" >&2
  exit 1
}

psql_admin() {
  as_root runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtAX "$@"
}

ensure_database() {
  local name="$1"
  if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]; then
    log "Creating database role $DB_USER"
    psql_admin -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'"
  fi
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" != "1" ]; then
    log "Creating database $name"
    psql_admin -c "CREATE DATABASE $name OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0"
  fi
}

# The DataStore database beside the CKAN database of $1 (ini $2), and the
# read-only role; CKAN's own script then sets the permissions (run as
# postgres; it is idempotent). The ini's log lines (test.ini logs to stdout)
# are cut off before the SQL.
ensure_datastore() {
  local name="$1" ini="$2"
  if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DATASTORE_RO_USER'")" != "1" ]; then
    log "Creating read-only DataStore role $DATASTORE_RO_USER"
    psql_admin -c "CREATE ROLE $DATASTORE_RO_USER LOGIN PASSWORD '$DATASTORE_RO_PASSWORD'"
  fi
  ensure_database "$name"
  "$VENV/bin/ckan" -c "$ini" datastore set-permissions 2>/dev/null \
    | sed -n '/^\/\*/,$p' | psql_admin >/dev/null
}

ensure_virtualenv() {
  if [ ! -x "$VENV/bin/python" ]; then
    log "Creating virtualenv $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.smartcity-installed"
  local digest
  digest="$(cat "$ROOT/requirements.txt" "$ROOT/requirements-xloader.txt" "$ROOT/dev-requirements.txt" \
    "$ROOT/setup.py" | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    log "Installing Python packages into $VENV"
    "$VENV/bin/pip" install -q --upgrade pip setuptools wheel
    "$VENV/bin/pip" install -q -r "$ROOT/requirements.txt" -r "$ROOT/dev-requirements.txt"
    # xloader without its metadata's newer certifi/idna/urllib3 (requirements-xloader.txt)
    "$VENV/bin/pip" install -q --no-deps -r "$ROOT/requirements-xloader.txt"
    "$VENV/bin/pip" install -q --no-deps -e "$ROOT"
    echo "$digest" > "$stamp"
  fi
}

render_config() {
  local target="$VAR/ckan.ini"
  local secret_file="$VAR/secret_key"
  mkdir -p "$VAR/storage"
  if [ ! -f "$secret_file" ]; then
    "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$secret_file"
    chmod 600 "$secret_file"
  fi
  sed -e "s|@SECRET_KEY@|$(cat "$secret_file")|" \
      -e "s|@DB_USER@|$DB_USER|" -e "s|@DB_PASSWORD@|$DB_PASSWORD|" \
      -e "s|@DB_NAME@|$DB_NAME|" -e "s|@SITE_URL@|$SITE_URL|" \
      -e "s|@VAR@|$VAR|" -e "s|@REDIS_DB@|0|" \
      -e "s|@DATASTORE_DB_NAME@|$DATASTORE_DB_NAME|" \
      -e "s|@DATASTORE_RO_USER@|$DATASTORE_RO_USER|" \
      -e "s|@DATASTORE_RO_PASSWORD@|$DATASTORE_RO_PASSWORD|" \
      -e "s|@XLOADER_TOKEN@|$(cat "$VAR/xloader_token" 2>/dev/null || echo NOT_SET)|" \
      "$ROOT/deploy/ckan.ini.in" > "$target.new"
  # make demo-solr: stock CKAN search on Solr (smartcity_search left out)
  if [ "${SEARCH_BACKEND:-postgresql}" = solr ]; then
    sed -i -e "s|^solr_url = .*|solr_url = ${SOLR_URL:-http://127.0.0.1:8983/solr/ckan}|" \
        -e '/^ckan\.plugins *=/s/\<smartcity_search \?//' "$target.new"
  fi
  mv "$target.new" "$target"
}

# After a switch between PostgreSQL and Solr (make demo / make demo-solr) the
# new backend's index is rebuilt from the database, so nothing is lost.
rebuild_index_after_switch() {
  local backend="${SEARCH_BACKEND:-postgresql}" stamp="$VAR/search_backend"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$backend" ]; then
    log "Search backend changed to $backend: rebuilding the index"
    "$VENV/bin/ckan" -c "$VAR/ckan.ini" search-index rebuild >/dev/null 2>&1
  fi
  echo "$backend" > "$stamp"
}

worker_config() {
  # test.ini with the worker's own database (Redis databases 6 and 7; 2 and 3 belong to the harvest source and browser portals)
  local worker="$1"
  cat > "$VAR/test-gw$worker.ini.new" <<EOF
# written by scripts/bootstrap.sh: test.ini for pytest-xdist worker gw$worker
[DEFAULT]
debug = false

[app:main]
use = config:$ROOT/test.ini
sqlalchemy.url = postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1/${TEST_DB_NAME}_gw$worker
ckan.redis.url = redis://127.0.0.1:6379/$((worker + 6))
ckan.storage_path = $VAR/test-storage-gw$worker
ckan.datastore.write_url = postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1/${TEST_DB_NAME}_gw${worker}_ds
ckan.datastore.read_url = postgresql://$DATASTORE_RO_USER:$DATASTORE_RO_PASSWORD@127.0.0.1/${TEST_DB_NAME}_gw${worker}_ds
ckanext.xloader.jobs_db.uri = postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1/${TEST_DB_NAME}_gw$worker
EOF
  mv "$VAR/test-gw$worker.ini.new" "$VAR/test-gw$worker.ini"
}

backend_worker_config() {
  # var/test-gwN.ini with stock CKAN search on Solr instead of ours: the
  # plugins of test.ini without smartcity_search, solr_url on the test Solr
  # of the backend; both workers share one core/collection, kept apart by
  # their site ids (CKAN filters and clears every Solr query by site_id)
  local backend="$1" worker="$2" url plugins
  case "$backend" in
    solr) url="http://127.0.0.1:$TEST_SOLR_PORT/solr/ckan" ;;
    solrcloud) url="http://127.0.0.1:$TEST_SOLRCLOUD_PORT/solr/ckan" ;;
  esac
  plugins="$(sed -n 's/^ckan\.plugins *= *//p' "$ROOT/test.ini" | sed 's/\<smartcity_search \?//')"
  cat > "$VAR/test-$backend-gw$worker.ini.new" <<EOF
# written by scripts/bootstrap.sh: var/test-gw$worker.ini on $backend (make test)
[DEFAULT]
debug = false

[app:main]
use = config:$VAR/test-gw$worker.ini
ckan.site_id = smartcity-test-gw$worker
ckan.plugins = $plugins
solr_url = $url
EOF
  mv "$VAR/test-$backend-gw$worker.ini.new" "$VAR/test-$backend-gw$worker.ini"
}

ensure_axe_core() {
  # The accessibility checker the browser tests inject into each page
  # (tests/browser/), from the npm registry, kept under var/.
  local dir="$VAR/npm"
  if [ "$(cat "$dir/node_modules/axe-core/package.json" 2>/dev/null \
          | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["version"])' 2>/dev/null)" \
       != "$AXE_CORE_VERSION" ]; then
    log "Installing axe-core $AXE_CORE_VERSION (npm)"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --silent "axe-core@$AXE_CORE_VERSION"
  fi
}

migrate() {
  local ini="$1"
  log "Migrating the database ($ini)"
  # Core and every enabled plugin's migrations (activity, smartcity_search).
  "$VENV/bin/ckan" -c "$ini" db upgrade >/dev/null
}

apt_install postgresql redis-server libpq-dev build-essential libmagic1 git curl hunspell-de-de
mkdir -p "$VAR"
start_postgresql
start_redis
ensure_virtualenv

case "$MODE" in
  demo)
    ensure_database "$DB_NAME"
    render_config
    ensure_datastore "$DATASTORE_DB_NAME" "$VAR/ckan.ini"
    migrate "$VAR/ckan.ini"
    # xloader's jobs act as the site user; a fresh token each run (the old
    # one is revoked), written into var/ckan.ini
    "$VENV/bin/ckan" -c "$VAR/ckan.ini" smartcity datastore-token 2>/dev/null \
      | tail -1 > "$VAR/xloader_token.new"
    chmod 600 "$VAR/xloader_token.new"
    mv "$VAR/xloader_token.new" "$VAR/xloader_token"
    render_config
    rebuild_index_after_switch
    ;;
  test)
    # Java and Maven build the real Solr the Solr tests start (tests/solr/, docs/solr.md)
    command -v java >/dev/null && command -v mvn >/dev/null || apt_install openjdk-17-jdk-headless maven
    "$ROOT/scripts/solr.sh" build
    ensure_database "$TEST_DB_NAME"
    ensure_datastore "${TEST_DB_NAME}_ds" "$ROOT/test.ini"
    migrate "$ROOT/test.ini"
    # one database, Redis database and file store per pytest-xdist worker
    # (make test runs two; tests/conftest.py picks var/test-gwN.ini)
    for worker in 0 1; do
      ensure_database "${TEST_DB_NAME}_gw$worker"
      worker_config "$worker"
      ensure_datastore "${TEST_DB_NAME}_gw${worker}_ds" "$VAR/test-gw$worker.ini"
      migrate "$VAR/test-gw$worker.ini"
      backend_worker_config solr "$worker"
      backend_worker_config solrcloud "$worker"
    done
    # the second portal the harvest tests harvest from (tests/harvest/)
    ensure_database "$SOURCE_DB_NAME"
    migrate "$ROOT/tests/harvest/source-portal.ini"
    # the portal the browser tests drive with Debian's chromium (tests/browser/)
    apt_install chromium fonts-dejavu-core
    command -v npm >/dev/null || apt_install nodejs npm
    ensure_database "$BROWSER_DB_NAME"
    ensure_datastore "${BROWSER_DB_NAME}_ds" "$ROOT/tests/browser/portal.ini"
    migrate "$ROOT/tests/browser/portal.ini"
    ensure_axe_core
    ;;
  *)
    echo "usage: $0 [demo|test]" >&2
    exit 2
    ;;
esac
