#!/usr/bin/env bash
# Throughput of `consentgate scan` on a large artifact, against its floor: unzipping the same
# artifact and reading every code file in it (bench/scan-floor: same zip crate, features and
# release profile). Budget: scan CPU time <= 3x the floor's; memory bounded (max RSS printed
# for both: the scan holds one code entry at a time, never the artifact).
#
#   scripts/bench-scan.sh [ARTIFACT] [RUNS]
#
# Default ARTIFACT: Robolectric's android-all 14 jar from Maven Central (about 130 MB of
# class files, fetched into ~/.m2 with mvn if missing). RUNS (default 5) alternate scan and
# floor; medians of user+sys CPU time are compared (the machine is shared: CPU time, not wall).
set -euo pipefail
cd "$(dirname "$0")/.."

BUDGET=3
ANDROID_ALL="org.robolectric:android-all:14-robolectric-10818077"
artifact=${1:-$HOME/.m2/repository/org/robolectric/android-all/14-robolectric-10818077/android-all-14-robolectric-10818077.jar}
runs=${2:-5}
target_dir=${CARGO_TARGET_DIR:-target}

if [ ! -f "$artifact" ] && [ $# -eq 0 ]; then
    mvn -B -q dependency:get -Dtransitive=false -Dartifact="$ANDROID_ALL"
fi
[ -f "$artifact" ] || { echo "error: $artifact not found" >&2; exit 2; }

release_profile() { awk '/^\[/{on = ($0 == "[profile.release]"); next} on && NF && !/^#/' "$1"; }
if ! diff <(release_profile Cargo.toml) <(release_profile bench/scan-floor/Cargo.toml) >/dev/null; then
    echo "error: [profile.release] in Cargo.toml and bench/scan-floor/Cargo.toml differ" >&2
    exit 1
fi

echo "building the release CLI and the floor (target dir: $target_dir)..." >&2
cargo build --release --features cli --bin consentgate --quiet --target-dir "$target_dir"
cargo build --release --quiet --manifest-path bench/scan-floor/Cargo.toml --target-dir "$target_dir"

policy=examples/phone-backup/policy.json
times=$(mktemp)
trap 'rm -f "$times"' EXIT

measure() { # prints "cpu_seconds max_rss_kib"; the scan exits 1 when something is uncovered
    /usr/bin/time -f "%x %U %S %M" -o "$times" "$@" >/dev/null 2>&1 || true
    # time adds "Command exited with non-zero status N" before its line when N != 0.
    tail -1 "$times" | awk '$1 > 1 { print "error: exit " $1 > "/dev/stderr"; exit 1 } { printf "%.2f %d\n", $2 + $3, $4 }'
}

scan_cpu=(); floor_cpu=(); scan_rss=0; floor_rss=0
for _ in $(seq "$runs"); do
    read -r cpu rss < <(measure "$target_dir/release/consentgate" scan --policy "$policy" "$artifact")
    scan_cpu+=("$cpu"); [ "$rss" -gt "$scan_rss" ] && scan_rss=$rss
    read -r cpu rss < <(measure "$target_dir/release/consentgate-scan-floor" "$artifact")
    floor_cpu+=("$cpu"); [ "$rss" -gt "$floor_rss" ] && floor_rss=$rss
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
s=$(median "${scan_cpu[@]}"); f=$(median "${floor_cpu[@]}")
ratio=$(awk -v s="$s" -v f="$f" 'BEGIN { printf "%.2f", s / f }')
verdict=$(awk -v x="$ratio" -v b="$BUDGET" 'BEGIN { print (x <= b) ? "met" : "MISSED" }')
size=$(stat -c %s "$artifact")
summary=$("$target_dir/release/consentgate-scan-floor" "$artifact")

echo "artifact: $artifact ($size bytes; $summary)"
printf '%-46s %10s %12s\n' "" "CPU s" "max RSS KiB"
printf '%-46s %10s %12s\n' "consentgate scan (median of $runs)" "$s" "$scan_rss"
printf '%-46s %10s %12s\n' "floor: unzip + read every code file" "$f" "$floor_rss"
printf '%-46s %10s\n' "ratio (budget <= ${BUDGET}x)" "${ratio}x $verdict"
