#!/usr/bin/env bash
# Runs the Rust benchmarks (benches/core.rs, benches/journal.rs; divan) in one go and
# prints a compact Markdown table: medians per operation, ratios to each group's floor and
# to the alternative an app team would write, per-event load cost at 1k / 10k / 40k
# events and the linearity ratio, and a verdict for each budget.
#
#   scripts/bench-rust.sh            build, run, print the table (about a minute of runs)
#   scripts/bench-rust.sh FILE       print the table for saved divan output instead
#
# Medians from one run on a shared machine: compare the ratios, not single absolute times.
# The raw divan output is kept in target/bench-rust/divan.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

raw=target/bench-rust/divan.txt
if [ $# -ge 1 ]; then
    raw=$1
else
    mkdir -p target/bench-rust
    {
        echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(rustc --version)"
        echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    } >target/bench-rust/machine.txt
    cargo bench --bench core --bench journal --no-run --quiet
    cargo bench --bench core --bench journal --quiet >"$raw"
    echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>target/bench-rust/machine.txt
fi

[ -f target/bench-rust/machine.txt ] && cat target/bench-rust/machine.txt
echo "command: scripts/bench-rust.sh (cargo bench --bench core --bench journal)"
echo

python3 - "$raw" <<'EOF'
import re, sys

UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
ROW = re.compile(r"^((?:│  |   )*)(?:├─|╰─) (\S+)(.*)$")

def parse(path):
    """divan's tree table -> ({"core/hot/floor_atomic_load": median_ns, ...}, fastest)"""
    medians, fastest, root, stack = {}, {}, None, []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if "fastest" in line and "median" in line:
            root, stack = line.split()[0], []
            continue
        m = ROW.match(line)
        if not m or root is None:
            continue
        depth = len(m.group(1)) // 3
        stack = stack[:depth] + [m.group(2)]
        cols = [c.strip() for c in m.group(3).split("│")]
        if len(cols) < 3 or not cols[2]:
            continue  # a group row
        key = "/".join([root] + stack)
        value, unit = cols[2].split()
        medians[key] = float(value) * UNITS[unit]
        value, unit = cols[0].split()
        fastest[key] = float(value) * UNITS[unit]
    return medians, fastest

med, fastest = parse(sys.argv[1])

def get(name):
    if name not in med:
        sys.exit(f"benchmark {name} missing from the divan output")
    return med[name]

def t(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"

def x(r):
    return f"{r:.2f}x" if r < 10 else f"{r:.0f}x"

verdicts = []

print("### Hot path and decisions (in memory)\n")
print("| operation | median | vs floor | vs app's `Mutex<HashMap>` |")
print("|---|---|---|---|")
floor = get("core/hot/floor_atomic_load")
alt = get("core/hot/alt_mutex_hashmap")
for name, label in [
    ("core/hot/floor_atomic_load", "floor: `AtomicBool` load through a black-boxed pointer"),
    ("core/hot/shared_is_allowed", "`SharedEngine::is_allowed(index)` (the JNI hot call's core)"),
    ("core/hot/alt_mutex_hashmap", "app instead: `Mutex<HashMap<String,bool>>` lookup"),
    ("core/hot/alt_rwlock_hashmap", "app instead: `RwLock<HashMap<String,bool>>` lookup"),
    ("core/decide/ref_system_clock_now_ms", "reference: one `SystemClock::now_ms()` (decide reads the clock)"),
    ("core/decide/engine_decide_index", "`Engine::decide_index` (journal counter sync + decide)"),
    ("core/decide/engine_decide_allowed", "`Engine::decide(id)`, granted purpose"),
    ("core/decide/engine_decide_never_asked", "`Engine::decide(id)`, never-asked purpose"),
    ("core/decide/engine_decide_200th_of_200", "`Engine::decide(id)`, last of 200 purposes"),
]:
    v = get(name)
    print(f"| {label} | {t(v)} | {x(v / floor)} | {x(v / alt)} |")

print("\n### Policy parse\n")
print("| purposes | `Policy::parse` | floor: `serde_json::Value` | ratio | per purpose |")
print("|---|---|---|---|---|")
for n in (20, 200):
    p, f = get(f"core/policy/parse/{n}"), get(f"core/policy/floor_json_value/{n}")
    print(f"| {n} | {t(p)} | {t(f)} | {x(p / f)} | {t(p / n)} |")

print("\n### Journal append (one `Engine::grant`)\n")
print("| | engine | floor: `write` (+`fdatasync`) of a same-size line to an open file | vs floor | app instead: open, JSON line, write, close | vs app |")
print("|---|---|---|---|---|---|")
for mode in ("nofsync", "fsync"):
    e = get(f"journal/append/engine_grant_{mode}")
    f = get(f"journal/append/floor_write_{mode}")
    a = get(f"journal/append/alt_jsonl_{mode}")
    label = "without fsync" if mode == "nofsync" else "with fsync"
    print(f"| {label} | {t(e)} | {t(f)} | {x(e / f)} | {t(a)} | {x(e / a)} |")
append = get("journal/append/engine_grant_nofsync")
verdicts.append(("journal append without fsync < 20 µs", append < 20e3, f"{t(append)} = {append / 20e3:.2f} of the budget"))

print("\n### Journal load and replay (`Engine::open` on N events)\n")
print("| events | engine: total | engine: per event (fastest sample) | verify only (`scan`, in memory) per event | floor: read the file, per event | app instead: JSON lines into a map, per event | vs app | vs floor |")
print("|---|---|---|---|---|---|---|---|")
per = {}
for n in (1_000, 10_000, 40_000):
    e = get(f"journal/load/engine_open/{n}")
    s = get(f"journal/load/scan_only/{n}")
    f = get(f"journal/load/floor_read/{n}")
    a = get(f"journal/load/alt_jsonl/{n}")
    per[n] = e / n
    fe = fastest[f"journal/load/engine_open/{n}"]
    print(f"| {n:,} | {t(e)} | {t(e / n)} ({t(fe / n)}) | {t(s / n)} | {t(f / n)} | {t(a / n)} | {x(e / a)} | {x(e / f)} |")
lin = per[40_000] / per[1_000]
flin = fastest["journal/load/engine_open/40000"] / 40_000 / (fastest["journal/load/engine_open/1000"] / 1_000)
slin = get("journal/load/scan_only/40000") / get("journal/load/scan_only/1000") / 40
print(f"\nLinearity: per-event cost at 40k / at 1k = **{lin:.2f}** from medians (1.00 = perfectly linear); "
      f"{flin:.2f} from the fastest samples; verification alone (`scan`) {slin:.2f}.")
sf = {n: get(f"journal/load/prototype_streaming_fold/{n}") / n for n in (1_000, 40_000)}
print(f"Prototype streaming load (verify + fold 1,000 lines at a time, bounded memory): "
      f"{t(sf[1_000])} per event at 1k, {t(sf[40_000])} at 40k (ratio {sf[40_000] / sf[1_000]:.2f}).")
for n in (1_000, 40_000):
    c = get(f"journal/load/engine_open_compacted/{n}")
    print(f"After `compact()` the {n:,}-event history loads in {t(c)} ({t(c / n)} per archived event; "
          f"{c / get(f'journal/load/engine_open/{n}'):.2f}x the uncompacted load): one snapshot line, checked against the fold of its archive.")
worst = max(per.values())
verdicts.append(("journal load < 1 µs per event (1k, 10k, 40k)", worst < 1e3, f"worst {t(worst)} per event = {worst / 1e3:.2f}x the budget"))
verdicts.append(("journal load linear up to 40k (40k/1k per-event ratio <= 1.25)", lin <= 1.25, f"ratio {lin:.2f}"))

print("\nWhere one event's load time goes (each part over the 1k journal's lines, per line):\n")
print("| part | per event | share of `scan` |")
print("|---|---|---|")
scan1k = get("journal/load/scan_only/1000") / 1000
for name, label in [
    ("record_decode_x1000", "`Record::decode`: checksum SHA-256 + typed serde parse"),
    ("serde_owned_record_x1000", "  of which the typed serde parse (owned strings, as today)"),
    ("serde_borrowed_record_x1000", "  prototype: the same parse into borrowed `Cow<str>` fields"),
    ("line_hash_x1000", "chain hash: SHA-256 of the line, hex"),
]:
    v = get(f"journal/load_parts/{name}") / 1000
    print(f"| {label} | {t(v)} | {v / scan1k:.0%} |")
print(f"| `scan` total (decode, chain check, hash, collect) | {t(scan1k)} | 100% |")

print("\n### Compaction (`Engine::compact`, 3 fsyncs)\n")
print("| events before | engine | floor: atomic replace (write, fsync, rename, fsync dir) | vs floor |")
print("|---|---|---|---|")
f = get("journal/compact/floor_atomic_replace")
for n in (1_000, 10_000):
    e = get(f"journal/compact/engine_compact/{n}")
    print(f"| {n:,} | {t(e)} | {t(f)} | {x(e / f)} |")

print("\n### Budgets\n")
print("| budget | verdict | measured |")
print("|---|---|---|")
for label, ok, detail in verdicts:
    print(f"| {label} | {'met' if ok else '**missed**'} | {detail} |")
print("| `.so` <= 1.2x floor | see `scripts/bench-size.sh` | |")
EOF
