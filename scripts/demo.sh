#!/usr/bin/env bash
# `make demo`: the whole pipeline on the embedded sample (7 days of a simulated Open5GS deployment;
# blocks written by promtool 2.42 and compacted by Prometheus 2.42):
#   process  — decode two days of blocks into Parquet with the TypeScript reader
#   generate — AMF CPU utilization (PromQL-equal rate) on a 1-minute grid, with plots
#   train    — ARIMA (order search by AICc), rolling-origin backtest, a 60-minute forecast with intervals
#   fleet    — every network function × level × metric of the week: requests and limits for the next 7 days
#              (ours from the forecasts, beside KRR-simple's and VPA-style's), Kubernetes patches, a report
# then, where promtool is installed (make test installs it), a check that the reader prints exactly what it does.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=./node_modules/.bin/amf-foresight
blocks=packages/cli/sample-data/blocks
out=demo-output
rm -rf "$out"
mkdir -p "$out"
echo "== blocks of the sample"
$cli tsdb ls "$blocks"
echo
start=$(date +%s.%N)
$cli demo --model "${MODEL:-ARIMA}" --runs-dir "$out/runs" --logs-dir "$out/logs"
end=$(date +%s.%N)
echo
if command -v promtool >/dev/null; then
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
else
  echo "== reader check skipped: promtool is not installed (make test installs Debian's prometheus)"
fi
printf '== pipeline took %.1f s; the forecast plot: %s (report: %s)\n' "$(awk "BEGIN{print $end - $start}")" "$out/runs/latest/forecast.png" "$out/runs/latest/forecast.html"
echo
echo "== fleet: requests and limits of every network function for the week after the sample"
$cli fleet --local-path "$blocks" --start "2023-06-05 00:00:00" --end "2023-06-11 23:59:00" \
  --runs-dir "$out/fleet" --logs-dir "$out/logs"
echo "== fleet report: $out/fleet/latest/fleet.html; patches: $out/fleet/latest/patches/"
