#!/usr/bin/env bash
# Prints the C ABI and C# figures of the Unity package (benchmarks, not tests): the cost of one
# synchronous C ABI call from C++ (-O2) and from C# through P/Invoke (Mono), the latency from a
# completion queued natively to its handler on the main thread, and memory and threads per
# client. No LSP needed.
#
# Usage: plugins/unity/tools/figures.sh LIB_DIR   (LIB_DIR holds libetrid_ffi.so, e.g. target/release)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PACKAGE="$ROOT/plugins/unity/com.etrid.lightning"
LIB_DIR="$(cd "${1:?usage: figures.sh LIB_DIR}" && pwd)"
BUILD="$ROOT/ffi/tests/build/figures"
mkdir -p "$BUILD"

g++ -std=c++17 -O2 -Wall -Wextra -Werror -I "$ROOT/ffi/include" "$ROOT/ffi/benches/abi_call.cpp" \
  -o "$BUILD/abi_call" -L "$LIB_DIR" -Wl,-rpath,"$LIB_DIR" -letrid_ffi -pthread
"$BUILD/abi_call"

# Figures.cs reuses the tests' message-loop thread (MainThread.cs) as the main thread.
mapfile -t runtime < <(find "$PACKAGE/Runtime" -name '*.cs' -not -path '*/Runtime/Unity/*' | sort)
mcs -unsafe -nologo -warnaserror+ -optimize+ -out:"$BUILD/Figures.exe" \
  "$HERE/Figures.cs" "$PACKAGE/Tests/Runtime/Support/MainThread.cs" "${runtime[@]}"
LD_LIBRARY_PATH="$LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" mono --optimize=all "$BUILD/Figures.exe"
