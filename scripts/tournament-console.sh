#!/usr/bin/env bash
# The tournament console on a devnet: builds the npm package and the lsp-fixture if needed, then
# starts the devnet and an Étrid LSP serving the console at http://127.0.0.1:<port>/console/
# (the URL and an admin key are printed) until Ctrl-C.
# Usage: bash scripts/tournament-console.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/etrid-target}"
bash .ci/wasm.sh --build-only
export ETRID_LSP_FIXTURE="$CARGO_TARGET_DIR/release/lsp-fixture"
exec node examples/tournament-console/run.mjs "$@"
