#!/usr/bin/env bash
# `make demo`: what runs end to end today. The download → process → generate → train
# pipeline arrives with the next issues; until then the demo reads the committed blocks
# (made by promtool 2.42) with the TypeScript reader and checks it against promtool.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=./node_modules/.bin/amf-foresight
data=packages/tsdb-ingest/testdata/compacted
echo "== amf-foresight tsdb ls $data"
$cli tsdb ls "$data"
echo
echo "== amf-foresight tsdb dump $data --match 'demo_requests_total' (first 5 lines)"
$cli tsdb dump "$data" --match 'demo_requests_total' | head -5
echo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$data"/. "$tmp"/ && mkdir -p "$tmp/wal"
$cli tsdb dump "$tmp" >"$tmp.ours"
promtool tsdb dump "$tmp" >"$tmp.promtool"
if cmp -s "$tmp.ours" "$tmp.promtool"; then
  echo "== $(wc -l <"$tmp.ours") lines, byte-identical to promtool tsdb dump"
else
  echo "== output differs from promtool tsdb dump" >&2
  exit 1
fi
rm -f "$tmp.ours" "$tmp.promtool"
