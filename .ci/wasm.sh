#!/usr/bin/env bash
# Builds the npm package @etrid/lightning (wasm/) and runs its Node tests.
#
# On a fresh machine it first installs what is missing: the wasm32 Rust target, clang and an
# llvm-ar (secp256k1's C code must be compiled for wasm32), and wasm-bindgen-cli at exactly the
# version of the wasm-bindgen crate pinned in Cargo.lock. Then: cargo build (profile
# wasm-release), wasm-bindgen for Node (wasm/pkg/node) and for browsers (wasm/pkg/web),
# the .wasm sizes, npm ci of the test dependencies, the
# lsp-fixture binary, and `node --test` (the integration tests run against a real devnet and LSP).
# Idempotent; run from anywhere. Respects CARGO_TARGET_DIR. With --build-only it stops before
# the tests (scripts/web-checkout.sh uses that).
set -euo pipefail
cd "$(dirname "$0")/.."

build_only=0
[ "${1:-}" = "--build-only" ] && build_only=1

target=wasm32-unknown-unknown
profile=wasm-release
pkg=wasm/pkg

apt_updated=0
# Installs Debian packages, running `apt-get update` only if the install fails without it.
apt_install() {
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; then
    if [ "$apt_updated" = 0 ]; then
      apt-get update -qq
      apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

# Prints the first llvm-ar found: unversioned, versioned on PATH, or in /usr/lib/llvm-*/bin.
find_llvm_ar() {
  local candidate
  for candidate in llvm-ar $(compgen -c llvm-ar- | sort -rV) /usr/lib/llvm-*/bin/llvm-ar; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

echo "==> toolchain"
rustup target list --installed | grep -qx "$target" || rustup target add "$target"

command -v clang >/dev/null || { echo "installing clang"; apt_install clang; }
# The browser tests drive Debian's Chromium (playwright-core downloads no browser).
command -v chromium >/dev/null || { echo "installing chromium"; apt_install chromium; }
if ! llvm_ar="$(find_llvm_ar)"; then
  echo "installing llvm (for llvm-ar)"
  apt_install llvm
  llvm_ar="$(find_llvm_ar)"
fi
export CC_wasm32_unknown_unknown="${CC_wasm32_unknown_unknown:-clang}"
export AR_wasm32_unknown_unknown="${AR_wasm32_unknown_unknown:-$llvm_ar}"

# wasm-bindgen-cli must match the wasm-bindgen crate exactly, or its output will not load.
bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$bindgen_version" ]; then
  echo "wasm-bindgen is not in Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $bindgen_version" ]; then
  echo "installing wasm-bindgen-cli $bindgen_version (one-off, a few minutes)"
  install_started=$(date +%s)
  cargo install wasm-bindgen-cli --version "$bindgen_version"
  echo "wasm-bindgen-cli installed in $(( $(date +%s) - install_started ))s"
fi

echo "==> TypeScript declarations of the LSP models are up to date with lsp/openapi.json"
node wasm/scripts/lsp-types.mjs --check

echo "==> cargo build -p etrid-wasm --target $target --profile $profile"
cargo build -p etrid-wasm --target "$target" --profile "$profile"
wasm="${CARGO_TARGET_DIR:-target}/$target/$profile/etrid_wasm.wasm"

size() { printf '%9d bytes, %8d gzipped (-9)' "$(wc -c <"$1")" "$(gzip -9 -c "$1" | wc -c)"; }
echo "==> wasm sizes"
echo "cargo output:       $(size "$wasm")"

rm -rf "$pkg/node" "$pkg/web"
# Function names only serve stack traces of bugs; the panic hook reports file and line anyway.
bindgen_flags=(--remove-name-section --remove-producers-section)
wasm-bindgen --target nodejs "${bindgen_flags[@]}" --out-dir "$pkg/node" "$wasm"
wasm-bindgen --target web "${bindgen_flags[@]}" --out-dir "$pkg/web" "$wasm"
# The web build is ES modules inside a CommonJS package: say so to Node and bundlers.
printf '{ "type": "module" }\n' >"$pkg/web/package.json"
echo "after wasm-bindgen: $(size "$pkg/node/etrid_wasm_bg.wasm")"

# No wasm-opt pass: measured with binaryen 132 on this package, -Oz, -Os, -O2 and -O4 all make
# the module smaller but its gzipped size larger (419 KB -> 441-446 KB), and gzipped is what
# users download.

echo "==> npm dev dependencies (jsqr reads QR codes back, typescript checks the .d.ts, playwright-core drives Chromium)"
# `npm ci` only when node_modules is missing or older than the lock file: reruns stay offline.
if [ ! -f wasm/node_modules/.package-lock.json ] ||
  [ wasm/package-lock.json -nt wasm/node_modules/.package-lock.json ]; then
  npm ci --prefix wasm --no-audit --no-fund
fi

echo "==> lsp-fixture (the devnet and LSP the integration tests run against)"
# The same command and profile as the Rust test step, so nothing is rebuilt when it ran first.
cargo test --workspace --release --no-run --quiet
export ETRID_LSP_FIXTURE="${CARGO_TARGET_DIR:-target}/release/lsp-fixture"

[ "$build_only" = 1 ] && exit 0

echo "==> node --test (wasm/tests)"
# One test file at a time: the integration files each start a devnet and an LSP.
node --test --test-concurrency=1 wasm/tests/*.test.mjs
