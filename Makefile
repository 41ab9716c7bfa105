# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv with the machine's python3 on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# compat mode puts the checkout itself on sys.path, which is what lets twistd
# find twisted/plugins/mimic.py from an editable install.
EDITABLE := --config-settings editable_mode=compat

.PHONY: run test docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.run-installed: $(BIN)/python setup.py
	$(PIP) install --quiet -e . $(EDITABLE)
	touch $@

$(VENV)/.test-installed: $(BIN)/python setup.py
	$(PIP) install --quiet -e '.[test,docs]' $(EDITABLE)
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/mimic --listen tcp:8900:interface=127.0.0.1

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

docs: $(VENV)/.test-installed
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) build dist *.egg-info docs/_build
