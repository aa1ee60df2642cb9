#!/usr/bin/env bash
# Compiles the Unity package's plain C# (Runtime/, without the UnityEngine files in Runtime/Unity/)
# and its NUnit tests (Tests/Runtime/) with Mono's mcs, as Unity would into the assemblies
# Etrid.Lightning and Etrid.Lightning.Tests, and runs the tests with Debian's NUnit console
# against the native library and a real LSP on the devnet (the lsp-fixture binary).
#
# Usage: plugins/unity/tools/mono-tests.sh LIB_DIR [nunit-console options...]
#   LIB_DIR holds libetrid_ffi.so and lsp-fixture (e.g. target/release).
# Fails when a test fails, errors, or is not run (an ignored test would hide a missing input).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PACKAGE="$ROOT/plugins/unity/com.etrid.lightning"
LIB_DIR="$(cd "${1:?usage: mono-tests.sh LIB_DIR}" && pwd)"
shift
BUILD="${ETRID_MONO_BUILD_DIR:-$ROOT/ffi/tests/build/unity}"
NUNIT="${NUNIT_FRAMEWORK:-/usr/lib/cli/nunit.framework-2.6.3/nunit.framework.dll}"
mkdir -p "$BUILD"

mapfile -t runtime < <(find "$PACKAGE/Runtime" -name '*.cs' -not -path '*/Runtime/Unity/*' | sort)
mapfile -t tests < <(find "$PACKAGE/Tests/Runtime" -name '*.cs' | sort)

mcs -unsafe -nologo -warnaserror+ -target:library -doc:"$BUILD/Etrid.Lightning.xml" \
  -out:"$BUILD/Etrid.Lightning.dll" "${runtime[@]}"
mcs -unsafe -nologo -warnaserror+ -target:library \
  -r:"$BUILD/Etrid.Lightning.dll" -r:"$NUNIT" -r:System.Net.Http.dll \
  -out:"$BUILD/Etrid.Lightning.Tests.dll" "${tests[@]}"

cd "$BUILD"
status=0
ETRID_SCENARIOS_DIR="$ROOT/tests/scenarios" \
ETRID_HEADER="$ROOT/ffi/include/etrid.h" \
ETRID_LSP_FIXTURE="$LIB_DIR/lsp-fixture" \
LD_LIBRARY_PATH="$LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  timeout --kill-after=30 "${ETRID_MONO_TIMEOUT_SECS:-900}" \
  nunit-console -nologo -labels -xml="$BUILD/TestResult.xml" "$@" "$BUILD/Etrid.Lightning.Tests.dll" \
  | tee "$BUILD/nunit.log" || status=$?
# NUnit runs the tests in their own AppDomain and unloads it at the end, as the Unity editor does
# on every script reload: a native thread left inside managed code would hang that unload, which
# the timeout turns into a failure (exit 124) instead of a stuck CI job.
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "error: nunit-console did not finish in time (a hung test, or the test domain could not unload)" >&2
fi
# "Tests run: N, Errors: 0, Failures: 0, ..." and "Not run: 0, Invalid: 0, Ignored: 0, ...".
grep -Eq '^Tests run: [1-9][0-9]*, Errors: 0, Failures: 0' "$BUILD/nunit.log" || status=1
grep -Eq 'Not run: 0, Invalid: 0, Ignored: 0' "$BUILD/nunit.log" \
  || { echo "error: some tests did not run (see Tests Not Run above)" >&2; status=1; }
exit "$status"
