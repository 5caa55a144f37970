#!/usr/bin/env python3
"""Counts the wrapper's JVM test runs per Android API level from surefire's XML reports.

Robolectric runs a test once per configured level and surefire names each run
`testName[LEVEL]`; plain JUnit tests (no level) are counted as "host JVM".
Exit 1 if any run failed or errored, or if a configured level ran nothing.
"""
import collections
import glob
import re
import sys
import xml.etree.ElementTree as ET

LEVELS = ["23", "29", "30", "31", "33", "34", "35"]
reports = sys.argv[1] if len(sys.argv) > 1 else "android-wrapper/target/surefire-reports"
ran = collections.Counter()
bad = collections.Counter()
for path in sorted(glob.glob(f"{reports}/TEST-*.xml")):
    for case in ET.parse(path).getroot().iter("testcase"):
        m = re.search(r"\[(\d+)\]$", case.get("name", ""))
        level = m.group(1) if m else "host JVM"
        ran[level] += 1
        if case.find("failure") is not None or case.find("error") is not None:
            bad[level] += 1

print("Wrapper tests per API level (surefire reports):")
for level in LEVELS + sorted(k for k in ran if k not in LEVELS):
    label = f"API {level}" if level.isdigit() else level
    print(f"  {label:<9} {ran[level]:>4} run, {bad[level]} failed")
missing = [lvl for lvl in LEVELS if ran[lvl] == 0]
if missing:
    print(f"error: no Robolectric test ran at API {', '.join(missing)}", file=sys.stderr)
sys.exit(1 if missing or sum(bad.values()) else 0)
