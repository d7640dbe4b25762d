#!/usr/bin/env bash
# Load the demo data and serve the portal with gunicorn on 127.0.0.1:5000.
# Called by `make demo` after scripts/bootstrap.sh demo.
set -euo pipefail
. "$(dirname "$0")/common.sh"
INI="$VAR/ckan.ini"
PORT="${PORT:-5000}"
URL="http://127.0.0.1:$PORT"

mkdir -p "$VAR/log"
if [ ! -f "$VAR/admin_password" ]; then
  "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))' > "$VAR/admin_password"
  chmod 600 "$VAR/admin_password"
fi
"$VENV/bin/ckan" -c "$INI" smartcity demo-load --admin admin \
  --admin-password-file "$VAR/admin_password" 2>>"$VAR/log/demo-load.log"
# Map previews for GeoJSON files loaded before the map view existed (CKAN
# skips resources that already have one; docs/previews.md).
if grep -qE '^ckan\.plugins *=.*\bsmartcity_preview\b' "$INI"; then
  "$VENV/bin/ckan" -c "$INI" views create smartcity_map -y >>"$VAR/log/demo-load.log" 2>&1
fi
# Datasets an older checkout created keep working: convert them to the
# current schema (a no-op when nothing is left to convert).
"$VENV/bin/ckan" -c "$INI" smartcity migrate --apply 2>>"$VAR/log/demo-load.log" | tail -1
# Score datasets saved before the quality tables existed (cheap; idempotent).
"$VENV/bin/ckan" -c "$INI" smartcity quality --assess --format json >/dev/null 2>>"$VAR/log/demo-load.log"

PIDFILE="$VAR/gunicorn.pid"
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  # Already serving: reload the workers so code and config changes apply.
  kill -HUP "$(cat "$PIDFILE")"
else
  CKAN_INI="$INI" "$VENV/bin/gunicorn" --chdir "$ROOT" deploy.wsgi:application \
    --bind "127.0.0.1:$PORT" --workers "${WORKERS:-2}" --timeout 120 \
    --pid "$PIDFILE" --daemon \
    --error-logfile "$VAR/log/gunicorn.log" --access-logfile "$VAR/log/access.log"
fi
# Tables loaded before the DataStore was enabled are queued once
# (docs/datastore.md); new and changed ones are queued when saved.
if grep -qE '^ckan\.plugins *=.*\bxloader\b' "$INI" && [ ! -f "$VAR/xloader_submitted" ]; then
  "$VENV/bin/ckan" -c "$INI" xloader submit all >>"$VAR/log/demo-load.log" 2>&1 \
    && touch "$VAR/xloader_submitted"
fi
for _ in $(seq 1 60); do
  if curl -fsS -o /dev/null "$URL/api/3/action/status_show" 2>/dev/null; then
    # Background jobs (URL checks of the quality report, DataStore loads) on
    # CKAN's RQ queue "default", started once the portal answers: xloader's
    # jobs download uploaded files from it.
    WORKER_PIDFILE="$VAR/worker.pid"
    if ! { [ -f "$WORKER_PIDFILE" ] && kill -0 "$(cat "$WORKER_PIDFILE")" 2>/dev/null; }; then
      nohup "$VENV/bin/ckan" -c "$INI" jobs worker >>"$VAR/log/worker.log" 2>&1 &
      echo $! > "$WORKER_PIDFILE"
    fi
    echo
    echo "Smart City Datenportal (Demo) läuft: $URL"
    echo "Anmeldung / login:  admin  /  $(cat "$VAR/admin_password")"
    echo "Stoppen / stop:     make stop"
    exit 0
  fi
  sleep 1
done
echo "The portal did not answer on $URL; see $VAR/log/gunicorn.log" >&2
exit 1
