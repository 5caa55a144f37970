#!/usr/bin/env bash
# Builds the Rust core for Android with cargo-ndk, for the four ABIs apps ship:
#   android-wrapper/src/main/jniLibs/{arm64-v8a,armeabi-v7a,x86_64,x86}/libconsentgate.so
# which the Gradle module (android-wrapper/build.gradle.kts) packages into the AAR.
#
# NOT RUN ON THIS PROJECT'S MACHINES: they have no Android NDK. Written for cargo-ndk 3.x and
# NDK r26+, checked by reading only. The host build (cargo build --release --lib) is what the
# tests here use.
#
# Needs: rustup, the Android NDK (ANDROID_NDK_HOME, or ANDROID_HOME/ndk/<version>), and
#   cargo install cargo-ndk
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${ANDROID_NDK_HOME:-}" ] && [ -z "${ANDROID_NDK_ROOT:-}" ] && [ -z "${ANDROID_HOME:-}" ]; then
    echo "error: set ANDROID_NDK_HOME to an Android NDK (r26 or newer)" >&2
    exit 2
fi
if ! command -v cargo-ndk >/dev/null 2>&1; then
    echo "error: cargo-ndk not found: cargo install cargo-ndk" >&2
    exit 2
fi

rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android

out=android-wrapper/src/main/jniLibs
# minSdk 23, as the Gradle module. 16 KB pages (required for new apps on Android 15+ devices
# that use them): align the ELF segments accordingly.
RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384" \
    cargo ndk --platform 23 \
        -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 \
        -o "$out" \
        build --release --lib

for abi in arm64-v8a armeabi-v7a x86_64 x86; do
    so="$out/$abi/libconsentgate.so"
    [ -f "$so" ] || { echo "error: $so was not built" >&2; exit 1; }
    echo "$so ($(wc -c < "$so") bytes)"
done
