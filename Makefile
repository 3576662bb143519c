# Two commands do all set-up on a fresh machine (see README.md):
#   make book   builds the book into _build/html
#   make test   runs every test (lint and types, library, notebooks, rendered book)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test test-fast lint student clean constraints

$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $(STAMP)

LIVE   := book/live/node_modules/.installed

# The live chapters' runtime (Pyodide's core), from the npm registry, at the version the lock file pins.
$(LIVE): book/live/package.json book/live/package-lock.json
	npm ci --prefix book/live --no-audit --no-fund --silent
	touch $(LIVE)

book: $(STAMP) $(LIVE)
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going

test: lint $(LIVE)
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

lint: $(STAMP)
	$(BIN)/ruff check gnet_lib tests tools notebooks
	$(BIN)/mypy

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -m "not slow and not browser and not realdata"

student: $(STAMP)
	$(BIN)/python -m gnet_lib student notebooks student

constraints: $(STAMP)
	( sed -n '1,3p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable ) > constraints.new && mv constraints.new constraints.txt

clean:
	rm -rf _build student
