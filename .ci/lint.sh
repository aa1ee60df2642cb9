#!/usr/bin/env bash
# Lints what CI builds, for every target it builds: clippy (warnings denied) for the workspace
# natively and for wasm32 (the wasm crate is empty natively, so only this lints its code), and
# `cargo doc` with warnings denied for both (broken intra-doc links, missing docs).
# Run from anywhere; respects CARGO_TARGET_DIR. Needs the wasm32 target and clang (setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

export CC_wasm32_unknown_unknown="${CC_wasm32_unknown_unknown:-clang}"
# secp256k1-sys archives its wasm32 objects with an llvm-ar; find one where Debian puts it.
if [ -z "${AR_wasm32_unknown_unknown:-}" ]; then
  for candidate in llvm-ar $(compgen -c llvm-ar- | sort -rV) /usr/lib/llvm-*/bin/llvm-ar; do
    if command -v "$candidate" >/dev/null 2>&1; then
      export AR_wasm32_unknown_unknown="$(command -v "$candidate")"
      break
    fi
  done
fi

echo "clippy, native"
cargo clippy --workspace --all-targets --release -- -D warnings
echo "clippy, wasm32 (etrid-core and the npm binding)"
cargo clippy -p etrid-core -p etrid-wasm --target wasm32-unknown-unknown --release -- -D warnings
echo "cargo doc, native (the wasm crate is empty natively: it is documented for wasm32 below)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --exclude etrid-wasm --no-deps --release
echo "cargo doc, wasm32"
RUSTDOCFLAGS="-D warnings" cargo doc -p etrid-core -p etrid-wasm --no-deps --release \
  --target wasm32-unknown-unknown
