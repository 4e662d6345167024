# The two commands of the README, and the benchmark.
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench

$(STAMP): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Sign-up open, so that a newcomer can make an account in the demo (a store's default is by invitation).
run: $(STAMP)
	mkdir -p data
	$(VENV)/bin/addonhub demo --data-dir data
	ADDONHUB_SIGNUP=open $(VENV)/bin/addonhub serve --data-dir data --host 127.0.0.1 --port 8000

# pytest exits 5 when it collected no test: that is a broken suite, not a pass. addons-linter
# (npm) is installed so that the optional linter integration is tested too, and web-ext and
# sign-addon (npm) so that tests/interop runs real publishing clients against a live store, and
# Debian's chromium and firefox-esr so that tests/browsers installs and updates add-ons in them,
# and playwright-core and axe-core (npm) so that tests/storefront drives that chromium as a visitor,
# and Debian's redis-server so that the shared rate limits are tested on a real Redis, and Debian's
# nginx so that tests/interop/test_deployment.py runs docs/deploy/'s deployment behind it.
# Then every test of the domain and its dialects again (catalogue, API, accounts, submissions, Edge,
# jobs, web pages, update services, activity, signing, packages), each on a database of a
# throwaway PostgreSQL 15 cluster (tests/postgres.py; Debian's postgresql-15 installed when
# missing), search included (search/postgres.py). What is SQLite's own (backups, the file's
# contents) and what starts its own PostgreSQL (the deployment, the secrets shared by hosts) is not.
# The suite runs in TEST_WORKERS processes (pytest-xdist; one per CPU, at most 4: each starts its
# own SeaweedFS, PostgreSQL and Redis, and makes its own session fixtures). Tests are handed out
# one by one: xdist's per-file modes drop the schemathesis tests, which share one node id.
# TEST_WORKERS=0 runs the suite in this process alone.
TEST_WORKERS ?= $(shell n=$$(nproc); [ $$n -gt 4 ] && n=4; echo $$n)
PYTEST := $(VENV)/bin/pytest -n $(TEST_WORKERS)
POSTGRESQL_TEST_PATHS := tests/catalog tests/api tests/accounts tests/submissions tests/edge tests/test_jobs.py \
  tests/web tests/distribution tests/activity tests/signing tests/packages tests/test_demo.py tests/test_rate_limits.py \
  tests/test_server.py tests/test_db_background_writes.py
test: $(STAMP) bench/validation/node_modules/.installed tests/interop/node_modules/.installed \
      tests/storefront/node_modules/.installed browsers postgresql redis-server nginx
	$(PYTEST); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests ran" >&2; exit 1; fi; \
	[ $$status -eq 0 ] || exit $$status; \
	ADDONHUB_TEST_DATABASE=postgresql $(PYTEST) -m "not interop and not cli and not corpus and not browser and not fuzz" \
	  $(POSTGRESQL_TEST_PATHS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests ran on PostgreSQL" >&2; exit 1; fi; exit $$status

# The suite without what needs npm, the corpus, the browsers or subprocesses, nor the minutes of
# fuzzing (the interop, corpus, browser, cli and fuzz markers in pyproject.toml): for the edit-test
# loop; make test still runs everything.
test-fast: $(STAMP)
	$(PYTEST) -m "not interop and not cli and not corpus and not fuzz and not browser"; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test-fast: no tests ran" >&2; exit 1; fi; exit $$status

# The publishing clients tests/interop runs, pinned in tests/interop/package-lock.json.
tests/interop/node_modules/.installed: tests/interop/package.json tests/interop/package-lock.json
	npm ci --prefix tests/interop --no-audit --no-fund
	touch $@

# Playwright and axe-core for tests/storefront, pinned in its package-lock.json. playwright-core
# has no browser of its own and fetches none (the tests drive Debian's chromium); the variable says so anyway.
tests/storefront/node_modules/.installed: tests/storefront/package.json tests/storefront/package-lock.json
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/storefront --no-audit --no-fund
	touch $@

# The browsers tests/browsers drives headless, from Debian, when they are missing (apt-get needs
# root, as the tests' policy files do): apt-get update only when the package lists lack them.
# Without recommends (chromium-sandbox, codecs): the tests run without them, and CI stays quick.
.PHONY: browsers
BROWSER_PACKAGES := chromium firefox-esr
browsers:
	@test -x /usr/lib/chromium/chromium && test -x /usr/bin/firefox-esr || { \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(BROWSER_PACKAGES) || \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(BROWSER_PACKAGES); }; }

# Debian's PostgreSQL 15 (pg_trgm, which the search index uses, is part of it), for tests/postgres.py's throwaway
# clusters, when it is missing; installed like the browsers. Debian's package creates and starts a
# cluster of its own: the tests never use it (they run /usr/lib/postgresql/15/bin directly).
.PHONY: postgresql
postgresql:
	@test -x /usr/lib/postgresql/15/bin/postgres || { \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 || \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15; }; }

# Debian's redis-server for the tests that share rate limits through Redis (tests/redis_server.py
# starts one on a free loopback port; the package's own service is not used), when it is missing.
.PHONY: redis-server
redis-server:
	@test -x /usr/bin/redis-server || { \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server || \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server; }; }

# Debian's nginx for tests/interop/test_deployment.py, which runs it in the foreground on a free
# loopback port with a configuration of its own (the package's own service is not used), when it is missing.
.PHONY: nginx
nginx:
	@test -x /usr/sbin/nginx || { \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx || \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx; }; }

# The catalogue scenarios, then the submission pipeline on local disk and on S3 and the job queue,
# in one run (issue 14 asks for them together; each also has a target of its own, below).
# Options: make bench BENCH_ARGS='--addons 5000 --duration 5' (see bench/README.md);
# BENCH_ARGS='--database both' adds PostgreSQL's figures beside SQLite's (a throwaway cluster of
# Debian's postgresql-15, installed here), '--blobs s3' keeps the stores' blobs in SeaweedFS;
# BENCH_UPLOADS_ARGS and BENCH_JOBS_ARGS go to the other two.
bench: $(STAMP) postgresql
	$(PYTHON) bench/run.py $(BENCH_ARGS)
	$(PYTHON) bench/uploads/run.py --blobs s3 $(BENCH_UPLOADS_ARGS)
	$(PYTHON) bench/jobs.py $(BENCH_JOBS_ARGS)

# The corpus of real extensions (Debian's webext-* packages) in tests/corpus/build/, for the
# package tests and bench-validation; needs apt (see tests/corpus/build.py). CORPUS_ARGS=--force rebuilds.
.PHONY: corpus bench-validation
corpus: $(STAMP)
	$(PYTHON) tests/corpus/build.py $(CORPUS_ARGS)

# The validator against addons-linter (pinned in bench/validation/package-lock.json) on the corpus.
# Options: make bench-validation BENCH_VALIDATION_ARGS='--repeat 5 --only ublock-origin-firefox'.
bench/validation/node_modules/.installed: bench/validation/package.json bench/validation/package-lock.json
	npm ci --prefix bench/validation --no-audit --no-fund
	touch $@

bench-validation: $(STAMP) corpus bench/validation/node_modules/.installed
	$(PYTHON) bench/validation/run.py $(BENCH_VALIDATION_ARGS)

# The submission pipeline: upload -> signed -> downloaded for 1, 50 and 200 MB packages, against
# cp + sha256sum of the same files, and the server's peak memory (see bench/README.md).
# Options: make bench-uploads BENCH_UPLOADS_ARGS='--sizes 1,50 --repeat 5'; '--blobs s3' submits
# the same packages again to a store whose blobs are in a throwaway SeaweedFS (tests/s3.py).
.PHONY: bench-uploads
bench-uploads: $(STAMP)
	$(PYTHON) bench/uploads/run.py $(BENCH_UPLOADS_ARGS)

# The job queue: a worker's wake-up after a commit (LISTEN/NOTIFY against polling) and jobs per
# second with one and two workers, on SQLite and PostgreSQL (see bench/README.md).
# Options: make bench-jobs BENCH_JOBS_ARGS='--database postgresql --jobs 5000'.
.PHONY: bench-jobs
bench-jobs: $(STAMP) postgresql
	$(PYTHON) bench/jobs.py $(BENCH_JOBS_ARGS)

# The storefront's interface strings: extract them and merge them into each language's .po (then
# translate the new entries). The app compiles the .po files when it starts; nothing to build.
.PHONY: translations
translations: $(STAMP)
	$(PYTHON) tools/update_translations.py

# Update checks (Chromium gupdate with 1 and 20 ids, Firefox VersionCheck) at 100,000 add-ons,
# against a bare async Starlette endpoint (see bench/README.md, "Update checks").
# Options: make bench-updates BENCH_UPDATES_ARGS='--addons 5000 --duration 5'.
.PHONY: bench-updates
bench-updates: $(STAMP)
	$(PYTHON) bench/updates/run.py $(BENCH_UPDATES_ARGS)
