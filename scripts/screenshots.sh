#!/usr/bin/env bash
# The screenshot tests alone (scripts/test.sh runs them too, inside the Maven tests):
#   scripts/screenshots.sh          render every SDK screen and compare with docs/screenshots/
#   scripts/screenshots.sh accept   keep the screens as they look now, after an intended change
# Either way the pictures drawn are left in android-wrapper/target/screenshots/: one per kept
# variant, sheets/ with all 16 variants of a screen per API level, diff/ with each change in red.
# After accepting, open the new pictures and look at them before committing.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-check}" in
    check) record=() ;;
    accept)
        find docs/screenshots -name '*.png' -delete 2>/dev/null || true
        record=(-Dconsentgate.screenshots=record)
        ;;
    *)
        echo "usage: $0 [check|accept]" >&2
        exit 2
        ;;
esac

# The same .so the other JVM tests load (with the test hooks), so that running this does not swap it under them.
cargo build --release --lib --features test-hooks --quiet
so="$PWD/target/release/libconsentgate.so"
mvn -B -q --no-transfer-progress -f android-wrapper/pom.xml -Dstyle.color=never "-Dconsentgate.native.path=$so" "${record[@]}" \
    test -Dtest='ScreenshotTest,KeptPicturesTest,PixelDiffTest,PixelDiffRenderedTest'
echo "screenshots: $(find docs/screenshots -name '*.png' | wc -l) kept, $(du -sh docs/screenshots | cut -f1) in docs/screenshots/"
