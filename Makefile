# ckanext-smartcity: the two commands of the README, and helpers.
#   make demo   bring up the demo portal on http://127.0.0.1:5000
#   make test   run the whole test suite
SHELL := /bin/bash
VENV  := .venv
PYTEST_ARGS ?=

.PHONY: demo stop test lint bench solr-up solrcloud-up demo-solr solr-configset vocabularies translations field-reference wheel clean

demo:
	scripts/bootstrap.sh demo
	scripts/serve.sh

stop:
	scripts/stop.sh

# a real Solr 9.10.1 on loopback, from Maven Central's jars (docs/solr.md);
# the first run downloads them (about 35 s here)
solr-up:
	scripts/solr.sh up

solrcloud-up:
	scripts/solr.sh cloud-up

# the demo portal on Solr standalone instead of PostgreSQL (docs/solr.md);
# a later `make demo` goes back to PostgreSQL and rebuilds its index
demo-solr:
	scripts/solr.sh up
	SEARCH_BACKEND=solr scripts/bootstrap.sh demo
	scripts/serve.sh

test:
	scripts/bootstrap.sh test
	$(VENV)/bin/ruff check ckanext tests scripts
	# two workers, a database each (tests/conftest.py); then the tests that
	# restart PostgreSQL, alone
	$(VENV)/bin/python -m pytest --ckan-ini=test.ini -p no:cacheprovider \
		-W ignore::DeprecationWarning -n 2 --dist loadfile -m "not serial" \
		--durations=15 tests $(PYTEST_ARGS)
	$(VENV)/bin/python -m pytest --ckan-ini=test.ini -p no:cacheprovider \
		-W ignore::DeprecationWarning -m serial --durations=15 tests $(PYTEST_ARGS)
	# the tests that touch search, again on stock CKAN search with a real
	# Solr standalone and a real SolrCloud (tests/conftest.py EVERY_BACKEND)
	scripts/test_on_solr.sh solr $(PYTEST_ARGS)
	scripts/test_on_solr.sh solrcloud $(PYTEST_ARGS)

# ruff (ruff.toml): pyflakes, pycodestyle, bugbear, pyupgrade, simplify
lint:
	$(VENV)/bin/ruff check ckanext tests scripts

bench:
	scripts/bootstrap.sh test
	$(VENV)/bin/python scripts/bench_search.py --ckan-ini test.ini --out docs/benchmarks.md
	$(VENV)/bin/python scripts/bench_relevance.py --ckan-ini test.ini --out docs/benchmarks.md
	$(VENV)/bin/python scripts/bench_relevance.py --ckan-ini test.ini --out docs/benchmarks.md \
		--queries tests/data/relevance/holdout.yaml --heading "## Relevance, held-out queries"
	$(VENV)/bin/python scripts/bench_rdf.py --ckan-ini test.ini --out docs/benchmarks.md
	$(VENV)/bin/python scripts/bench_quality.py --ckan-ini test.ini --out docs/benchmarks.md
	$(VENV)/bin/python scripts/bench_sheet.py --ckan-ini test.ini --out docs/benchmarks.md
	$(VENV)/bin/python scripts/bench_datastore.py --ckan-ini test.ini --out docs/benchmarks.md
	# PostgreSQL, Solr and SolrCloud side by side at 10k and 100k (about 30 min)
	$(VENV)/bin/python scripts/bench_backends.py --ckan-ini test.ini --out docs/benchmarks.md
	# load: 20 clients for 60 s against the demo portal (started if needed)
	scripts/bootstrap.sh demo
	scripts/serve.sh
	$(VENV)/bin/python scripts/bench_load.py --clients 20 --seconds 60 --out docs/benchmarks.md
	# hostile requests: the worst of each class, server time against the budget
	$(VENV)/bin/python scripts/bench_hostile.py --out docs/benchmarks.md
	# faults: PostgreSQL restarted, Redis stopped for 10 s, under load (needs root)
	$(VENV)/bin/python scripts/bench_faults.py --clients 10 --redis-down 10 --out docs/benchmarks.md

# the German Solr configset (deploy/solr/configset-de/) from CKAN's schema.xml,
# the synonym list and Debian's Hunspell dictionary; a test checks it is current
solr-configset:
	$(VENV)/bin/python scripts/solr_configset.py

vocabularies:
	$(VENV)/bin/python scripts/build_vocabularies.py
	$(VENV)/bin/python scripts/build_categories.py

# README's field reference, generated from schemas/
field-reference:
	$(VENV)/bin/python scripts/field_reference.py

# German catalogue: edit the .po, then compile the .mo that ships in the package
translations:
	$(VENV)/bin/pybabel compile -D ckanext-smartcity -d ckanext/smartcity/i18n -l de

wheel:
	rm -rf dist && $(VENV)/bin/python -m build --wheel --outdir dist .

clean: stop
	rm -rf var dist build *.egg-info
