#!/usr/bin/env bash
# Stop what `make demo` started: gunicorn, the jobs worker, and Redis if the bootstrap started
# it. PostgreSQL is a system service shared with other uses; it keeps running.
set -uo pipefail
. "$(dirname "$0")/common.sh"
for pidfile in "$VAR/gunicorn.pid" "$VAR/worker.pid" "$VAR/redis.pid"; do
  if [ -f "$pidfile" ]; then
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      echo "stopped $(basename "$pidfile" .pid) ($pid)"
    fi
    rm -f "$pidfile"
  fi
done
# a Solr started by make solr-up / solrcloud-up / demo-solr (docs/solr.md)
"$(dirname "$0")/solr.sh" down-all
