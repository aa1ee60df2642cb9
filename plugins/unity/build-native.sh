#!/usr/bin/env bash
# Builds the native library of the Unity package (libetrid_ffi, crate ffi/) for the chosen
# platforms and copies each build into the package's Runtime/Plugins/<platform>/ folder under the
# name its committed .meta (PluginImporter settings) expects. The libraries are never committed.
#
# Usage: plugins/unity/build-native.sh [--platform P]... [--list] [--help]
#   P: linux-x64 (the default), windows-x64, macos, android-arm64-v8a, android-armeabi-v7a,
#      android-x86_64, android (the three ABIs), ios, all; repeat --platform or separate with commas.
#
# | platform            | built with                                        | copied to (Runtime/Plugins/)     |
# | linux-x64           | cargo build on x86_64 Linux                       | linux-x64/libetrid_ffi.so        |
# | windows-x64         | --target x86_64-pc-windows-gnu + MinGW-w64 gcc    | windows-x64/etrid_ffi.dll        |
# | macos               | aarch64- and x86_64-apple-darwin on a Mac, lipo   | macos/libetrid_ffi.dylib (universal) |
# | android-<abi>       | cargo-ndk and the Android NDK                     | android/<abi>/libetrid_ffi.so    |
# | ios                 | --target aarch64-apple-ios (staticlib) on a Mac   | ios/libetrid_ffi.a (devices only) |
#
# Every requested platform's tools are checked before anything is built; a missing one is named
# with the command that installs it. Builds run one after the other (one cargo at a time: never
# start this next to another build on a small machine). Respects CARGO_TARGET_DIR (default:
# target/ at the repository root), like .ci/ffi.sh, so the linux-x64 build reuses its artefacts.
# Runnable from anywhere.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PLUGINS="$HERE/com.etrid.lightning/Runtime/Plugins"
ALL=(linux-x64 windows-x64 macos android-arm64-v8a android-armeabi-v7a android-x86_64 ios)

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

# ---- arguments -------------------------------------------------------------------------------
requested=()
while [ $# -gt 0 ]; do
  case "$1" in
    --platform) [ $# -ge 2 ] || { echo "error: --platform needs a value" >&2; exit 2; }
                IFS=',' read -r -a names <<<"$2"; requested+=("${names[@]}"); shift 2 ;;
    --platform=*) IFS=',' read -r -a names <<<"${1#--platform=}"; requested+=("${names[@]}"); shift ;;
    --list) printf '%s\n' "${ALL[@]}"; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#requested[@]} -gt 0 ] || requested=(linux-x64)

platforms=()
add() { case " ${platforms[*]-} " in *" $1 "*) ;; *) platforms+=("$1") ;; esac; }
for name in "${requested[@]}"; do
  case "$name" in
    all) for p in "${ALL[@]}"; do add "$p"; done ;;
    android) add android-arm64-v8a; add android-armeabi-v7a; add android-x86_64 ;;
    linux-x64|windows-x64|macos|android-arm64-v8a|android-armeabi-v7a|android-x86_64|ios) add "$name" ;;
    *) echo "error: unknown platform '$name'; one of: ${ALL[*]} android all" >&2; exit 2 ;;
  esac
done

cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac

# ---- preflight: every tool of every requested platform, before any build ---------------------
missing=()
need() { missing+=("$1: $2"); }
host_os="$(uname -s)"
host_cpu="$(uname -m)"
installed_targets=""
if command -v rustup >/dev/null 2>&1; then installed_targets="$(rustup target list --installed)"; fi
need_target() { # platform triple
  if ! command -v rustup >/dev/null 2>&1; then
    need "$1" "the Rust target $2 (rustup not found: install the standard library for $2)"
  elif ! grep -qx "$2" <<<"$installed_targets"; then
    need "$1" "the Rust target $2: rustup target add $2"
  fi
}
need_mac() { # platform
  [ "$host_os" = Darwin ] || need "$1" "a Mac with Xcode (Apple's linker and SDK); this host is $host_os"
}
android_abi_triple() {
  case "$1" in
    arm64-v8a) echo aarch64-linux-android ;;
    armeabi-v7a) echo armv7-linux-androideabi ;;
    x86_64) echo x86_64-linux-android ;;
  esac
}

command -v cargo >/dev/null 2>&1 || need "all" "cargo (https://rustup.rs)"
for platform in "${platforms[@]}"; do
  case "$platform" in
    linux-x64)
      [ "$host_os" = Linux ] && [ "$host_cpu" = x86_64 ] \
        || need "$platform" "an x86_64 Linux host (this one is $host_os $host_cpu)" ;;
    windows-x64)
      need_target "$platform" x86_64-pc-windows-gnu
      command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 \
        || need "$platform" "the MinGW-w64 C toolchain: apt-get install gcc-mingw-w64-x86-64" ;;
    macos)
      need_mac "$platform"
      need_target "$platform" aarch64-apple-darwin
      need_target "$platform" x86_64-apple-darwin
      command -v lipo >/dev/null 2>&1 || need "$platform" "lipo: xcode-select --install" ;;
    android-*)
      need_target "$platform" "$(android_abi_triple "${platform#android-}")"
      command -v cargo-ndk >/dev/null 2>&1 || need "$platform" "cargo-ndk: cargo install cargo-ndk"
      [ -n "${ANDROID_NDK_HOME:-}${ANDROID_NDK_ROOT:-}${ANDROID_HOME:-}${ANDROID_SDK_ROOT:-}" ] \
        || need "$platform" "the Android NDK: install it (Android Studio's SDK Manager or Unity Hub's Android module) and set ANDROID_NDK_HOME to its folder" ;;
    ios)
      need_mac "$platform"
      need_target "$platform" aarch64-apple-ios
      command -v xcrun >/dev/null 2>&1 || need "$platform" "Xcode's xcrun: install Xcode, then xcode-select --install" ;;
  esac
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "error: cannot build ${platforms[*]}; missing:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi

# ---- build, one platform at a time -------------------------------------------------------------
step() { printf '\n==> %s\n' "$*"; }
copy() { # source destination
  [ -f "$1" ] || { echo "error: $1 was not built" >&2; exit 1; }
  mkdir -p "$(dirname "$2")"
  cp -f "$1" "$2"
  echo "copied $1 -> $2 ($(wc -c <"$2") bytes)"
}

for platform in "${platforms[@]}"; do
  case "$platform" in
    linux-x64)
      step "linux-x64: cargo build -p etrid-ffi --release"
      cargo build -p etrid-ffi --release
      copy "$TARGET_DIR/release/libetrid_ffi.so" "$PLUGINS/linux-x64/libetrid_ffi.so" ;;
    windows-x64)
      step "windows-x64: cargo build -p etrid-ffi --release --target x86_64-pc-windows-gnu"
      CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER="${CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER:-x86_64-w64-mingw32-gcc}" \
        cargo build -p etrid-ffi --release --target x86_64-pc-windows-gnu
      copy "$TARGET_DIR/x86_64-pc-windows-gnu/release/etrid_ffi.dll" "$PLUGINS/windows-x64/etrid_ffi.dll" ;;
    macos)
      for triple in aarch64-apple-darwin x86_64-apple-darwin; do
        step "macos: cargo build -p etrid-ffi --release --target $triple"
        cargo build -p etrid-ffi --release --target "$triple"
      done
      step "macos: lipo -create (universal dylib)"
      mkdir -p "$PLUGINS/macos"
      lipo -create -output "$PLUGINS/macos/libetrid_ffi.dylib" \
        "$TARGET_DIR/aarch64-apple-darwin/release/libetrid_ffi.dylib" \
        "$TARGET_DIR/x86_64-apple-darwin/release/libetrid_ffi.dylib"
      lipo -info "$PLUGINS/macos/libetrid_ffi.dylib" ;;
    android-*)
      abi="${platform#android-}"
      step "$platform: cargo ndk -t $abi build -p etrid-ffi --release"
      cargo ndk -t "$abi" build -p etrid-ffi --release
      copy "$TARGET_DIR/$(android_abi_triple "$abi")/release/libetrid_ffi.so" "$PLUGINS/android/$abi/libetrid_ffi.so" ;;
    ios)
      # Unity 2021.3 builds for iOS 12 and later; the library must not require a newer iOS.
      step "ios: cargo build -p etrid-ffi --release --target aarch64-apple-ios"
      IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-12.0}" \
        cargo build -p etrid-ffi --release --target aarch64-apple-ios
      copy "$TARGET_DIR/aarch64-apple-ios/release/libetrid_ffi.a" "$PLUGINS/ios/libetrid_ffi.a" ;;
  esac
done

step "built: ${platforms[*]} (in $PLUGINS)"
