# The two commands of the README, and the benchmark.
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench

$(STAMP): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	mkdir -p data
	$(VENV)/bin/addonhub demo --data-dir data
	$(VENV)/bin/addonhub serve --data-dir data --host 127.0.0.1 --port 8000

# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
test: $(STAMP)
	$(VENV)/bin/pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests ran" >&2; exit 1; fi; exit $$status

bench: $(STAMP)
	$(PYTHON) bench/run.py
