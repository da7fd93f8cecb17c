# Antre: the two commands are `make run` and `make test`; the rest serves them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lock lint format proto proto-check bench bench-sim sim voice migration deploy-generate deploy-check deploy-tools clean

# Two installs, each from a lock file (requirements/, `make lock`) with every package's hashes:
# `make run` gets the services and the local NATS server (.[local]: the hall's forecast needs
# numpy only, not the twin's scipy or matplotlib), `make test` adds the test, deploy and twin
# tools (.[dev]). A fresh clone's `make run` so never installs a test tool. Each install then
# compiles the pure rules in place (setup.py, antre/build.py): a change to one of them rebuilds,
# and the last line says which build the tree now runs.
COMPILED_SOURCES := $(shell $(PYTHON) -m antre.build --sources 2>/dev/null)
# The rules' own tests, run once more from the Python source (ANTRE_PURE=1) after the compiled run.
PURE_TESTS := tests/unit/sim tests/unit/counters tests/unit/ticketing tests/unit/notify \
	tests/unit/test_domain_purity.py tests/unit/test_compiled_build.py
RUNTIME := $(VENV)/.installed-run
DEV     := $(VENV)/.installed-dev

$(RUNTIME): pyproject.toml setup.py antre/build.py requirements/local.lock $(COMPILED_SOURCES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/local.lock
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/python -m antre.build --summary
	touch $@

$(DEV): $(RUNTIME) requirements/dev.lock
	$(BIN)/pip install -q -r requirements/dev.lock
	touch $@

## run: the whole hall on this machine (SQLite, a local NATS server, examples/kendari.yaml);
## ARGS="--base-port 9101 --nats-port 4399" for other ports
run: $(RUNTIME)
	$(BIN)/python -m tools.devhall $(ARGS)

## test: lint, generated code up to date, every test ring, and the rules' tests once more uncompiled
test: $(DEV) lint proto-check
	$(BIN)/pytest
	ANTRE_PURE=1 $(BIN)/pytest -q $(PURE_TESTS)

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --config-file mypy.ini

format: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## proto: regenerate the Python code of the event contracts and the catalogue, docs/events.md
proto: $(DEV)
	$(BIN)/python -m grpc_tools.protoc -I proto --python_out=. --pyi_out=. proto/antre/v1/*.proto
	$(BIN)/python -m tools.catalogue

## proto-check: fail when antre/v1 or docs/events.md is stale against proto/
proto-check: $(DEV)
	rm -rf .antre/proto-check && mkdir -p .antre/proto-check
	$(BIN)/python -m grpc_tools.protoc -I proto --python_out=.antre/proto-check \
		--pyi_out=.antre/proto-check proto/antre/v1/*.proto
	diff -r -x __init__.py -x __pycache__ .antre/proto-check/antre/v1 antre/v1 \
		|| (echo "antre/v1 is stale: run 'make proto'"; exit 1)
	$(BIN)/python -m tools.catalogue --check

## bench: issue, call-next and call-to-board figures (see BENCHMARKS.md)
bench: $(DEV)
	$(BIN)/python -m bench.run

## bench-sim: the twin against Ciw and SimPy per hall day, and 1,000 hall days on one and every core
bench-sim: $(DEV)
	$(BIN)/python -m bench.sim

## sim: simulate a Kendari day from examples/demand/kendari.yaml and write report.html
sim: $(DEV)
	$(BIN)/python -m sim day examples/demand/kendari.yaml -n 40 --html report.html

## voice: build the default Indonesian voice pack (espeak-ng) into .antre/voice
voice: $(RUNTIME)
	$(BIN)/python -m services.display.entrypoints.cli voice-build

## migration SERVICE=counters MSG="add x": a new Alembic revision from the service's tables
migration: $(RUNTIME)
	$(BIN)/python -m tools.migrations_cli $(SERVICE) "$(MSG)"

## deploy-generate: refresh generated deployment files (example hall copies, alert targets)
deploy-generate: $(RUNTIME)
	$(BIN)/python deploy/k8s/halls/sync.py
	$(BIN)/python deploy/prometheus/targets.py

## deploy-check: render, validate and lint every deployment file; a missing tool fails
deploy-check: $(DEV)
	ANTRE_REQUIRE_DEPLOY_TOOLS=1 $(BIN)/pytest tests/deploy

UV_VENV ?= .antre/tools/uv
# uv resolves for every platform (--universal) from pyproject.toml alone, without building the
# project. Pins already in a lock stay unless pyproject asks otherwise (LOCK_FLAGS=--upgrade
# moves all). The widest set first: runtime and local are held to its versions, so what the
# images and `make run` carry is exactly what `make test` tested.
LOCK_FLAGS ?=
UV_COMPILE = $(UV_VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock" $(LOCK_FLAGS)
## lock: regenerate requirements/*.lock from pyproject.toml (dev: everything; runtime: the images)
lock:
	test -x $(UV_VENV)/bin/uv || ($(PYTHON) -m venv $(UV_VENV) && $(UV_VENV)/bin/pip install -q uv==0.13.10)
	$(UV_COMPILE) --extra dev -o requirements/dev.lock
	$(UV_COMPILE) -c requirements/dev.lock -o requirements/runtime.lock
	$(UV_COMPILE) --extra local -c requirements/dev.lock -o requirements/local.lock

CHECKOV_VENV ?= .antre/tools/checkov
## deploy-tools: checkov in its own environment (its pins clash with the project's)
deploy-tools:
	test -x $(CHECKOV_VENV)/bin/checkov || ($(PYTHON) -m venv $(CHECKOV_VENV) && \
		$(CHECKOV_VENV)/bin/pip install -q checkov==3.3.30)

clean:
	rm -rf .antre .pytest_cache .ruff_cache
