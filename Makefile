# The README's commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000
export HOST PORT

#: pytest-xdist workers: one per core
TEST_WORKERS ?= auto

.PHONY: run test test-fast lint format bench lock translations extract-messages clean

run: $(VENV)/.runtime translations
	$(FLASK) setup
	$(BIN)/gunicorn --config gunicorn.conf.py app:app

# Every test: SQLite and (with TEST_DATABASE_URL) PostgreSQL, Chromium, the servers they start.
test: $(VENV)/.dev translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# While changing code: all but the browser tests and those that start servers of their own.
test-fast: $(VENV)/.dev translations
	$(BIN)/ruff check .
	$(BIN)/mypy
	KAMPUNG_FAST_TESTS=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser and not process" $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The load runs need wrk (Debian's package): installed here when we are root, else asked for.
bench: $(VENV)/.dev translations
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q wrk; } \
		|| { echo "make bench needs wrk: sudo apt-get install wrk"; exit 1; }
	$(BIN)/python -m bench $(BENCH_ARGS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installed from the locks: every transitive dependency pinned, each file checked by its hash.
# Reinstall only when a lock changed.
$(VENV)/.runtime: requirements.lock | $(VENV)/bin/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements.lock requirements-dev.lock | $(VENV)/bin/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(VENV)/.runtime $@

# After changing requirements.txt or requirements-dev.txt (the direct pins): the locks again.
lock: $(VENV)/.dev
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 --custom-compile-command "make lock" requirements.txt -o requirements.lock
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 --custom-compile-command "make lock" requirements-dev.txt -o requirements-dev.lock

PO_FILES := $(wildcard kampung/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

translations: $(MO_FILES)

kampung/translations/%/LC_MESSAGES/messages.mo: kampung/translations/%/LC_MESSAGES/messages.po | $(VENV)/.runtime
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

# After adding or changing user-visible strings: refresh the catalogue, then translate the new entries.
extract-messages: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o kampung/translations/messages.pot .
	$(BIN)/pybabel update -i kampung/translations/messages.pot -d kampung/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
