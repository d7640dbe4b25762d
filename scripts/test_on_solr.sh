#!/usr/bin/env bash
# The search-touching tests again, on stock CKAN search with a real Solr
# instead of smartcity_search (make test, docs/solr.md "What the tests check").
#
#   scripts/test_on_solr.sh solr|solrcloud [pytest arguments...]
#
# Starts the backend's test Solr (standalone on 18993, or SolrCloud on
# 18995/18996: ports of its own, a running demo Solr is never touched), runs
# pytest with --search-backend (tests/conftest.py picks var/test-<backend>-gwN.ini,
# written by scripts/bootstrap.sh test, and keeps only the tests marked for
# every backend), stops that Solr again, and exits with pytest's status.
set -euo pipefail
. "$(dirname "$0")/common.sh"
BACKEND="${1:?usage: $0 solr|solrcloud [pytest arguments...]}"
shift
export SOLR_PORT="$TEST_SOLR_PORT" SOLRCLOUD_PORT="$TEST_SOLRCLOUD_PORT"
case "$BACKEND" in
  solr) start=up ;;
  solrcloud) start=cloud-up ;;
  *) echo "$0: unknown backend $BACKEND (solr or solrcloud)" >&2; exit 2 ;;
esac
# stopped whatever happens, also when the start itself fails half-way
trap '"$ROOT/scripts/solr.sh" down' EXIT
"$ROOT/scripts/solr.sh" "$start"
cd "$ROOT"
status=0
"$VENV/bin/python" -m pytest --ckan-ini=test.ini --search-backend="$BACKEND" \
  -p no:cacheprovider -W ignore::DeprecationWarning -n 2 --dist loadfile \
  --durations=15 tests "$@" || status=$?
# 5 = no test selected: extra arguments (make test PYTEST_ARGS=...) chose
# none of the tests that run on every backend
if [ "$status" = 5 ] && [ "$#" -gt 0 ]; then
  echo "no test of every backend selected by: $*"
  status=0
fi
exit "$status"
