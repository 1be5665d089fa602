# Incident Console: `make run` to use it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := backend/.venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-backend install-backend-run install-frontend run dev migrate openapi lint \
        test test-unit test-api test-api-sqlite test-api-postgres test-security test-security-sqlite \
        test-security-postgres test-frontend test-e2e bench clean

install: install-backend install-frontend

## What running needs (backend/requirements.txt); the test and lint tools come with install-backend.
install-backend-run: $(VENV)/.installed-run

$(VENV)/.installed-run: backend/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r backend/requirements.txt
	touch $@

install-backend: $(VENV)/.installed

$(VENV)/.installed: $(VENV)/.installed-run backend/requirements-dev.txt
	$(PY) -m pip install -q -r backend/requirements-dev.txt
	touch $@

install-frontend: frontend/node_modules/.installed frontend/dist/index.html

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(shell find frontend/src frontend/index.html frontend/vite.config.ts -type f 2>/dev/null)
	cd frontend && npm run build

## Migrate, seed the demo data and serve the console and the API on one URL (PORT=9000 make run
## for another port). The URL is printed once the server listens; Ctrl-C stops it quietly.
run: install-backend-run install-frontend
	@cd backend && HOST=$(HOST) PORT=$(PORT) exec .venv/bin/python -m app.serve

## Hot reload: the API with --reload and Vite's dev server proxying to it.
dev: install
	@echo "  Console (Vite, hot reload): http://127.0.0.1:5173/ui/"
	(cd backend && .venv/bin/uvicorn app.main:app --reload --port $(PORT)) & \
	cd frontend && API_URL=http://$(HOST):$(PORT) npm run dev

migrate: install-backend-run
	$(VENV)/bin/alembic upgrade head

## Regenerate the OpenAPI schema, docs/API.md and the console's typed client from the backend.
openapi: install-backend
	cd backend && .venv/bin/python -m app.openapi_dump > ../frontend/openapi.json
	cd backend && .venv/bin/python -m app.api_doc > ../docs/API.md
	cd frontend && npm run gen:api

lint: install
	cd backend && .venv/bin/ruff check app tests && .venv/bin/mypy app && .venv/bin/lint-imports
	cd frontend && npm run lint && npm run typecheck

## Two stages, each job starting as soon as a slot is free: the static checks, unit and console
## tests, two at a time (one per core of the CI machine); then the browser specs and the API
## and security tiers of each database, three at a time: the browser specs spend most of their
## time waiting on real clocks (an SLA falling due, a token expiring), so a third job uses the
## core they leave idle. Longest first (measured side by side: PostgreSQL API 9 min, its
## security tier 8, the browser specs 6, SQLite's security 4 and API 3). Each tier stays
## runnable alone (make test-api, make test-security, make test-e2e, ...).
test: install
	$(MAKE) -j2 --output-sync=target lint test-unit test-frontend
	$(MAKE) -j3 --output-sync=target test-api-postgres test-security-postgres test-e2e \
	  test-security-sqlite test-api-sqlite

## Unit tests, and the deployment files (Kubernetes overlays rendered and validated offline,
## the compose files against the Compose Specification).
test-unit: install-backend
	cd backend && .venv/bin/pytest -q tests/unit tests/deploy

## The two databases' API tiers are independent (own files, own PostgreSQL databases): one per core.
test-api: install-backend
	$(MAKE) -j2 --output-sync=target test-api-sqlite test-api-postgres

test-api-sqlite: install-backend
	cd backend && TEST_DATABASES=sqlite .venv/bin/pytest -q tests/api

test-api-postgres: install-backend
	cd backend && TEST_DATABASES=postgresql .venv/bin/pytest -q tests/api

## Tokens, roles, limits, headers, throttling, races, idempotency, audit chain, fuzzing, crash safety.
test-security: install-backend
	$(MAKE) -j2 --output-sync=target test-security-sqlite test-security-postgres

test-security-sqlite: install-backend
	cd backend && TEST_DATABASES=sqlite .venv/bin/pytest -q tests/security

test-security-postgres: install-backend
	cd backend && TEST_DATABASES=postgresql .venv/bin/pytest -q tests/security

## The fuzz tier with a larger budget: FUZZ_EXAMPLES cases per operation and phase (make test
## runs 12), FUZZ_SEED another fixed seed (make fuzz FUZZ_SEED=$$RANDOM explores further).
.PHONY: fuzz
fuzz: install-backend
	cd backend && FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} .venv/bin/pytest -q tests/security/test_fuzz.py

test-frontend: install-frontend
	cd backend && .venv/bin/python -m app.openapi_dump | diff -q - ../frontend/openapi.json \
	  || (echo "frontend/openapi.json is stale: run 'make openapi'" && exit 1)
	cd frontend && npm run check:api && npm test

test-e2e: install
	cd frontend && npm run e2e

bench: install
	bash bench/run.sh

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist backend/*.db*
