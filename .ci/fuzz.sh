#!/usr/bin/env bash
# Runs each cargo-fuzz target for a short while (FUZZ_SECONDS, default 20) on the nightly
# toolchain. A crash fails the run and leaves its input under sdk-core/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
rustup toolchain list | grep -q '^nightly' ||
  rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Fuzz builds use sanitizer flags, so they get their own target directory beside the shared one.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/etrid-target}-fuzz"
cd sdk-core
log_dir="$(mktemp -d)"
for target in $(cargo +nightly fuzz list); do
  echo "fuzzing $target for ${seconds}s"
  log="$log_dir/$target.log"
  if ! cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
    >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz target $target failed"
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$log" || tail -n 3 "$log"
done
