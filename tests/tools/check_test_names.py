#!/usr/bin/env python3
"""Fails when a Catch test name would break ctest's discovery.

catch_discover_tests turns each test name into a ctest name and a filter:
a ';' splits it into several CMake list items (each a filter that matches no
test, so the test silently never runs), and a leading '--' makes Catch read
it as an option. Usage: check_test_names.py REPO_ROOT
"""
import pathlib
import re
import sys

NAME = re.compile(r'TEST_CASE\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', re.S)


def names(text):
    for m in NAME.finditer(text):
        yield "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))


def main():
    root = pathlib.Path(sys.argv[1])
    bad = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".cc", ".cpp") or "build" in path.parts[len(root.parts):][:1]:
            continue
        for name in names(path.read_text(errors="replace")):
            if ";" in name or name.startswith("--"):
                bad.append(f"{path.relative_to(root)}: {name!r}")
    for line in bad:
        print(f"bad test name (';' or leading '--' break ctest discovery): {line}")
    print(f"check_test_names: {len(bad)} bad test name(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
