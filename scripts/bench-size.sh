#!/usr/bin/env bash
# Size of the ConsentGate JNI library for the host, against its floor.
#
# Builds the release .so (cargo's [profile.release]), builds bench/size-floor (a trivial
# cdylib using only jni 0.22 and serde_json, same profile), strips a copy of each and
# prints both sizes and the ratio. Budget: real <= 1.2 x floor.
#
#   scripts/bench-size.sh              sizes and ratio
#   scripts/bench-size.sh --breakdown  also: which crates the extra bytes come from
#                                      (nm on the unstripped builds; relinks the .so in
#                                      the target dir without stripping: a plain run or
#                                      `cargo build --release` relinks it stripped again)
#   scripts/bench-size.sh --check      exit 1 when the ratio is over budget
#
# Profile experiments without editing Cargo.toml (both crates get the same override; use
# another target dir so the shared release build is left alone), e.g.:
#   CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_TARGET_DIR=target/size-exp scripts/bench-size.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BUDGET=1.2
breakdown=0
check=0
for arg in "$@"; do
    case "$arg" in
        --breakdown) breakdown=1 ;;
        --check) check=1 ;;
        *) echo "usage: $0 [--breakdown] [--check]" >&2; exit 2 ;;
    esac
done

target_dir=${CARGO_TARGET_DIR:-target}

# The floor is only a floor if it is built the same way.
release_profile() { awk '/^\[/{on = ($0 == "[profile.release]"); next} on && NF && !/^#/' "$1"; }
if ! diff <(release_profile Cargo.toml) <(release_profile bench/size-floor/Cargo.toml) >/dev/null; then
    echo "error: [profile.release] in Cargo.toml and bench/size-floor/Cargo.toml differ; make them equal:" >&2
    diff <(release_profile Cargo.toml) <(release_profile bench/size-floor/Cargo.toml) >&2 || true
    exit 1
fi

# --breakdown needs symbol tables: keep cargo from stripping (the copies are stripped below).
if [ "$breakdown" = 1 ]; then export CARGO_PROFILE_RELEASE_STRIP=false; fi

echo "building the release .so and the floor (target dir: $target_dir)..." >&2
cargo build --release --lib --quiet --target-dir "$target_dir"
cargo build --release --quiet --manifest-path bench/size-floor/Cargo.toml --target-dir "$target_dir"

real_so="$target_dir/release/libconsentgate.so"
floor_so="$target_dir/release/libconsentgate_size_floor.so"
out="$target_dir/size"
mkdir -p "$out"
strip --strip-all -o "$out/libconsentgate.so" "$real_so"
strip --strip-all -o "$out/libconsentgate_size_floor.so" "$floor_so"

exports=$(nm -D --defined-only "$out/libconsentgate.so" | grep -c ' T Java_' || true)
if [ "$exports" = 0 ]; then
    echo "warning: the .so exports no Java_ functions: the JNI bridge is not in this build" >&2
fi
if nm -D --defined-only "$out/libconsentgate.so" | grep -q 'NativeTestHooks'; then
    echo "error: the measured .so exports the test hooks (cargo feature test-hooks): apps never ship them" >&2
    exit 1
fi

real=$(stat -c %s "$out/libconsentgate.so")
floor=$(stat -c %s "$out/libconsentgate_size_floor.so")
ratio=$(awk -v r="$real" -v f="$floor" 'BEGIN { printf "%.2f", r / f }')
verdict=$(awk -v x="$ratio" -v b="$BUDGET" 'BEGIN { print (x <= b) ? "met" : "MISSED" }')
opt=${CARGO_PROFILE_RELEASE_OPT_LEVEL:-$(release_profile Cargo.toml | awk -F' *= *' '$1 == "opt-level" { print $2 }')}

printf '%-44s %12s\n' "stripped .so (x86_64 host, opt-level $opt)" "bytes"
printf '%-44s %12d\n' "libconsentgate.so ($exports Java_ exports)" "$real"
printf '%-44s %12d\n' "floor: jni + serde_json cdylib" "$floor"
printf '%-44s %12s\n' "ratio (budget <= $BUDGET)" "${ratio}x $verdict"

if [ "$breakdown" = 1 ]; then
    echo
    echo "where the extra bytes are (symbol sizes from nm, by crate; inlined code counts"
    echo "where it landed):"
    python3 - "$real_so" "$floor_so" <<'EOF'
import collections, re, subprocess, sys

def by_crate(path):
    out = subprocess.run(["nm", "-C", "-S", "--size-sort", path], capture_output=True, text=True, check=True).stdout
    sizes = collections.Counter()
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4:
            continue
        size, name = int(parts[1], 16), parts[3]
        if name.startswith(("Java_", "JNI_")):
            key = "Java_* entry points (with inlined core)"
        else:
            # "<T as Trait>::f" counts for T's crate; "a::b::f" for a.
            m = re.match(r"[<&*\s]*(?:mut\s+|dyn\s+)*([A-Za-z_][A-Za-z0-9_]*)", name)
            key = m.group(1) if m else "(other)"
        sizes[key] += size
    return sizes

real, floor = by_crate(sys.argv[1]), by_crate(sys.argv[2])
keys = sorted(set(real) | set(floor), key=lambda k: -(real[k] - floor[k]))
print(f"  {'crate':40} {'real':>9} {'floor':>9} {'extra':>9}")
for k in keys[:16]:
    print(f"  {k[:40]:40} {real[k]:9d} {floor[k]:9d} {real[k] - floor[k]:9d}")
print(f"  {'all symbols':40} {sum(real.values()):9d} {sum(floor.values()):9d} {sum(real.values()) - sum(floor.values()):9d}")
EOF
    echo
    echo "sections (real / floor / extra, bytes; debug sections left out: strip removes them):"
    sections() { size -A "$1" | awk '$1 ~ /^\./ && $2 > 0 { print $1, $2 }' | sort; }
    join -a 1 -e 0 -o 0,1.2,2.2 <(sections "$real_so") <(sections "$floor_so") |
        awk '$1 !~ /^\.debug/ && $2 > 4096 { printf "  %-20s %9d %9d %9d\n", $1, $2, $3, $2 - $3 }'
fi

if [ "$check" = 1 ] && [ "$verdict" != met ]; then
    exit 1
fi
