# keras-fgan: every target bootstraps its own virtual environment.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
EXTRAS := all-backends,data,tuner,tensorboard,onnx,plot,docs,test
FMNIST := /usr/share/datasets/fashion-mnist

.PHONY: demo test data browser docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[$(EXTRAS)]"
	touch $(STAMP)

# Debian's dataset-fashion-mnist: the original IDX files, no network download.
data:
	@if [ ! -f $(FMNIST)/train-images-idx3-ubyte.gz ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq dataset-fashion-mnist; \
	fi

# Debian's chromium: the docs test opens the built site in it (headless, offline).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; \
	fi

# The main job on embedded defaults: train, write a sample grid PNG, export ONNX.
demo: $(STAMP) data
	KERAS_BACKEND=$${KERAS_BACKEND:-tensorflow} $(VENV)/bin/keras-fgan demo --out runs/demo

# The whole test suite on the tensorflow, jax and torch backends.
test: $(STAMP) data browser
	$(PY) scripts/test_all_backends.py

docs: $(STAMP)
	$(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) site runs .pytest_cache
