#!/usr/bin/env bash
# `make demo`: the pipeline as far as it exists, on the embedded sample (7 days of a simulated
# Open5GS deployment; blocks written by promtool 2.42 and compacted by Prometheus 2.42):
#   process  — decode three days of blocks into Parquet with the TypeScript reader
#   generate — AMF CPU utilization (PromQL-equal rate) and memory on a 1-minute grid, with plots
# and a check that the reader prints exactly what promtool does. Training arrives with issue 6.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=./node_modules/.bin/amf-foresight
blocks=packages/cli/sample-data/blocks
out=demo-output
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s.%N)
echo "== blocks of the sample"
$cli tsdb ls "$blocks"
echo
echo "== process: 2023-06-08 00:00:00 to 2023-06-11 00:00:00"
$cli process --start "2023-06-08 00:00:00" --end "2023-06-11 00:00:00" --local-path "$blocks" \
  --out-dir "$out/samples" --logs-dir "$out/logs"
echo
echo "== generate: AMF CPU utilization and memory"
$cli generate --metric container_cpu_usage_seconds_total --type utilization --level amf \
  --data-dir "$out/samples" --out "$out/amf-cpu-utilization.parquet" --logs-dir "$out/logs"
$cli generate --metric container_memory_working_set_bytes --type memory --level amf \
  --data-dir "$out/samples" --out "$out/amf-memory.parquet" --logs-dir "$out/logs"
end=$(date +%s.%N)
echo
match='{namespace="openverso", pod=~"open5gs-amf-.*", container="open5gs-amf"}'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$tmp.ours" "$tmp.promtool"' EXIT
cp -r "$blocks"/. "$tmp"/ && mkdir -p "$tmp/wal"
$cli tsdb dump "$tmp" --match "$match" >"$tmp.ours"
promtool tsdb dump --match="$match" "$tmp" >"$tmp.promtool"
if cmp -s "$tmp.ours" "$tmp.promtool"; then
  echo "== reader check: $(wc -l <"$tmp.ours") AMF samples, byte-identical to promtool tsdb dump"
else
  echo "== reader check: output differs from promtool tsdb dump" >&2
  exit 1
fi
printf '== pipeline took %.1f s; plots: %s\n' "$(awk "BEGIN{print $end - $start}")" "$(ls "$out"/*.png "$out"/*.html | tr '\n' ' ')"
