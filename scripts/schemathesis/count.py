"""Counts of one schemathesis step pass, for scripts/test-all.sh.

    python3 scripts/schemathesis/count.py REPORT_DIR USER...

Reads REPORT_DIR/junit-USER.xml (written by run.sh) and prints one line: `PASSED FAILED NOTE`.
Each test case of the JUnit report (one per API operation, plus schemathesis's own stateful case)
is one test: failed when it has a <failure> or <error>, skipped ones are not counted. A user
without a report (sign-in failed, schemathesis crashed) counts one failure.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def main() -> None:
    report = Path(sys.argv[1])
    passed = failed = 0
    notes = []
    for user in sys.argv[2:]:
        path = report / f"junit-{user}.xml"
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError):
            failed += 1
            notes.append(f"{user}: no report")
            continue
        bad = []
        for case in root.iter("testcase"):
            if case.find("skipped") is not None:
                continue
            problems = case.findall("failure") + case.findall("error")
            if problems:
                failed += 1
                codes = sorted({p.get("message") or p.get("type") or "?" for p in problems})
                bad.append(f"{case.get('name')} ({', '.join(c[:40] for c in codes)})")
            else:
                passed += 1
        notes.append(f"{user}: {len(bad)} failed" if bad else f"{user}: ok")
    print(passed, failed, "; ".join(notes))


if __name__ == "__main__":
    main()
