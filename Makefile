# AMF Foresight — one entry point for people and CI. Every target installs what it needs.
#   make test    install, build, lint, run every test (what CI runs)
#   make demo    install the npm packages, build, run the pipeline on the embedded sample data (needs only Node)
#   make lint    typescript-eslint (strict, type-checked), Prettier, no line over 120 characters
#   make bench   benchmarks (figures as ratios against references measured in the same run)
#   make golden  re-make the goldens from statsmodels, Python Prophet and the VPA recommender's Go code
#   make check-packages  publint + attw on every package, nx release --dry-run
#   make fuzz    10 000 damaged blocks through the TSDB reader
#   make fuzz-cli  2 000 generated command lines, datasets and damaged model directories through the CLI
#   make sample  re-make the embedded sample blocks (simulator → promtool → prometheus compaction)
#   make dashboard-picture  docs/grafana-forecast-panel.png from the Grafana dashboard's queries on a Prometheus 2.42
SHELL := /bin/bash
.DEFAULT_GOAL := help
GO_TOOLS := tools/go-dump/go-dump tools/go-dump/benchblocks tools/go-dump/clusterblocks tools/go-dump/s3server
GO_SRC := $(shell find tools/go-dump -name '*.go') tools/go-dump/go.mod tools/go-dump/go.sum



.PHONY: dashboard-picture
dashboard-picture: install build
	AMF_DASHBOARD_PICTURE=$(CURDIR)/docs/grafana-forecast-panel.png npx vitest run packages/cli/src/dashboard.integ.test.ts

.PHONY: help install node-deps system-deps go-tools test-servers tfjs-node build test demo bench golden check-packages fuzz fuzz-cli fixtures sample typecheck lint clean

help:
	@sed -n 's/^#   //p' Makefile

install: node-deps system-deps go-tools test-servers

# PyPI servers the integration tests start on loopback: moto (S3 API).
.venv-test/bin/moto_server:
	python3 -m venv .venv-test
	.venv-test/bin/pip install -q 'moto[server]==5.2.5'

test-servers: .venv-test/bin/moto_server

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

node-deps: node_modules/.package-lock.json

# Debian's prometheus package: promtool (fixtures, dump parity) and the server; Debian's chromium:
# the HTML reports are loaded in it headless (packages/cli/src/reports.integ.test.ts); Debian's
# redis-server: the fleet queue's tests (packages/cli/src/queue.integ.test.ts).
system-deps:
	@if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null || ! test -x /usr/bin/chromium \
	    || ! command -v redis-server >/dev/null; then \
	  echo "installing Debian's prometheus (promtool and server), chromium and redis-server…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus chromium redis-server >/dev/null; \
	fi
	@command -v go >/dev/null || { echo "Go is required to build tools/go-dump" >&2; exit 1; }

tools/go-dump/go-dump: $(GO_SRC)
	cd tools/go-dump && go build -o go-dump .

tools/go-dump/benchblocks: $(GO_SRC)
	cd tools/go-dump && go build -o benchblocks ./cmd/benchblocks

tools/go-dump/clusterblocks: $(GO_SRC)
	cd tools/go-dump && go build -o clusterblocks ./cmd/clusterblocks

tools/go-dump/s3server: $(GO_SRC)
	cd tools/go-dump && go build -o s3server ./cmd/s3server

go-tools: $(GO_TOOLS)

build: node-deps
	npx nx run-many -t build --output-style=static
	@# npm ci cannot link the CLI's bin before dist/bin.js exists: link it now.
	@test -e node_modules/.bin/amf-foresight || npm rebuild @amf-foresight/cli --ignore-scripts >/dev/null

typecheck: node-deps
	npx tsc -p tsconfig.json

lint: node-deps
	npx eslint . --max-warnings 0
	npx prettier --check "packages/*/src/**/*.ts" "tools/*/src/**/*.ts" "bench/**/*.mjs" "*.ts"
	scripts/check-lines.sh

# @tensorflow/tfjs-node offline (libtensorflow from PyPI's tensorflow-cpu wheel, see the script); a machine
# where that fails says so in one line and tests the LSTM on the wasm and cpu backends (CI must not fail).
tfjs-node: node-deps
	@tools/tfjs-node/install.sh || true

test: install tfjs-node build typecheck lint
	npx vitest run

# Node alone: Go, moto and Debian's prometheus are for the tests.
demo: node-deps build
	@bash scripts/demo.sh

# statsmodels (the prototype's ARIMA method, bench/models.mjs) and Python Prophet (bench/prophet.mjs);
# Prophet also makes the goldens (packages/models-prophet/golden/make_golden.py).
.venv-test/.bench-python: .venv-test/bin/moto_server
	.venv-test/bin/pip install -q 'statsmodels==0.15.0' 'prophet==1.3.0'
	@touch $@

bench: install build .venv-test/.bench-python
	node bench/tsdb-read.mjs
	node bench/tsdb-write.mjs
	node bench/models.mjs
	node bench/lstm.mjs
	node bench/prophet.mjs
	node bench/recommend.mjs
	node bench/fleet-scale.mjs
	node bench/s3-inplace.mjs

golden: .venv-test/.bench-python
	.venv-test/bin/python packages/models-arima/golden/make_golden.py > packages/models-arima/golden/statsmodels-nab.json
	.venv-test/bin/python packages/models-prophet/golden/make_golden.py
	node packages/recommend/golden/make_golden.mjs >/dev/null

# publint --strict and attw --pack on every package, and nx release --dry-run (also run by make test).
check-packages: build
	npx vitest run packages/cli/src/release.integ.test.ts

fuzz: node-deps build
	node packages/tsdb-ingest/scripts/fuzz.mjs --iterations 10000

# Each case a child process capped at 1 GiB of heap and 60 s; exit 0/2/3, one line, no leftovers (issue 13).
fuzz-cli: node-deps build
	node packages/cli/scripts/fuzz-cli.mjs --cases 2000 --seed 13

# Re-make the committed fixture blocks with promtool/prometheus (needs loopback only).
fixtures: system-deps
	packages/tsdb-ingest/testdata/make-fixtures.sh

sample: install build
	tools/synth/scripts/make-sample.sh
	node tools/synth/dist/plot-sample.js packages/cli/sample-data/ground-truth.csv.gz tools/synth/docs/amf-week.png

clean:
	rm -rf packages/*/dist $(GO_TOOLS) .nx/cache
