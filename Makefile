VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest

.PHONY: install run test test-unit screenshots bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## make run: SQLite, demo content, search index, task worker and server on http://127.0.0.1:8000
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py search_index --rebuild
	bash scripts/run-dev.sh

## make test: the whole suite; unit, view and browser tests on SQLite, then integration tests on real PostgreSQL and Elasticsearch
test: install
	bash scripts/ensure-chromium.sh
	$(PYTEST)
	bash scripts/with-test-services.sh bash -c 'DATABASE_URL=$$TEST_DATABASE_URL ELASTICSEARCH_URL=$$TEST_ELASTICSEARCH_URL $(PYTEST) -m integration'

test-unit: install
	$(PYTEST) -m "not integration and not browser"

## make screenshots: the demo site on a throwaway database, every main page at 375, 768 and 1280 px into docs/screenshots/; fails on overflow or overlap
screenshots: install
	bash scripts/ensure-chromium.sh
	$(PY) scripts/screenshots.py

## make bench-peers: our forum pages beside django-spirit's on the same generated data (bench/peers/); on the database BENCH_DATABASE_URL names when set, else on throwaway services with SIZE (default large) generated; PEERS_ARGS=--write records it in BENCHMARKS.md
.PHONY: bench-peers
bench-peers: install
	$(if $(BENCH_DATABASE_URL),,bash scripts/with-test-services.sh) $(PY) bench/peers/compare.py --size $(or $(SIZE),large) $(PEERS_ARGS)

## make bench: pages, posting, roundups and throughput on generated data (SIZE=small|medium|large, default large;
## BENCH_OPTIONS such as --no-write); BENCH_DATABASE_URL and BENCH_ELASTICSEARCH_URL reuse data generated before
SIZE ?= large
bench: install
	bash bench/run.sh $(SIZE) $(BENCH_OPTIONS)

## make load: the load test (bench/load/): USERS people (default 50) browsing, searching and posting for MINUTES
## (default 5) against gunicorn on throwaway services with small generated data, or on BENCH_DATABASE_URL and
## BENCH_ELASTICSEARCH_URL; fails on any server error or lost or duplicated post. LOAD_OPTIONS such as --write
.PHONY: load
load: install
	$(PY) bench/load/run.py --users $(or $(USERS),50) --minutes $(or $(MINUTES),5) $(LOAD_OPTIONS)

clean:
	rm -rf $(VENV) db.sqlite3 media test-media staticfiles test-artifacts
