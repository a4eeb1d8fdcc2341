# Leerkring: `make run` sets everything up and starts the app; `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
MO_FILES := $(patsubst %.po,%.mo,$(wildcard community/translations/*/LC_MESSAGES/messages.po))

.PHONY: run dev test setup assets translations extract-messages db clean

run: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "Leerkring runs on http://$(HOST):$(PORT)/  (stop with Ctrl+C)"
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python wsgi.py

# For developers: Flask's development server with the debugger and reloader; jobs run right after
# the commit that queues them, inside the request (no consumer to start).
dev: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	JOBS_STORE=immediate $(FLASK) run --debug --host $(HOST) --port $(PORT)

test: setup $(VENV)/.test-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed assets translations

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

# Front-end libraries come from the npm registry at set-up time, never from a CDN.
# The action icons (Lucide) that community/icons.py names:
ICONS := reply quote thumbs-up flag pencil trash-2 ellipsis heading-2 bold italic link list image settings \
	user-plus circle-help search
assets: static/vendor/.installed

static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/socket.io-client/dist/socket.io.min.js static/vendor/
	cp node_modules/axe-core/axe.min.js static/vendor/  # loaded only by the browser tests (accessibility checks)
	mkdir -p static/vendor/icons
	cp node_modules/lucide-static/LICENSE static/vendor/icons/LICENSE
	for name in $(ICONS); do cp node_modules/lucide-static/icons/$$name.svg static/vendor/icons/; done
	touch $@

translations: $(MO_FILES)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

# For developers: collect new strings into the catalogues (then translate the Dutch one).
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o community/translations/messages.pot .
	$(BIN)/pybabel update -i community/translations/messages.pot -d community/translations --no-fuzzy-matching

db: setup
	$(FLASK) db upgrade

clean:
	rm -rf $(VENV) node_modules static/vendor $(MO_FILES)
