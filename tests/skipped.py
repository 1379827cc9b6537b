"""skipped.py - after ctest, the tests it skipped and why. ctest prints only the names of
skipped tests (exit status 77: material that is not here, such as ../shared); this reads
its JUnit report (ctest --output-junit FILE) and prints each skipped test with the first
"SKIP:" line of its output. Prints nothing when no test was skipped.

usage: /usr/bin/python3 tests/skipped.py JUNIT_XML
"""
import sys
import xml.etree.ElementTree as ET


def main(argv):
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    skipped = []
    for case in ET.parse(argv[0]).getroot().iter("testcase"):
        if case.find("skipped") is None:
            continue
        out = case.findtext("system-out") or ""
        reason = next((l for l in out.splitlines() if l.startswith("SKIP:")),
                      "(no SKIP: line in its output)")
        skipped.append((case.get("name"), reason))
    if skipped:
        print("Skipped, with the reason each test gave:")
        for name, reason in sorted(skipped):
            print("  %s: %s" % (name, reason))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
