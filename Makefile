# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run chat test eval bench index clean

install: $(STAMP)

# torch is installed first and pinned: the CPU wheel is on this machine's disk, while an
# unpinned torch (pulled in by sentence-transformers) would download a multi-GB CUDA build.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: chat

chat: install
	$(PY) -m assistant chat

index: install
	$(PY) -m assistant index

test: install
	$(PY) -m pytest -q

eval: install
	$(PY) -m eval --report eval/report

bench: install
	$(PY) -m eval.bench

clean:
	rm -rf .store .pytest_cache
