#!/usr/bin/env bash
# `make demo`: what runs end to end today, on the embedded sample (7 days of a simulated Open5GS
# deployment, blocks written by promtool 2.42 and compacted by Prometheus 2.42). The download →
# process → generate → train pipeline arrives with the next issues; until then the demo lists the
# sample's blocks, reads the AMF's series with the TypeScript reader and checks it against promtool.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=./node_modules/.bin/amf-foresight
data=packages/cli/sample-data/blocks
match='{namespace="openverso", pod=~"open5gs-amf-.*", container="open5gs-amf"}'
echo "== amf-foresight tsdb ls $data"
$cli tsdb ls "$data"
echo
echo "== amf-foresight tsdb dump $data --match '$match' (first 3 lines)"
$cli tsdb dump "$data" --match "$match" | head -3
echo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$tmp.ours" "$tmp.promtool"' EXIT
cp -r "$data"/. "$tmp"/ && mkdir -p "$tmp/wal"
start=$(date +%s.%N)
$cli tsdb dump "$tmp" --match "$match" >"$tmp.ours"
mid=$(date +%s.%N)
promtool tsdb dump --match="$match" "$tmp" >"$tmp.promtool"
end=$(date +%s.%N)
if cmp -s "$tmp.ours" "$tmp.promtool"; then
  printf '== %s AMF samples, byte-identical to promtool tsdb dump (amf-foresight %.1f s, promtool %.1f s)\n' \
    "$(wc -l <"$tmp.ours")" "$(awk "BEGIN{print $mid - $start}")" "$(awk "BEGIN{print $end - $mid}")"
else
  echo "== output differs from promtool tsdb dump" >&2
  exit 1
fi
