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
export SOLR_PORT=18993 SOLRCLOUD_PORT=18995
case "$BACKEND" in
  solr) "$ROOT/scripts/solr.sh" up ;;
  solrcloud) "$ROOT/scripts/solr.sh" cloud-up ;;
  *) echo "$0: unknown backend $BACKEND (solr or solrcloud)" >&2; exit 2 ;;
esac
trap '"$ROOT/scripts/solr.sh" down' EXIT
cd "$ROOT"
"$VENV/bin/python" -m pytest --ckan-ini=test.ini --search-backend="$BACKEND" \
  -p no:cacheprovider -W ignore::DeprecationWarning -n 2 --dist loadfile \
  --durations=10 tests "$@"
