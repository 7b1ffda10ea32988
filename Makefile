# Two commands for a fresh machine:
#   make run    set up a virtual environment and serve the in-memory store
#   make test   set up everything the tests need (Azurite included) and run them
#   make bench  measure both access modes on every backend (bench/run.py)
#   make clean  remove what the set-up installed; never var/, where the folder backends keep images

VENV     := .venv
PYTHON   := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
FAKETIME := /usr/bin/faketime
SUDO     := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run test bench clean

run: $(VENV)/.app-installed
	$(PYTHON) app.py

test: $(VENV)/.dev-installed node_modules/.installed $(CHROMIUM) $(FAKETIME)
	$(PYTHON) -m mypy
	$(PYTHON) -m pytest

bench: $(VENV)/.dev-installed node_modules/.installed
	$(PYTHON) bench/run.py

# The app's own package is installed in place (-e), for the `imagestore` command.
$(VENV)/.app-installed: requirements.txt pyproject.toml | $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt pyproject.toml | $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@ $(VENV)/.app-installed

$(VENV):
	python3 -m venv $(VENV)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The browser tests drive Debian's Chromium through Playwright.
$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

# One test runs an app process under libfaketime, its clock two minutes off.
$(FAKETIME):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y faketime

clean:
	rm -rf $(VENV) node_modules .pytest_cache test-artifacts
