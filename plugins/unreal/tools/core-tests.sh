#!/usr/bin/env bash
# The Unreal plugin's engine-independent layer (Source/EtridLightning/Public/EtridCore.h), built
# as the engine builds game code (C++17, no exceptions, no RTTI) plus AddressSanitizer and
# UndefinedBehaviorSanitizer, and run against a real LSP on the devnet (the lsp-fixture). It links
# the static library (libetrid_ffi.a) with exactly the Linux system libraries the plugin's
# ThirdParty module lists (EtridFfi.Build.cs), so that list is proven here.
# Usage: bash plugins/unreal/tools/core-tests.sh <dir with libetrid_ffi.so and lsp-fixture>
# (.ci/ffi.sh runs it after the C ABI's own tests, with the release build directory).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
LIB_DIR="${1:?usage: core-tests.sh <dir with libetrid_ffi.so and lsp-fixture>}"
BUILD_DIR="${BUILD_DIR:-$LIB_DIR/unreal-core-tests}"
mkdir -p "$BUILD_DIR"
# What can be checked of the UObject side without the engine: descriptor, modules, headers.
python3 "$ROOT/plugins/unreal/tools/check_plugin.py"
BUILD_CS="$ROOT/plugins/unreal/EtridLightning/Source/ThirdParty/EtridFfi/EtridFfi.Build.cs"
mapfile -t SYSTEM_LIBS < <(python3 - "$BUILD_CS" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
found = re.search(r"LinuxSystemLibraries = new string\[\] \{([^}]*)\}", text)
if not found:
    sys.exit("EtridFfi.Build.cs has no LinuxSystemLibraries list")
for name in found.group(1).split(","):
    print("-l" + name.strip().strip('"'))
PY
)
echo "linking libetrid_ffi.a with ${SYSTEM_LIBS[*]} (EtridFfi.Build.cs, Linux)"
g++ -std=c++17 -Wall -Wextra -Werror -g -fno-exceptions -fno-rtti \
  -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
  -I "$ROOT/ffi/include" -I "$ROOT/ffi/tests/cpp" \
  -I "$ROOT/plugins/unreal/EtridLightning/Source/EtridLightning/Public" \
  "$ROOT/plugins/unreal/tests/core_test.cpp" \
  -o "$BUILD_DIR/core_test" \
  "$LIB_DIR/libetrid_ffi.a" "${SYSTEM_LIBS[@]}" \
  -lgtest -pthread
ETRID_LSP_FIXTURE="$LIB_DIR/lsp-fixture" "$BUILD_DIR/core_test"
