"""Counts the test cases of one `bazel test` run from its build event file.

usage: test_summary.py BEP_JSON BAZEL_EXIT_CODE

Each test target's JUnit XML (test.xml) gives its cases; a target with no
readable XML counts as one case, by Bazel's status for it. If Bazel failed and
no case failed (a build error, say), that counts as one failure, so a broken
build is never green. Prints 'N passed, N failed' alone on the last line and
exits 1 if anything failed.
"""
import json
import sys
import urllib.parse
import xml.etree.ElementTree as ET


def cases_from_xml(path):
    """Yields (name, passed) for each test case in a JUnit XML file."""
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        name = f"{case.get('classname')}.{case.get('name')}"
        if case.get("status") == "notrun" or case.find("skipped") is not None:
            continue
        bad = case.find("failure") is not None or case.find("error") is not None
        yield name, not bad


def main() -> int:
    bep_path, bazel_rc = sys.argv[1], int(sys.argv[2])
    results = {}  # label -> (status, xml path); the last attempt wins.
    try:
        with open(bep_path) as f:
            for line in f:
                event = json.loads(line)
                test_id = event.get("id", {}).get("testResult")
                if not test_id or "testResult" not in event:
                    continue
                result = event["testResult"]
                xml = None
                for out in result.get("testActionOutput", []):
                    if out.get("name") == "test.xml":
                        xml = urllib.parse.urlparse(out["uri"]).path
                key = (test_id["label"], test_id.get("shard", 0), test_id.get("run", 0))
                results[key] = (result.get("status", "NO_STATUS"), xml)
    except FileNotFoundError:
        pass
    passed = failed = 0
    failures = []
    for (label, _, _), (status, xml) in sorted(results.items()):
        counted = False
        if xml:
            try:
                for name, ok in cases_from_xml(xml):
                    counted = True
                    if ok:
                        passed += 1
                    else:
                        failed += 1
                        failures.append(f"{label}: {name}")
            except (OSError, ET.ParseError):
                counted = False
        if status != "PASSED" and not any(f.startswith(label) for f in failures):
            # A crash or timeout can leave XML that lists no failing case.
            failed += 1
            failures.append(f"{label} ({status})")
        elif not counted:
            passed += 1 if status == "PASSED" else 0
    if bazel_rc not in (0, 3, 4) or (bazel_rc == 3 and failed == 0):
        failed += 1
        failures.append(f"bazel exited with status {bazel_rc} (a build or setup error)")
    elif bazel_rc == 4:  # No test targets matched.
        failures.append("bazel found no test targets")
        failed += 1
    for name in failures:
        print(f"FAILED: {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
