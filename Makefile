VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest

.PHONY: install run test test-unit screenshots clean

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

clean:
	rm -rf $(VENV) db.sqlite3 media test-media staticfiles test-artifacts
