# Two commands: `make run` and `make test` (see README.md and ../shared/CONTRACT.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
# Links printed and sent (kiosk URLs, tracking links) point at the local server unless set.
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test install dev-install translations worker bench soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

dev-install: $(VENV)/.dev-installed translations

# Compiled catalogues are build output, not committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -f -d feedback/translations >/dev/null

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@$(FLASK) demo-logins
	@bash -c 'trap "kill 0" EXIT; $(FLASK) worker & $(FLASK) run --host 127.0.0.1 --port $(PORT)'

worker: install
	$(FLASK) worker

test: dev-install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Every user path through gunicorn and wrk at a small size (a few minutes; needs wrk); the province size is
# `make bench BENCH_ARGS=--cases=1000000`. Other benchmarks: `python -m bench --help`.
BENCH_ARGS ?=
bench: dev-install
	$(BIN)/python -m bench user_paths $(BENCH_ARGS)

# A mixed load with Redis, worker and PostgreSQL faults (SOAK_MINUTES, default 5); see tests/faults/soak.py.
SOAK_MINUTES ?= 5
soak: dev-install
	$(BIN)/python -m tests.faults.soak --minutes $(SOAK_MINUTES)

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
