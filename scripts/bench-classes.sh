#!/usr/bin/env bash
# Classes loaded at app start (issue 17): `ConsentGate.init` + the first `isAllowed`, against
# `ConsentEngine.open` + its first `isAllowed`, on the host JVM under Robolectric (API 34), from
# the JVM's class-load log (-Xlog:class+load). A proxy for ART, where what costs start-up time
# is the classes loaded from the app's own dex (ours and the Kotlin standard library's); the
# framework's (android.*, java.*) are preloaded by the zygote on a device.
#
#   scripts/bench-classes.sh            build, run, print the counts and the classes of each step
#   NO_BUILD=1 scripts/bench-classes.sh measure whatever target/release holds
#
# The steps are android-wrapper/src/test/kotlin/io/consentgate/bench/ClassLoadCountTest.kt (skipped
# in normal test runs): in one JVM, first the engine, then the facade, so the second count is
# what the facade loads beyond the engine.
set -euo pipefail
cd "$(dirname "$0")/.."

so="$PWD/target/release/libconsentgate.so"
if [[ "${NO_BUILD:-0}" != 1 || ! -f "$so" ]]; then
    cargo build --release --lib --features test-hooks --quiet
fi
out="$PWD/android-wrapper/target/classcount"
rm -rf "$out" && mkdir -p "$out"
log="$out/class-load.log"
mvn -B -q --no-transfer-progress -f android-wrapper/pom.xml -Dstyle.color=never "-Dconsentgate.native.path=$so" \
    -Dconsentgate.classcount=1 "-DargLine=-Xlog:class+load=info:file=$log" \
    test -Dtest=ClassLoadCountTest -Dsurefire.failIfNoSpecifiedTests=false
if ! grep -q 'ClassLoadCountTest\$FacadeEnd' "$log"; then
    echo "error: the class-load log has no end marker (did ClassLoadCountTest run?): $log" >&2
    exit 1
fi

echo "command: scripts/bench-classes.sh (Robolectric, API 34, -Xlog:class+load)"
python3 - "$log" <<'PY'
import re, sys

names = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r"\[class,load\s*\] (\S+) source:", line)
    if m:
        names.append(m.group(1))

def between(start, end):
    i = next(k for k, n in enumerate(names) if n.endswith("ClassLoadCountTest$" + start))
    j = next(k for k, n in enumerate(names) if n.endswith("ClassLoadCountTest$" + end))
    return [n for n in names[i + 1 : j] if "ClassLoadCountTest" not in n]

def kind(name):
    if name.startswith("io.consentgate."):
        return "ours"
    if name.startswith(("kotlin.", "kotlinx.")):
        return "kotlin"
    if name.startswith(("android.", "com.android.", "dalvik.", "libcore.", "java.", "javax.", "sun.", "jdk.", "org.json.", "org.xmlpull.", "com.google.")):
        return "framework"
    return "host"  # Robolectric's shadows and machinery: not on a device

KINDS = ["ours", "kotlin", "framework", "host"]
steps = [("ConsentEngine.open + first isAllowed", between("EngineStart", "EngineEnd")),
         ("ConsentGate.init + first isAllowed, beyond the engine", between("FacadeStart", "FacadeEnd"))]
print()
print("| step | app dex: ours | app dex: Kotlin stdlib | app dex total | framework (preloaded on a device) | Robolectric (host only) |")
print("|---|---:|---:|---:|---:|---:|")
counts = []
for label, loaded in steps:
    c = {k: sum(1 for n in loaded if kind(n) == k) for k in KINDS}
    counts.append(c)
    print(f"| {label} | {c['ours']} | {c['kotlin']} | {c['ours'] + c['kotlin']} | {c['framework']} | {c['host']} |")
engine, extra = (c["ours"] + c["kotlin"] for c in counts)
print(f"| ConsentGate.init + first isAllowed (sum) | {counts[0]['ours'] + counts[1]['ours']} | {counts[0]['kotlin'] + counts[1]['kotlin']} | {engine + extra} | | |")
print(f"\nApp-dex classes: facade {engine + extra} = engine {engine} + facade's extra {extra} ({(engine + extra) / max(engine, 1):.2f}x the engine).")
for label, loaded in steps:
    print(f"\n{label}, app-dex classes in load order:")
    for n in loaded:
        if kind(n) in ("ours", "kotlin"):
            print(f"  {n}")
PY
