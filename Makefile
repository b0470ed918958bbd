# The two commands of the README:
#   make demo   installs, migrates, seeds the sandbox and serves on http://127.0.0.1:8000
#   make test   installs and runs the full test suite (SQLite, then PostgreSQL with Redis)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

# The demo runs as production does (DEBUG off) with a secret kept in .demo/, in the production
# layout for demos (README): the console on 8000 and the sandbox in its own gunicorn on 8001
# (Procfile.demo, started and stopped together by bin/demo). The sandbox delivers its notification
# events to the console's webhook receiver, with a shared secret; the lead's key lists the tasks of
# an upload that an event announces.
DEMO_ENV := SECRET_KEY_FILE=.demo/secret_key FERNET_KEYS_FILE=.demo/fernet_key SANDBOX_ENABLED=True SECURE_COOKIES=False \
	SANDBOX_WEBHOOK_SECRET_FILE=.demo/webhook_secret WEBHOOK_SECRET_FILE=.demo/webhook_secret QUEUE_SYNC_USER=lead \
	EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend SILENCED_SYSTEM_CHECKS=reviewer.accounts.W001
TEST_FERNET_KEY := dGVzdC1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMhISE=
# CONN_MAX_AGE=0: a live-server thread must not keep a connection that blocks dropping the test database.
TEST_ENV := SECRET_KEY=test-only-secret-key-not-for-production FERNET_KEYS=$(TEST_FERNET_KEY) \
	SANDBOX_ENABLED=True SECURE_COOKIES=False CONN_MAX_AGE=0

.PHONY: demo test test-sqlite test-postgres lint bench install install-dev browser-deps system-deps i18n messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

.demo/secret_key:
	mkdir -p .demo
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

.demo/webhook_secret: .demo/secret_key
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(32))" > $@

.demo/fernet_key: | $(VENV)/.installed
	mkdir -p .demo
	$(BIN)/python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" > $@

demo: install i18n .demo/secret_key .demo/fernet_key .demo/webhook_secret
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(DEMO_ENV) $(BIN)/python manage.py sandbox_seed
	$(DEMO_ENV) $(BIN)/python manage.py demo_setup
	@# Serve (console and sandbox, each its own gunicorn), run the worker beside them (syncs, event
	@# deliveries, periodic work: docs/background-work.md), fill the work queue once the sandbox
	@# answers, then stay in front; Ctrl-C stops every process of Procfile.demo.
	$(DEMO_ENV) $(BIN)/python bin/demo Procfile.demo

test: test-sqlite test-postgres

# Browser tests: Debian's chromium (no browser download) and axe-core from npm.
browser-deps: tests/browser/node_modules/.installed
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Translations (docs/i18n.md): Debian's gettext compiles the catalogues (locale/*/LC_MESSAGES/*.po)
# into the .mo files Django reads; those are built here, never committed.
I18N_ENV := SECRET_KEY=i18n-only-not-a-secret
I18N_IGNORE := --ignore '.*' --ignore tests --ignore static-collected
system-deps:
	@command -v msgfmt >/dev/null || { \
		echo "Installing Debian's gettext for the translations"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; }

i18n: install system-deps
	$(I18N_ENV) $(BIN)/python manage.py compilemessages $(I18N_IGNORE) --verbosity 0

# After marking strings: update the Dutch catalogues (Python and templates; scripts), then
# translate what is new or fuzzy; tests/test_translations.py fails until it is.
messages: install system-deps
	$(I18N_ENV) $(BIN)/python manage.py makemessages --locale nl --domain django
	$(I18N_ENV) $(BIN)/python manage.py makemessages --locale nl --domain djangojs

tests/browser/node_modules/.installed: tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --silent
	touch $@

test-sqlite: install-dev browser-deps i18n
	$(TEST_ENV) $(BIN)/pytest

test-postgres: install-dev browser-deps i18n
	$(TEST_ENV) DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest

# Benchmarks (benchmarks/README.md): every module in benchmarks/registry.py, full size; prints a table
# and writes benchmarks/RESULTS.md, each figure a ratio against a reference measured in the same run.
# BENCH_ARGS="--only overlays" runs one; BENCH_ARGS="--label Before" labels the generated heading.
bench: install-dev browser-deps i18n
	$(TEST_ENV) $(BIN)/python -m benchmarks --size full $(BENCH_ARGS)
	@# The older benchmarks (corrections, upload events) print their figures (benchmarks/HISTORY.md).
	$(TEST_ENV) $(BIN)/pytest benchmarks -p no:randomly -s -q

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) static-collected tests/browser/node_modules test-artifacts
