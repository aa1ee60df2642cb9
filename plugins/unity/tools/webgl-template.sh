#!/usr/bin/env bash
# Installs the Etrid WebGL template into a Unity project: the template page
# (com.etrid.lightning/WebGLTemplates~/Etrid) plus the npm package @etrid/lightning it loads
# (js/ and pkg/web/, into etrid-lightning/ beside the page). Then pick *Etrid* under Player
# Settings > WebGL > Resolution and Presentation > WebGL Template.
#
# Usage: webgl-template.sh UNITY_PROJECT_DIR [NPM_PACKAGE_DIR]
#   NPM_PACKAGE_DIR: an installed @etrid/lightning (node_modules/@etrid/lightning) or this
#   repository's wasm/ after `.ci/wasm.sh --build-only`; default: the repository's wasm/.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PROJECT="${1:?usage: webgl-template.sh UNITY_PROJECT_DIR [NPM_PACKAGE_DIR]}"
NPM="${2:-$ROOT/wasm}"

for needed in js/browser.mjs pkg/web/etrid_wasm.js pkg/web/etrid_wasm_bg.wasm package.json; do
  if [ ! -f "$NPM/$needed" ]; then
    echo "error: $NPM/$needed is missing: give an installed @etrid/lightning, or build wasm/ (.ci/wasm.sh --build-only)" >&2
    exit 1
  fi
done

DEST="$PROJECT/Assets/WebGLTemplates/Etrid"
mkdir -p "$DEST/etrid-lightning/pkg"
cp "$ROOT/plugins/unity/com.etrid.lightning/WebGLTemplates~/Etrid/index.html" "$DEST/"
rm -rf "$DEST/etrid-lightning/js" "$DEST/etrid-lightning/pkg/web"
cp -R "$NPM/js" "$DEST/etrid-lightning/js"
cp -R "$NPM/pkg/web" "$DEST/etrid-lightning/pkg/web"
cp "$NPM/package.json" "$DEST/etrid-lightning/package.json"
echo "installed the Etrid WebGL template in $DEST (npm package $(node -p "require('$NPM/package.json').version" 2>/dev/null || echo '?'))"
