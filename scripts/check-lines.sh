#!/usr/bin/env bash
# No source line over 120 characters (Prettier wraps code; this catches long strings and comments).
set -euo pipefail
cd "$(dirname "$0")/.."
long=$(git ls-files 'packages/*/src/*.ts' 'packages/*/src/**/*.ts' 'tools/*/src/*.ts' 'tools/*/src/**/*.ts' | xargs awk 'length($0) > 120 { printf "%s:%d: %d characters\n", FILENAME, FNR, length($0) }')
if [ -n "$long" ]; then
  echo "lines over 120 characters:"
  echo "$long"
  exit 1
fi
