#!/usr/bin/env bash
# Bounded fuzzing of the core's parsers with cargo-fuzz (libFuzzer), one target at a time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 s, every target)
#
# Prints the executions of each target and the total. Starts from the hand-made seeds
# (fuzz/seeds/<target>/) and the corpus so far; new interesting inputs are merged into
# fuzz/corpus/<target>/ (minimised with `cargo fuzz cmin`). The normal test run replays
# seeds and corpus (tests/fuzz_corpus_replay.rs). A crash stops the script and leaves the
# input under fuzz/artifacts/<target>/.
#
# Toolchain: cargo-fuzz needs nightly rustc flags. It uses the `nightly` toolchain when
# rustup has one, else the stable compiler with RUSTC_BOOTSTRAP=1. Built with
# `--sanitizer none` (safe Rust: speed over ASan) and `-a` (debug assertions and overflow
# checks on, so an arithmetic overflow is a crash, not a silent wrap).
# Needs: cargo install cargo-fuzz; a C++ compiler (libFuzzer is built from source).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

secs="${1:-60}"
shift || true

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "error: cargo-fuzz is not installed (cargo install cargo-fuzz)" >&2
    exit 2
fi
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz)
    echo "== toolchain: $(rustc +nightly --version)"
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
    echo "== toolchain: $(rustc --version) with RUSTC_BOOTSTRAP=1 (no nightly installed)"
fi
flags=(--sanitizer none -a)

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <("${fuzz[@]}" list)
fi

"${fuzz[@]}" build "${flags[@]}" >/dev/null 2>&1 || "${fuzz[@]}" build "${flags[@]}"

total=0
summary=""
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    before=$(find "corpus/$t" -type f | wc -l)
    log="$(mktemp)"
    echo "== $t: ${secs}s"
    # New finds go to a scratch folder first; cmin below merges what adds coverage.
    scratch="$(mktemp -d)"
    if ! "${fuzz[@]}" run "${flags[@]}" "$t" "$scratch" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -max_len=4096 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
        tail -40 "$log"
        echo "error: $t found a crash: see fuzz/artifacts/$t/" >&2
        exit 1
    fi
    runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    took=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -1)
    cov=$(sed -n 's/^stat::\(.*\)$/\1/p' "$log" | tr '\n' ' ')
    runs="${runs:-0}"
    # Minimise: keep the smallest set of files that covers what corpus + finds cover.
    cp -n "$scratch"/* "corpus/$t/" 2>/dev/null || true
    "${fuzz[@]}" cmin "${flags[@]}" "$t" "corpus/$t" -- -max_len=4096 -use_counters=0 >/dev/null 2>&1
    after=$(find "corpus/$t" -type f | wc -l)
    rm -rf "$scratch" "$log"
    total=$((total + runs))
    line="$t: $runs executions in ${took:-?} s; corpus $before -> $after files"
    echo "$line"
    echo "   $cov"
    summary+="$line"$'\n'
done
echo "== summary"
printf '%s' "$summary"
echo "total: $total executions"
echo "If the corpus changed, refresh the expected outcome classes and review the diff:"
echo "  CG_FUZZ_BLESS=1 cargo test --all-features --test fuzz_corpus_replay && git diff --stat fuzz/"
