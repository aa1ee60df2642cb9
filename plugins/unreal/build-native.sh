#!/usr/bin/env bash
# Builds the static library of the Unreal plugin's ThirdParty module (crate etrid-ffi) for the
# chosen platforms and copies it, with the C header, into
# EtridLightning/Source/ThirdParty/EtridFfi/{include,lib/<Platform>/} where EtridFfi.Build.cs
# links it from. Nothing it copies is committed (see .gitignore there).
#
# Usage: plugins/unreal/build-native.sh [--platform P]... [--help]
#   P: linux (the default), win64, mac, android, ios; repeat --platform or separate with commas.
#
# | platform | built with (on)                                        | copied to lib/                          |
# | linux    | cargo build, x86_64 Linux (here)                       | Linux/x86_64-unknown-linux-gnu/libetrid_ffi.a |
# | win64    | --target x86_64-pc-windows-msvc (Windows, MSVC tools)  | Win64/etrid_ffi.lib                     |
# | mac      | aarch64- and x86_64-apple-darwin, lipo (a Mac)         | Mac/libetrid_ffi.a (universal)          |
# | android  | cargo-ndk -t arm64-v8a (Android NDK)                   | Android/arm64-v8a/libetrid_ffi.a        |
# | ios      | --target aarch64-apple-ios (a Mac with Xcode)          | IOS/libetrid_ffi.a (devices)            |
#
# Only linux is built and tested on this project's CI machine; the others need their platform's
# tools, checked before anything is built. The system libraries each needs are in
# EtridFfi.Build.cs (Linux's list is proven by plugins/unreal/tools/core-tests.sh; on another
# platform print it with `cargo rustc -p etrid-ffi --release --target T --crate-type staticlib --
# --print native-static-libs`). Respects CARGO_TARGET_DIR (default: target/ at the root).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MODULE="$HERE/EtridLightning/Source/ThirdParty/EtridFfi"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

requested=()
while [ $# -gt 0 ]; do
  case "$1" in
    --platform) [ $# -ge 2 ] || { echo "error: --platform needs a value" >&2; exit 2; }
                IFS=',' read -r -a names <<<"$2"; requested+=("${names[@]}"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#requested[@]} -gt 0 ] || requested=(linux)

need_target() {
  rustup target list --installed | grep -qx "$1" || { echo "error: rustup target add $1" >&2; exit 1; }
}
need_command() {
  command -v "$1" >/dev/null 2>&1 || { echo "error: $1 is missing ($2)" >&2; exit 1; }
}

# Check every platform's tools first, so nothing is half built.
for platform in "${requested[@]}"; do
  case "$platform" in
    linux) need_command cargo "install Rust with rustup" ;;
    win64) need_target x86_64-pc-windows-msvc ;;
    mac) need_target aarch64-apple-darwin; need_target x86_64-apple-darwin; need_command lipo "Xcode command line tools" ;;
    android) need_target aarch64-linux-android; need_command cargo-ndk "cargo install cargo-ndk, and set ANDROID_NDK_HOME" ;;
    ios) need_target aarch64-apple-ios ;;
    *) echo "error: unknown platform '$platform' (see --help)" >&2; exit 2 ;;
  esac
done

copy() { mkdir -p "$(dirname "$2")"; cp "$1" "$2"; echo "$2"; }

cd "$ROOT"
mkdir -p "$MODULE/include"
for platform in "${requested[@]}"; do
  case "$platform" in
    linux)
      cargo build -p etrid-ffi --release
      copy "$TARGET_DIR/release/libetrid_ffi.a" "$MODULE/lib/Linux/x86_64-unknown-linux-gnu/libetrid_ffi.a" ;;
    win64)
      cargo build -p etrid-ffi --release --target x86_64-pc-windows-msvc
      copy "$TARGET_DIR/x86_64-pc-windows-msvc/release/etrid_ffi.lib" "$MODULE/lib/Win64/etrid_ffi.lib" ;;
    mac)
      cargo build -p etrid-ffi --release --target aarch64-apple-darwin
      cargo build -p etrid-ffi --release --target x86_64-apple-darwin
      mkdir -p "$MODULE/lib/Mac"
      lipo -create -output "$MODULE/lib/Mac/libetrid_ffi.a" \
        "$TARGET_DIR/aarch64-apple-darwin/release/libetrid_ffi.a" "$TARGET_DIR/x86_64-apple-darwin/release/libetrid_ffi.a"
      echo "$MODULE/lib/Mac/libetrid_ffi.a" ;;
    android)
      cargo ndk -t arm64-v8a build -p etrid-ffi --release
      copy "$TARGET_DIR/aarch64-linux-android/release/libetrid_ffi.a" "$MODULE/lib/Android/arm64-v8a/libetrid_ffi.a" ;;
    ios)
      cargo build -p etrid-ffi --release --target aarch64-apple-ios
      copy "$TARGET_DIR/aarch64-apple-ios/release/libetrid_ffi.a" "$MODULE/lib/IOS/libetrid_ffi.a" ;;
  esac
done
copy "$ROOT/ffi/include/etrid.h" "$MODULE/include/etrid.h"
