#!/usr/bin/env bash
# The main job: a Lightning payment end to end on this machine. Brings up the devnet (regtest
# chain + LDK nodes) and the Étrid LSP, creates an invoice through the SDK with an
# invoice-scoped key, draws its QR code, pays it from the devnet wallet alice, and prints the
# invoice.paid event the client received. Usage: bash scripts/demo.sh [amount_sats]
# (Decode any invoice instead: cargo run -p etrid-examples --release --bin decode-invoice -- <bolt11>)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/etrid-target}"
if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install Rust with rustup first" >&2
  exit 1
fi
exec cargo run --quiet -p etrid-examples --release --bin devnet-demo -- "$@"
