#!/usr/bin/env bash
# The web checkout example: a game shop page selling an item through <etrid-checkout>, served
# next to a devnet and an Étrid LSP. Builds the npm package and the lsp-fixture if needed, then
# serves http://127.0.0.1:8080/ until Ctrl-C. Usage: bash scripts/web-checkout.sh [--port N]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/etrid-target}"
bash .ci/wasm.sh --build-only
export ETRID_LSP_FIXTURE="$CARGO_TARGET_DIR/release/lsp-fixture"
exec node examples/web-checkout/serve.mjs "$@"
