#!/usr/bin/python3
"""Runs the reference zc.buildout (Debian's python3-zc.buildout) as `buildout`.

Debian 12 ships zc.buildout 2.13.2, which still imports the ABCs from `collections`
(removed in Python 3.10): /usr/bin/buildout fails at import. This puts the aliases
back, then calls buildout's main() with our arguments. Used by bench/build.sh.
"""
import collections
import collections.abc
import sys

for _name in ('Mapping', 'MutableMapping', 'MutableSet', 'Sequence', 'Callable'):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

from zc.buildout.buildout import main  # noqa: E402

if __name__ == '__main__':
    sys.argv[0] = 'buildout'
    sys.exit(main())
