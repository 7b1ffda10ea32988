# Two commands for a fresh machine:
#   make run    set up a virtual environment and serve the in-memory store
#   make test   set up everything the tests need (Azurite included) and run them

VENV   := .venv
PYTHON := $(VENV)/bin/python

.PHONY: run test clean

run: $(VENV)/.app-installed
	$(PYTHON) app.py

test: $(VENV)/.dev-installed node_modules/.installed
	$(PYTHON) -m pytest

$(VENV)/.app-installed: requirements.txt | $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.app-installed

$(VENV):
	python3 -m venv $(VENV)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
