#!/usr/bin/env bash
# Compiles the Unity package's plain C# (Runtime/, without the UnityEngine files in Runtime/Unity/)
# and its NUnit tests (Tests/Runtime/) with Mono's mcs, as Unity would into the assemblies
# Etrid.Lightning and Etrid.Lightning.Tests, and runs the tests with Debian's NUnit console
# against the native library and a real LSP on the devnet (the lsp-fixture binary).
#
# Usage: plugins/unity/tools/mono-tests.sh [--valgrind] LIB_DIR [nunit-console options...]
#   LIB_DIR holds libetrid_ffi.so and lsp-fixture (e.g. target/release).
#   --valgrind runs Mono under valgrind's memcheck (memory errors, not leaks: Mono frees little
#   at exit), failing on any error outside the suppressions in mono.supp next to this script.
# Fails when a test fails, errors, or is not run (an ignored test would hide a missing input).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PACKAGE="$ROOT/plugins/unity/com.etrid.lightning"
RUNNER=()
if [ "${1:-}" = "--valgrind" ]; then
  shift
  # Mono generates code at run time (--smc-check); its own binary's reads of uninitialised words
  # and one http-crate pattern are suppressed, explained in mono.supp.
  RUNNER=(valgrind --quiet --smc-check=all-non-file --error-exitcode=9 --leak-check=no
    --num-callers=30 --suppressions="$HERE/mono.supp" mono)
fi
LIB_DIR="$(cd "${1:?usage: mono-tests.sh [--valgrind] LIB_DIR}" && pwd)"
shift
BUILD="${ETRID_MONO_BUILD_DIR:-$ROOT/ffi/tests/build/unity}"
NUNIT="${NUNIT_FRAMEWORK:-/usr/lib/cli/nunit.framework-2.6.3/nunit.framework.dll}"
# The console itself: its wrapper script when run plainly, its assembly under valgrind (which
# must run mono directly, not a shell script).
if [ "${#RUNNER[@]}" -gt 0 ]; then
  NUNIT_CONSOLE="${NUNIT_CONSOLE_EXE:-/usr/lib/nunit/nunit-console.exe}"
else
  NUNIT_CONSOLE=nunit-console
fi
mkdir -p "$BUILD"

mapfile -t runtime < <(find "$PACKAGE/Runtime" -name '*.cs' -not -path '*/Runtime/Unity/*' | sort)
mapfile -t tests < <(find "$PACKAGE/Tests/Runtime" -name '*.cs' | sort)

mcs -unsafe -nologo -warnaserror+ -target:library -doc:"$BUILD/Etrid.Lightning.xml" \
  -out:"$BUILD/Etrid.Lightning.dll" "${runtime[@]}"
# The same files as a WebGL player compiles them (UNITY_WEBGL: the jslib backend instead of the
# native one). Only compiled here: the jslib itself is tested by webgl-tests.sh.
mcs -unsafe -nologo -warnaserror+ -target:library -define:UNITY_WEBGL \
  -out:"$BUILD/Etrid.Lightning.WebGL.dll" "${runtime[@]}"
mcs -unsafe -nologo -warnaserror+ -target:library \
  -r:"$BUILD/Etrid.Lightning.dll" -r:"$NUNIT" -r:System.Net.Http.dll \
  -out:"$BUILD/Etrid.Lightning.Tests.dll" "${tests[@]}"

cd "$BUILD"
run_tests() {
  ETRID_SCENARIOS_DIR="$ROOT/tests/scenarios" \
  ETRID_HEADER="$ROOT/ffi/include/etrid.h" \
  ETRID_LSP_FIXTURE="$LIB_DIR/lsp-fixture" \
  LD_LIBRARY_PATH="$LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    timeout --kill-after=30 "${ETRID_MONO_TIMEOUT_SECS:-900}" \
    "${RUNNER[@]}" "$NUNIT_CONSOLE" -nologo -labels -xml="$BUILD/TestResult.xml" "$@" "$BUILD/Etrid.Lightning.Tests.dll" \
    2>"$BUILD/stderr.log" | tee "$BUILD/nunit.log"
  local result=$?
  cat "$BUILD/stderr.log" >&2
  return "$result"
}
# Valgrind itself has aborted under Mono on CI (once, 2026-12: an internal panic, "the 'impossible'
# happened", with a dump of every thread), which is a defect of the tool, not a memory error
# found in the program: those exit 9 and are never retried. Print the reason valgrind gave,
# which its thread dump pushes out of a CI log's tail, and run the tests once more.
valgrind_aborted() {
  [ "${#RUNNER[@]}" -gt 0 ] && [ "$status" -ne 9 ] && grep -q "please report this bug" "$BUILD/stderr.log"
}
print_valgrind_abort() {
  echo "warning: valgrind aborted (a defect of valgrind, not a memory error); its reason:" >&2
  grep -m1 -B2 -A12 -E "impossible|Assertion|FATAL|INTERNAL ERROR|Valgrind cannot continue" \
    "$BUILD/stderr.log" >&2 || head -40 "$BUILD/stderr.log" >&2
}
status=0
run_tests "$@" || status=$?
if valgrind_aborted; then
  print_valgrind_abort
  echo "warning: running the tests under valgrind once more" >&2
  status=0
  run_tests "$@" || status=$?
  if valgrind_aborted; then print_valgrind_abort; fi
fi
# NUnit runs the tests in their own AppDomain and unloads it at the end, as the Unity editor does
# on every script reload: a native thread left inside managed code would hang that unload, which
# the timeout turns into a failure (exit 124) instead of a stuck CI job.
if [ "$status" -eq 9 ] && [ "${#RUNNER[@]}" -gt 0 ]; then
  echo "error: valgrind reported memory errors (above)" >&2
fi
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "error: nunit-console did not finish in time (a hung test, or the test domain could not unload)" >&2
fi
# "Tests run: N, Errors: 0, Failures: 0, ..." and "Not run: 0, Invalid: 0, Ignored: 0, ...".
grep -Eq '^Tests run: [1-9][0-9]*, Errors: 0, Failures: 0' "$BUILD/nunit.log" || status=1
grep -Eq 'Not run: 0, Invalid: 0, Ignored: 0' "$BUILD/nunit.log" \
  || { echo "error: some tests did not run (see Tests Not Run above)" >&2; status=1; }
exit "$status"
