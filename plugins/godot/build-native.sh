#!/usr/bin/env bash
# Builds the GDExtension library (crate etrid-godot, gdext) for the chosen platforms and copies
# it into addons/etrid_lightning/bin/ under the names etrid_lightning.gdextension lists. Nothing
# it copies is committed (see bin/.gitignore). Copy addons/etrid_lightning into a Godot 4.2+
# project (or open this folder, the sample project) and the LightningClient node is there.
#
# Usage: plugins/godot/build-native.sh [--platform P]... [--debug] [--help]
#   P: linux (the default), linux-arm64, windows, macos, android, ios; repeat --platform or
#   separate with commas. --debug: a debug build (the .gdextension's debug entries use the same
#   file name, so an editor build and an export build are one library per platform).
#
# | platform    | built with (on)                                          | bin/                                  |
# | linux       | cargo build, x86_64 Linux (here)                         | libetrid_godot.linux.x86_64.so        |
# | linux-arm64 | --target aarch64-unknown-linux-gnu (an arm64 Linux)      | libetrid_godot.linux.arm64.so         |
# | windows     | --target x86_64-pc-windows-msvc (Windows, MSVC tools)    | etrid_godot.windows.x86_64.dll        |
# | macos       | aarch64- and x86_64-apple-darwin, lipo (a Mac)           | libetrid_godot.macos.dylib (universal)|
# | android     | cargo-ndk -t arm64-v8a (Android NDK)                     | libetrid_godot.android.arm64.so       |
# | ios         | --target aarch64-apple-ios (a Mac with Xcode)            | libetrid_godot.ios.dylib              |
#
# Only linux is built and tested on this project's CI machine; the others need their platform's
# tools, checked before anything is built. Respects CARGO_TARGET_DIR (default: target/ at the
# root of the repository).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="$HERE/addons/etrid_lightning/bin"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

requested=()
profile=release
while [ $# -gt 0 ]; do
  case "$1" in
    --platform) [ $# -ge 2 ] || { echo "error: --platform needs a value" >&2; exit 2; }
                IFS=',' read -r -a names <<<"$2"; requested+=("${names[@]}"); shift 2 ;;
    --debug) profile=debug; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#requested[@]} -gt 0 ] || requested=(linux)
release_flag=()
[ "$profile" = release ] && release_flag=(--release)

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
    linux-arm64) need_target aarch64-unknown-linux-gnu ;;
    windows) need_target x86_64-pc-windows-msvc ;;
    macos) need_target aarch64-apple-darwin; need_target x86_64-apple-darwin; need_command lipo "Xcode command line tools" ;;
    android) need_target aarch64-linux-android; need_command cargo-ndk "cargo install cargo-ndk, and set ANDROID_NDK_HOME" ;;
    ios) need_target aarch64-apple-ios ;;
    *) echo "error: unknown platform '$platform' (see --help)" >&2; exit 2 ;;
  esac
done

copy() { mkdir -p "$(dirname "$2")"; cp "$1" "$2"; echo "$2"; }

cd "$ROOT"
for platform in "${requested[@]}"; do
  case "$platform" in
    linux)
      cargo build -p etrid-godot --lib "${release_flag[@]}"
      copy "$TARGET_DIR/$profile/libetrid_godot.so" "$BIN/libetrid_godot.linux.x86_64.so" ;;
    linux-arm64)
      cargo build -p etrid-godot --lib "${release_flag[@]}" --target aarch64-unknown-linux-gnu
      copy "$TARGET_DIR/aarch64-unknown-linux-gnu/$profile/libetrid_godot.so" "$BIN/libetrid_godot.linux.arm64.so" ;;
    windows)
      cargo build -p etrid-godot --lib "${release_flag[@]}" --target x86_64-pc-windows-msvc
      copy "$TARGET_DIR/x86_64-pc-windows-msvc/$profile/etrid_godot.dll" "$BIN/etrid_godot.windows.x86_64.dll" ;;
    macos)
      cargo build -p etrid-godot --lib "${release_flag[@]}" --target aarch64-apple-darwin
      cargo build -p etrid-godot --lib "${release_flag[@]}" --target x86_64-apple-darwin
      mkdir -p "$BIN"
      lipo -create -output "$BIN/libetrid_godot.macos.dylib" \
        "$TARGET_DIR/aarch64-apple-darwin/$profile/libetrid_godot.dylib" \
        "$TARGET_DIR/x86_64-apple-darwin/$profile/libetrid_godot.dylib"
      echo "$BIN/libetrid_godot.macos.dylib" ;;
    android)
      cargo ndk -t arm64-v8a build -p etrid-godot --lib "${release_flag[@]}"
      copy "$TARGET_DIR/aarch64-linux-android/$profile/libetrid_godot.so" "$BIN/libetrid_godot.android.arm64.so" ;;
    ios)
      cargo build -p etrid-godot --lib "${release_flag[@]}" --target aarch64-apple-ios
      copy "$TARGET_DIR/aarch64-apple-ios/$profile/libetrid_godot.dylib" "$BIN/libetrid_godot.ios.dylib" ;;
  esac
done
