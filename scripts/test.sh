#!/usr/bin/env bash
# The one test command: every test layer the repo has, on a fresh machine of this kind.
#   1. Rust: core, journal, crash/corruption/concurrency, CLI + lint, walkthrough, fuzz-corpus replay.
#   2. The release .so with the test hooks (cargo feature test-hooks: the benchmark floor and the
#      panic self-tests), which the JVM tests load through real JNI.
#   3. Kotlin wrapper on the host JVM (Maven): ktlint, JNI tests and Robolectric at API 23, 29, 30, 31, 33, 34, 35,
#      including the screenshot tests (every screen drawn and compared with docs/screenshots/;
#      scripts/screenshots.sh runs them alone, "scripts/screenshots.sh accept" keeps an intended change).
# Style checks come first: cargo fmt, clippy with warnings as errors, ktlint (in the Maven build).
# Dependencies come from crates.io and Maven Central on first run.
set -euo pipefail
cd "$(dirname "$0")/.."

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ -n "${2:-}" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "== installing $2 (needed for $1)"
        (apt-get update -qq && apt-get install -y -qq "$2") >/dev/null
    fi
    command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is required but not installed" >&2; exit 2; }
}
need cargo
need cc gcc
need java openjdk-17-jdk-headless
need mvn maven
need python3 python3

# Style is part of the tests: rustfmt and clippy (the toolchain's own components).
for component in rustfmt clippy; do
    sub=${component/rustfmt/fmt}
    cargo "$sub" --version >/dev/null 2>&1 || { command -v rustup >/dev/null 2>&1 && rustup component add "$component"; }
done
echo "== Rust style: cargo fmt --check, cargo clippy -D warnings"
cargo fmt --all --check
(cd fuzz && cargo fmt --check)
cargo clippy --quiet --all-features --all-targets -- -D warnings

echo "== Rust: cargo test --all-features"
cargo test --all-features

echo "== Release library for the JVM tests: cargo build --release --lib --features test-hooks"
cargo build --release --lib --features test-hooks --quiet
so="$PWD/target/release/libconsentgate.so"
[ -f "$so" ] || { echo "error: $so was not built" >&2; exit 1; }

echo "== Kotlin wrapper: mvn clean test (JNI + Robolectric)"
# clean: stale classes or reports from an earlier run must not count.
mvn_status=0
mvn -B --no-transfer-progress -f android-wrapper/pom.xml -Dstyle.color=never "-Dconsentgate.native.path=$so" clean test || mvn_status=$?
summary_status=0
python3 scripts/api-level-summary.py android-wrapper/target/surefire-reports || summary_status=$?
if [ "$mvn_status" != 0 ] || [ "$summary_status" != 0 ]; then
    echo "Kotlin wrapper tests failed" >&2
    exit 1
fi

echo "== JVM benchmarks compile (android-wrapper/bench; run them with scripts/bench-jvm.sh)"
mvn -B -q --no-transfer-progress -f android-wrapper/bench/pom.xml -Dstyle.color=never compile

echo "== all test layers passed"
