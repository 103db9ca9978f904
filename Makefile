# Common Ground: `make run` to try it, `make test` to check it. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
FLASK  := $(BIN)/flask --app facilitation:create_app
export PORT HOST

.PHONY: setup test-setup run test lint format serve-many bench clean help

help:
	@echo "make run    - set up, prepare the SQLite database with a demo meeting, serve on $(HOST):$(PORT)"
	@echo "make test   - set up with test tools and Chromium, then run the whole test suite"
	@echo "make lint   - ruff check"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# Front-end libraries come from npm and are copied next to our own static files.
static/vendor/socket.io.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor/fonts
	cp node_modules/socket.io-client/dist/socket.io.min.js node_modules/morphdom/dist/morphdom-esm.js static/vendor/
	cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf static/vendor/fonts/
	touch $@

setup: $(VENV)/.runtime static/vendor/socket.io.min.js

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own),
# and poppler-utils (pdftoppm: images of the minutes PDF for people to look at).
DEBIAN_TEST_PACKAGES := chromium poppler-utils
/usr/bin/chromium /usr/bin/pdftoppm:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_TEST_PACKAGES) >/dev/null; \
	else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_TEST_PACKAGES) >/dev/null; fi

test-setup: setup $(VENV)/.dev /usr/bin/chromium /usr/bin/pdftoppm

run: setup
	@$(FLASK) init-db
	@PUBLIC_URL=http://$(HOST):$(PORT) $(FLASK) seed-demo
	@$(BIN)/python app.py

# The layers written down in .importlinter are checked first: a broken one stops the run.
test: test-setup
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .

format: $(VENV)/.dev
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules static/vendor instance test-artifacts

# Several processes behind nginx on one machine (PostgreSQL + Redis; see docs/deployment.md).
N ?= 2
DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/common_ground
SOCKETIO_MESSAGE_QUEUE ?= redis://127.0.0.1:6379/0
serve-many: setup
	@psql -h 127.0.0.1 -U postgres -tc "select 1 from pg_database where datname='common_ground'" | grep -q 1 || \
		psql -h 127.0.0.1 -U postgres -c "create database common_ground" >/dev/null
	@DATABASE_URL=$(DATABASE_URL) $(FLASK) init-db
	@DATABASE_URL=$(DATABASE_URL) PUBLIC_URL=http://$(HOST):$(PORT) $(FLASK) seed-demo
	@DATABASE_URL=$(DATABASE_URL) SOCKETIO_MESSAGE_QUEUE=$(SOCKETIO_MESSAGE_QUEUE) $(FLASK) serve-many -n $(N) --port $(PORT)

# Benchmarks print a table and write docs/benchmarks.md (see README, Benchmarks).
bench: test-setup
	$(BIN)/python benchmarks/room_fanout.py
