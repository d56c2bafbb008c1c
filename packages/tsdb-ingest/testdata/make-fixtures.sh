#!/usr/bin/env bash
# Makes the TSDB fixture blocks with real Prometheus 2.42 (Debian's `prometheus` package):
#   blocks/      promtool backfill of make-openmetrics.mjs: 4 blocks (resets, jitter, every
#                delta-of-delta width, NaN/±Inf/−0/denormals, constant runs, UTF-8 and escaped
#                label values, many short series)
#   overlap/     blocks/ plus a second backfill that overlaps it in time (make-overlap.mjs)
#   tombstones/  blocks/ after admin-API delete_series on a loopback server (tombstones files)
#   compacted/   blocks/ after a loopback server compacted them (levels 1 to 3)
#   stale/       an admin snapshot of a live scrape of exporter.mjs whose series vanish:
#                real staleness markers (0x7ff0000000000002)
#   histograms/  a block with native histogram chunks (encodings 2 and 3) and a series going
#                float → histogram → float, written by Prometheus's own tsdb package (Go
#                module v0.309.1, i.e. Prometheus 3.9) through tools/go-dump/cmd/histfixture:
#                2.42 can only make these through remote write with a feature flag
# Only loopback is used. Re-running rewrites everything (ULIDs and scrape times change).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
command -v promtool >/dev/null || { echo "promtool missing: apt-get install prometheus" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$1/-/ready" >/dev/null && return 0; sleep 0.2; done; echo "prometheus on :$1 not ready" >&2; return 1; }
# start_prom DATA_DIR CONFIG EXTRA_FLAGS... ; sets $port and appends the pid
start_prom() {
  local data=$1 cfg=$2; shift 2
  port=$(free_port)
  prometheus --config.file="$cfg" --storage.tsdb.path="$data" --web.listen-address="127.0.0.1:$port" \
    --storage.tsdb.retention.time=100y --web.enable-admin-api --log.level=warn "$@" >"$work/prom-$port.log" 2>&1 &
  prom_pid=$!
  pids+=("$prom_pid")
  wait_ready "$port"
}
stop_prom() { kill "$prom_pid"; wait "$prom_pid" 2>/dev/null || true; }
blocks_only() { # copy only block directories of $1 into $2
  mkdir -p "$2"
  for b in "$1"/*/; do if [ -f "$b/meta.json" ]; then cp -r "$b" "$2/"; fi; done
}
printf 'global:\n  scrape_interval: 1m\n' >"$work/empty.yml"

echo "== blocks/"
rm -rf blocks overlap tombstones compacted stale histograms
node make-openmetrics.mjs "$work/data.om"
promtool tsdb create-blocks-from openmetrics "$work/data.om" blocks >/dev/null

echo "== overlap/"
cp -r blocks overlap
node make-overlap.mjs "$work/overlap.om"
promtool tsdb create-blocks-from openmetrics "$work/overlap.om" overlap >/dev/null

echo "== tombstones/"
cp -r blocks "$work/tomb"
# min = max block duration: the server must not compact (that would apply the tombstones).
start_prom "$work/tomb" "$work/empty.yml" --storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=2h
api="http://127.0.0.1:$port/api/v1/admin/tsdb/delete_series"
curl -sf -X POST -g "$api?match[]=demo_requests_total&start=1700001000&end=1700002000"
curl -sf -X POST -g "$api?match[]=demo_temperature&start=1700003000.5&end=1700003100.25"
curl -sf -X POST -g "$api?match[]={__name__=\"demo_memory_bytes\",room=\"plain\"}"
curl -sf -X POST -g "$api?match[]={__name__=\"demo_short\",namespace=\"kube-system\"}&start=1700007000&end=1700016000"
stop_prom
blocks_only "$work/tomb" tombstones

echo "== compacted/"
cp -r blocks "$work/comp"
start_prom "$work/comp" "$work/empty.yml"
for _ in $(seq 1 180); do
  grep -qE '"level": [2-9]' "$work"/comp/*/meta.json 2>/dev/null && break
  sleep 1
done
sleep 5  # compactions of one cycle follow each other within milliseconds
stop_prom
grep -qE '"level": [2-9]' "$work"/comp/*/meta.json || { echo "server did not compact within 3 minutes" >&2; exit 1; }
blocks_only "$work/comp" compacted

echo "== stale/"
node exporter.mjs >"$work/exporter.port" &
exp_pid=$!
pids+=("$exp_pid")
for _ in $(seq 1 50); do [ -s "$work/exporter.port" ] && break; sleep 0.1; done
eport=$(cat "$work/exporter.port")
cat >"$work/scrape.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: exporter
    static_configs:
      - targets: ['127.0.0.1:$eport']
YML
start_prom "$work/stale" "$work/scrape.yml"
sleep 8
curl -sf "http://127.0.0.1:$eport/drop" >/dev/null   # one series vanishes: a stale marker
sleep 5
kill "$exp_pid"                                        # the target fails: markers for the rest
sleep 4
snap=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/admin/tsdb/snapshot" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["name"])')
stop_prom
blocks_only "$work/stale/snapshots/$snap" stale

echo "== histograms/"
mkdir histograms
(cd ../../../tools/go-dump && go run ./cmd/histfixture "$here/histograms" >/dev/null)

echo "== done"
for d in blocks overlap tombstones compacted stale histograms; do
  printf '%-11s %s blocks, %s\n' "$d" "$(ls "$d" | wc -l)" "$(du -sh "$d" | cut -f1)"
done
promtool --version | head -1
