# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install browser run chat test eval bench bench-load bench-scale index screenshot clean

install: $(STAMP)

# torch is installed first and pinned: the CPU wheel is on this machine's disk, while an
# unpinned torch (pulled in by sentence-transformers) would download a multi-GB CUDA build.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian's chromium (and a CJK font, so pages and screenshots show Chinese) for the browser tests;
# `playwright install` cannot download browsers here.
BROWSER_FILES := /usr/bin/chromium /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
browser: $(BROWSER_FILES)

$(BROWSER_FILES) &:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei

run: install
	$(PY) app.py

chat: install
	$(PY) -m assistant chat

index: install
	$(PY) -m assistant index

test: install browser
	$(PY) -m pytest -q

eval: install
	$(PY) -m eval --report eval/report

bench: install
	$(PY) -m eval.bench

# /api/ask under 1, 8, 32 and 64 concurrent clients; the curve for the README
bench-load: install
	$(PY) -m eval.load --plot docs/load.png

# libraries of 1, 50 and 500 documents (about 50,000 clauses), on the local store and on a Chroma server
bench-scale: install
	$(PY) -m eval.scale --plot docs/scale.png

screenshot: install browser
	ASSISTANT_SCREENSHOTS=docs $(PY) -m pytest -q tests/test_web_e2e.py -k long_answer

clean:
	rm -rf .store .pytest_cache
