#!/usr/bin/env bash
# Makes the embedded sample data of the CLI package (packages/cli/sample-data):
#   1. amf-synth simulates 7 days of an Open5GS deployment (seed 1) and writes each day as 2-hour
#      blocks with our block writer, staleness markers where pods end;
#   2. a real Prometheus server (Debian's 2.42, loopback, empty scrape config, long retention)
#      is started on those blocks until it has compacted them into longer, level > 1 blocks.
# Usage: tools/synth/scripts/make-sample.sh [OUT_DIR]   (after `make build`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:-$root/packages/cli/sample-data}
work=$(mktemp -d)
prom_pid=
cleanup() { [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

node "$root/tools/synth/dist/cli.js" --out "$work/sim" --days 7 --seed 1

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'global:\n  scrape_interval: 1m\n' >"$work/empty.yml"
prometheus --config.file="$work/empty.yml" --storage.tsdb.path="$work/sim/blocks" \
  --web.listen-address="127.0.0.1:$port" --storage.tsdb.retention.time=100y --log.level=warn >"$work/prom.log" 2>&1 &
prom_pid=$!
echo "prometheus 2.42 on 127.0.0.1:$port compacting…" >&2
# The server compacts a minute after start; one cycle runs every compaction it can plan.
for _ in $(seq 1 240); do
  grep -qE '"level": [2-9]' "$work"/sim/blocks/*/meta.json 2>/dev/null && break
  sleep 1
done
sleep 10
kill "$prom_pid"; wait "$prom_pid" 2>/dev/null || true; prom_pid=
grep -qE '"level": [2-9]' "$work"/sim/blocks/*/meta.json || { echo "prometheus did not compact within 4 minutes" >&2; cat "$work/prom.log" >&2; exit 1; }

rm -rf "$out/blocks"
mkdir -p "$out/blocks"
for b in "$work"/sim/blocks/*/; do if [ -f "$b/meta.json" ]; then cp -r "$b" "$out/blocks/"; fi; done
cp "$work/sim/ground-truth.csv.gz" "$work/sim/synth.json" "$out/"
promtool --version | head -1 >"$out/PROMETHEUS_VERSION"
echo "sample data in $out:" >&2
"$root/node_modules/.bin/amf-foresight" tsdb ls "$out/blocks" >&2
du -sh "$out" >&2
