#!/usr/bin/env bash
# CI check for the C ABI (ffi/): builds etrid-ffi, checks that the committed header and C#
# bindings match what the build generates, then runs the C++17 tests (GoogleTest, under valgrind
# when present, and under ASan/UBSan against the devnet LSP), the Unreal plugin's
# engine-independent C++ layer (plugins/unreal/tools/core-tests.sh: no exceptions, no RTTI, ASan
# and UBSan, against the devnet LSP) and the Unity package's C# tests (Mono + NUnit,
# plugins/unity/tools/mono-tests.sh) against the built library. They read the shared scenario
# files in tests/scenarios/. Last, the Unity WebGL bridge (a .jslib over the npm package,
# plugins/unity/tools/webgl-tests.sh), which needs the npm package built first.
#
# Run from anywhere: bash .ci/ffi.sh. Fresh-machine safe: installs g++, libgtest-dev, valgrind and
# mono-devel, nunit-console and emscripten with apt-get only when missing. Respects CARGO_TARGET_DIR (default: target).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
LIB_DIR="$TARGET_DIR/release"
BUILD_DIR="$ROOT/ffi/tests/build"
SCENARIOS_DIR="$ROOT/tests/scenarios"
GENERATED=(ffi/include/etrid.h plugins/unity/com.etrid.lightning/Runtime/Native/NativeMethods.g.cs)

step() { printf '\n==> %s\n' "$*"; }

# ---- tools -------------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $* missing and apt-get unavailable; install it by hand" >&2
    return 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    $sudo apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}

command -v g++ >/dev/null 2>&1 || apt_install g++
if [ ! -f /usr/include/gtest/gtest.h ] \
  || ! ls /usr/lib/*/libgtest.* /usr/lib/libgtest.* >/dev/null 2>&1; then
  apt_install libgtest-dev
fi
command -v valgrind >/dev/null 2>&1 || apt_install valgrind || true
command -v mcs >/dev/null 2>&1 || apt_install mono-devel
command -v nunit-console >/dev/null 2>&1 || apt_install nunit-console
command -v emcc >/dev/null 2>&1 || apt_install emscripten

# ---- build -------------------------------------------------------------------------------
step "cargo build -p etrid-ffi --release"
SNAPSHOT="$(mktemp -d)"
trap 'rm -rf "$SNAPSHOT"' EXIT
for file in "${GENERATED[@]}"; do
  if [ -f "$file" ]; then cp "$file" "$SNAPSHOT/$(basename "$file")"; fi
done
cargo build -p etrid-ffi --release
test -f "$LIB_DIR/libetrid_ffi.so" || { echo "error: $LIB_DIR/libetrid_ffi.so not built" >&2; exit 1; }

# ---- generated bindings must be committed as generated ----------------------------------
step "drift check: ${GENERATED[*]}"
if git rev-parse --verify -q HEAD >/dev/null 2>&1; then
  for file in "${GENERATED[@]}"; do
    git ls-files --error-unmatch "$file" >/dev/null 2>&1 \
      || { echo "error: $file is not committed (git add it)" >&2; exit 1; }
  done
  if ! git diff --exit-code -- "${GENERATED[@]}"; then
    echo "error: the build changed the generated bindings above; commit the regenerated files" >&2
    exit 1
  fi
  echo "generated bindings match the committed ones"
else
  # No commits to compare with: report whether this build had to regenerate them.
  for file in "${GENERATED[@]}"; do
    if ! cmp -s "$file" "$SNAPSHOT/$(basename "$file")"; then
      echo "warning: the build regenerated $file (no git history to check it against)"
    fi
  done
  echo "no git commits: skipped the check against committed bindings"
fi

# ---- C++ ---------------------------------------------------------------------------------
step "C++17 tests (GoogleTest)"
mkdir -p "$BUILD_DIR"
g++ -std=c++17 -Wall -Wextra -Werror -g \
  -I "$ROOT/ffi/include" \
  -DETRID_SCENARIOS_DIR="\"$SCENARIOS_DIR\"" \
  "$ROOT/ffi/tests/cpp/ffi_test.cpp" \
  -o "$BUILD_DIR/ffi_test" \
  -L "$LIB_DIR" -Wl,-rpath,"$LIB_DIR" -letrid_ffi \
  -lgtest_main -lgtest -pthread
if command -v valgrind >/dev/null 2>&1; then
  valgrind --quiet --error-exitcode=1 --leak-check=full \
    "$BUILD_DIR/ffi_test"
else
  echo "valgrind not available: running without leak checks"
  "$BUILD_DIR/ffi_test"
fi

step "C++17 tests of the LSP client (GoogleTest, AddressSanitizer + UndefinedBehaviorSanitizer) against a real LSP on the devnet"
# The lsp-fixture binary: the same command and profile as the Rust test step (nothing is
# rebuilt when that ran first).
cargo test --workspace --release --no-run --quiet
SANITIZE=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
for test in ffi_test client_test; do
  main=(-lgtest_main)
  [ "$test" = client_test ] && main=()
  g++ -std=c++17 -Wall -Wextra -Werror -g "${SANITIZE[@]}" \
    -I "$ROOT/ffi/include" -I "$ROOT/ffi/tests/cpp" \
    -DETRID_SCENARIOS_DIR="\"$SCENARIOS_DIR\"" \
    "$ROOT/ffi/tests/cpp/$test.cpp" \
    -o "$BUILD_DIR/${test}_sanitized" \
    -L "$LIB_DIR" -Wl,-rpath,"$LIB_DIR" -letrid_ffi \
    "${main[@]}" -lgtest -pthread
done
"$BUILD_DIR/ffi_test_sanitized"
ETRID_LSP_FIXTURE="$LIB_DIR/lsp-fixture" "$BUILD_DIR/client_test_sanitized"

# ---- Unreal (the plugin's engine-independent C++ layer) ----------------------------------
step "Unreal plugin's engine-independent layer (C++17, -fno-exceptions -fno-rtti, ASan + UBSan) against a real LSP on the devnet"
BUILD_DIR="$BUILD_DIR/unreal" bash "$ROOT/plugins/unreal/tools/core-tests.sh" "$LIB_DIR"

# ---- C# (the Unity package's plain C#) -----------------------------------------------------
step "Unity package: .meta files (every asset has one GUID, no orphans)"
python3 "$ROOT/plugins/unity/tools/unity_meta.py" --check

step "C# tests of the Unity package (Mono + NUnit): S01-S03 and S10-S29 against a real LSP on the devnet"
bash "$ROOT/plugins/unity/tools/mono-tests.sh" "$LIB_DIR"

step "The same C# tests under valgrind (memcheck; suppressions explained in plugins/unity/tools/mono.supp)"
if command -v valgrind >/dev/null 2>&1; then
  bash "$ROOT/plugins/unity/tools/mono-tests.sh" --valgrind "$LIB_DIR"
else
  echo "valgrind not available: skipped"
fi

step "Unity WebGL bridge (EtridLightning.jslib linked by Emscripten, over the npm package): S01-S03, S10-S29, the WebGL template in Chromium"
# Needs the npm package built (.ci/wasm.sh, which .ci/run runs before this script).
bash "$ROOT/plugins/unity/tools/webgl-tests.sh"

# ---- Godot (the GDExtension) ---------------------------------------------------------------
step "Godot addon: the GDExtension library, its entry symbol, the .gdextension and the GDScript samples (its Session's S10-S20 run in the Rust test step)"
# The same dependency features as etrid-ffi above (the core's native transport, tokio), so only
# the extension itself is built here.
cargo build -p etrid-godot --release --lib
python3 "$ROOT/plugins/godot/tools/check_addon.py" --library "$LIB_DIR/libetrid_godot.so"

step "ffi: all checks passed"
