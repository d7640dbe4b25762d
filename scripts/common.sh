# Shared paths for the project's shell scripts (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
VENV="$ROOT/.venv"
# Test ports of the real Solr the search-touching tests run on again
# (scripts/test_on_solr.sh, var/test-<backend>-gwN.ini from bootstrap.sh);
# not the demo's 8983/8984, nor tests/solr/'s 18983/18985.
TEST_SOLR_PORT=18993
TEST_SOLRCLOUD_PORT=18995
