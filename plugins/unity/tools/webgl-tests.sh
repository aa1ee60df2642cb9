#!/usr/bin/env bash
# Tests the Unity WebGL bridge (com.etrid.lightning/Runtime/Plugins/WebGL/EtridLightning.jslib):
# links it with Emscripten (Debian's emcc 3.1.6; Unity 2022.3 ships 3.1.8) into a C host that
# calls it as IL2CPP's code does, then runs webgl/bridge.test.mjs in Node over the npm package
# (wasm/pkg/node, built by .ci/wasm.sh) against a real LSP on the devnet (lsp-fixture).
#
# Usage: webgl-tests.sh [OUT_DIR]   (default $CARGO_TARGET_DIR/webgl-bridge)
# Needs: emcc (apt-get install emscripten), node, the built npm package and lsp-fixture.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
OUT="${1:-${CARGO_TARGET_DIR:-$HOME/.cache/etrid-target}/webgl-bridge}"
JSLIB="$ROOT/plugins/unity/com.etrid.lightning/Runtime/Plugins/WebGL/EtridLightning.jslib"
mkdir -p "$OUT"

# -O2 with --closure 1 is what a Unity release build does to a .jslib (property renaming by
# Closure Compiler) when Closure is available; Debian's emscripten has no Closure Compiler, so
# the bridge quotes every external property name instead, and this build is -O2 only.
# Debian's emcc runs its JavaScript optimizer (-O2) with Debian's acorn, which Node finds only
# through NODE_PATH.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
emcc "$HERE/webgl/bridge_host.c" \
  --js-library "$JSLIB" \
  -O2 \
  -sMODULARIZE=1 -sEXPORT_NAME=createBridgeHost -sENVIRONMENT=node \
  -sALLOW_MEMORY_GROWTH=1 \
  -sEXPORTED_FUNCTIONS=_free,_malloc \
  -sEXPORTED_RUNTIME_METHODS=ccall,UTF8ToString,HEAPU8 \
  -o "$OUT/bridge_host.js"

# The same host for browsers, for the WebGL template's test in Chromium.
emcc "$HERE/webgl/bridge_host.c" \
  --js-library "$JSLIB" \
  -O2 \
  -sMODULARIZE=1 -sEXPORT_NAME=createBridgeHost -sENVIRONMENT=web \
  -sALLOW_MEMORY_GROWTH=1 \
  -sEXPORTED_FUNCTIONS=_free,_malloc \
  -sEXPORTED_RUNTIME_METHODS=ccall,UTF8ToString,HEAPU8 \
  -o "$OUT/bridge_host_web.js"

export ETRID_WEBGL_HOST="$OUT/bridge_host.js"
export ETRID_WEBGL_HOST_WEB="$OUT/bridge_host_web.js"
export ETRID_LSP_FIXTURE="${ETRID_LSP_FIXTURE:-${CARGO_TARGET_DIR:-$HOME/.cache/etrid-target}/release/lsp-fixture}"
node --test --test-concurrency=1 "$HERE"/webgl/*.test.mjs
