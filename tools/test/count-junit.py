"""Prints "<suite>: N passed, N failed" from JUnit/xUnit XML reports; exits 1 on failures or none."""
import sys
import xml.etree.ElementTree as ET

name, *reports = sys.argv[1:]
passed = failed = 0
for report in reports:
    try:
        root = ET.parse(report).getroot()
    except (OSError, ET.ParseError) as error:
        print(f"{name}: cannot read {report}: {error}")
        failed += 1
        continue
    for case in root.iter("testcase"):
        if case.find("skipped") is not None:
            continue
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        else:
            passed += 1
print(f"{name}: {passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
