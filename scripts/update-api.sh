#!/usr/bin/env bash
# Rewrites the committed listings of the public contracts from the code as it is now, after a
# change to them that is intended and allowed (docs/compatibility.md says which changes a
# version allows):
#   tests/golden/public-api.txt   the Rust crate's public items        (tests/public_api.rs)
#   tests/golden/cli/*.txt        every CLI command's output and exit  (tests/cli_golden.rs)
#   android-wrapper/api/*.api     the Kotlin/Java API as Java sees it  (PublicApiTest)
# Then review `git diff` (every line is a change users see) and add a CHANGELOG.md line.
# Usage: scripts/update-api.sh [rust|kotlin]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
export CONSENTGATE_BLESS=1
what=${1:-all}

if [ "$what" = all ] || [ "$what" = rust ]; then
    echo "== Rust public items and CLI transcripts (tests/golden)"
    cargo test --quiet --no-fail-fast --features cli --test public_api --test cli_golden
fi

if [ "$what" = all ] || [ "$what" = kotlin ]; then
    echo "== Kotlin/Java API dumps (android-wrapper/api)"
    cargo build --release --lib --features test-hooks --quiet
    mvn -B -q --no-transfer-progress -f android-wrapper/pom.xml -Dstyle.color=never \
        "-Dconsentgate.native.path=$PWD/target/release/libconsentgate.so" test -Dtest=PublicApiTest
fi

git status --short -- tests/golden android-wrapper/api
