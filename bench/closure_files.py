#!/usr/bin/python3
"""List the distinct local files a profile's `extends` closure reaches.

usage: closure_files.py PROFILE

Follows `[buildout] extends` recursively: whitespace-separated names, relative to
the directory of the file that holds them. A light reading of the profile
syntax (section headers, column-0 options, indented continuation lines), enough
to know which files a resolver has to read; URLs are skipped. Prints one
absolute path per line, in discovery order.
"""
import os
import re
import sys

HEADER = re.compile(r'\[([^\]\s:]+)(?::[^\]]*)?\]')
OPTION = re.compile(r'([^\s=+\-<>][^=]*?)\s*[+-]?=(.*)')


def extends_of(path):
    """The names listed by `extends` options of [buildout] in `path`."""
    names, section, current = [], None, None
    with open(path, encoding='utf-8', errors='replace') as fh:
        for line in fh:
            line = line.rstrip('\n')
            if not line.strip() or line[0] in '#;':
                continue
            if line[0].isspace():
                if current is not None:
                    names.extend(line.split())
                continue
            current = None
            m = HEADER.match(line)
            if m:
                section = m.group(1)
                continue
            m = OPTION.match(line)
            if m and section == 'buildout' and m.group(1).strip() == 'extends':
                current = names
                names.extend(m.group(2).split())
    return names


def closure(profile):
    seen, order, todo = set(), [], [os.path.abspath(profile)]
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        order.append(path)
        base = os.path.dirname(path)
        for name in extends_of(path):
            if '://' in name:
                continue
            todo.append(os.path.normpath(os.path.join(base, name)))
    return order


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for path in closure(sys.argv[1]):
        print(path)


if __name__ == '__main__':
    main()
