# The two commands: `make run` and `make test`. Both install what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
TOOLS_STAMP := .tools/.installed
PORT ?= 7071
HTTPS_PORT ?= 7443

.PHONY: run test test-fast setup lint typecheck pytest bench clean format lint-infra web web-test web-screenshots

setup: $(PY_STAMP) $(TOOLS_STAMP)

$(PY_STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Azurite and the Cosmos emulator, from npm, into .tools/ (never global, never deployed).
$(TOOLS_STAMP): tools.package.json
	mkdir -p .tools
	cp tools.package.json .tools/package.json
	cd .tools && npm install --no-audit --no-fund --loglevel=error
	touch $@

# The web console (web/): npm ci once per package-lock.json (stamp), build when sources change.
WEB_STAMP := web/node_modules/.installed
WEB_SRC := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/redirect.html web/vite.config.ts
$(WEB_STAMP): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web/dist/index.html: $(WEB_STAMP) $(WEB_SRC)
	cd web && npm run --silent build

web: web/dist/index.html

# Typecheck (tsc), unit tests (Vitest, with the OpenAPI drift check), browser tests (Chromium).
web-test: setup web
	cd web && npm run --silent typecheck && npm test && npm run --silent browser

# Re-take docs/console/*.png (each page light, dark and at 360 px): every browser spec photographs its pages.
web-screenshots: setup web
	cd web && OA_SCREENSHOTS=1 npx playwright test

run: setup web
	@echo "OpenAlert console: https://127.0.0.1:$(HTTPS_PORT)/ (self-signed certificate: accept it once; also http://127.0.0.1:$(PORT)/)"
	cd web && node scripts/write-config.mjs dist https://127.0.0.1:$(HTTPS_PORT)
	SQLITE_PATH=.devhost/openalert.sqlite $(PY) -m devhost.demo http://127.0.0.1:$(PORT)
	$(PY) -m devhost run --port $(PORT) --https-port $(HTTPS_PORT) --azurite .tools/node_modules/.bin/azurite

lint: $(PY_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(PY_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(PY_STAMP)
	$(VENV)/bin/mypy shared devhost functions function_app.py openalert_cli

pytest: setup
	$(PY) -m pytest

# The static checks side by side, then pytest beside the console's checks: both spend most of
# their time waiting on the processes they start (devhost, servers, Chromium), so on two cores
# running them together takes little longer than the longer of the two. Each job's output is
# printed whole when it ends.
test: setup
	$(MAKE) --no-print-directory -j3 --output-sync=target lint typecheck lint-infra
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest web-test

# The inner loop: unit and contract tests on SQLite only (markers: tests/fixtures/tiers.py).
test-fast: setup
	HYPOTHESIS_PROFILE=fast $(PY) -m pytest tests/unit tests/contract -q \
		-m "not slow and not postgres and not cosmos and not azurite"

# checkov in its own venv: its many pins never touch the app venv. Installs once (stamp).
CHECKOV_VENV := .tools/checkov-venv
$(CHECKOV_VENV)/.installed:
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install -q --disable-pip-version-check 'checkov>=3.2,<4'
	touch $@

lint-infra: $(CHECKOV_VENV)/.installed
	$(CHECKOV_VENV)/bin/checkov -d infra --framework bicep --quiet --compact --skip-download

bench: setup web
	$(PY) -m bench

clean:
	rm -rf .devhost .pytest_cache .mypy_cache .ruff_cache .hypothesis
