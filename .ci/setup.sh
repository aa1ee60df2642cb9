#!/usr/bin/env bash
# Installs what the tests need on a fresh machine; does nothing for what is already there.
set -euo pipefail

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target list --installed | grep -qx wasm32-unknown-unknown ||
  rustup target add wasm32-unknown-unknown

# clang compiles secp256k1's C code for wasm32; mcs, mono and nunit-console run the C# tests; gtest and valgrind
# the C++ tests; chromium runs the npm package's browser tests (driven by playwright-core).
missing=()
command -v clang >/dev/null || missing+=(clang)
# An llvm-ar archives secp256k1's wasm32 objects (.ci/lint.sh and .ci/wasm.sh look for one).
{ compgen -c llvm-ar | grep -q . || compgen -G "/usr/lib/llvm-*/bin/llvm-ar" >/dev/null; } ||
  missing+=(llvm)
command -v mcs >/dev/null || missing+=(mono-devel)
command -v nunit-console >/dev/null || missing+=(nunit-console)
command -v g++ >/dev/null || missing+=(g++)
[ -f /usr/include/gtest/gtest.h ] || missing+=(libgtest-dev)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v chromium >/dev/null || missing+=(chromium)
# Emscripten links the Unity WebGL bridge (EtridLightning.jslib) into its test host, as Unity does.
command -v emcc >/dev/null || missing+=(emscripten)
# PostgreSQL: the LSP's storage is also tested on it (.ci/postgres.sh starts a throwaway server).
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt_install "${missing[@]}"
fi
