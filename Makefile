# The README's two commands: `make run` and `make test`. Both build .venv themselves.
VENV   ?= .venv
PY     := $(VENV)/bin/python
ARGS   ?=
HEADLESS := SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy

.PHONY: run test bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test,video]'
	touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps
	$(PY) run.py $(ARGS)

test: $(VENV)/.test-deps
	$(HEADLESS) $(PY) -m pytest -q

bench: $(VENV)/.test-deps
	$(HEADLESS) $(PY) bench/train_step.py
	$(HEADLESS) $(PY) bench/frame.py

clean:
	rm -rf $(VENV)
