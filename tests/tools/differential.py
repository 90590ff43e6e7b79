#!/usr/bin/python3
"""Differential test: random small multi-file profiles, resolved by kiln and by the
reference oracle (../shared/oracle/resolve.py); prints every profile whose canonical
results differ (same comparison as check_corpus.py).

usage: differential.py --kiln build/engine/kiln [--count N] [--seed S] [--keep DIR]
"""
import argparse, json, os, random, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE_DIR = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'oracle'))
sys.path.insert(0, ORACLE_DIR)
import check_corpus  # noqa: E402  (canonical(), the corpus comparison)

SECTIONS = ['a', 'b', 'c', 'd', 'buildout']
KEYS = ['x', 'y', 'z', 'parts', 'recipe', 'x+', 'y -', 'download-cache', 'directory',
        'bin-directory', 'installed', 'eggs-directory', 'extends-cache', '<part-dependencies>']
WORDS = ['1', 'two', 'v w', '$$', '$${a:x}', '${a:x}', '${:y}', '${b:z}', '${c:missing}',
         '${:_profile_base_location_}', '${x', '}', '${a:x:y}', '${:_buildout_section_name_}',
         '$$PATH', '# not a comment', '; nor this', '${buildout:directory}', 'cache', '~/c',
         '/abs', '${buildout:bin-directory}', '${a:_profile_base_location_}', '$${:x}',
         '${:x}${:y}', '$$$', '${ a : x }', '${a:x }', '\\x23']


def rvalue(r):
    n = r.choice([0, 1, 1, 2, 3])
    first = ' '.join(r.choice(WORDS) for _ in range(n))
    lines = [first]
    if r.random() < 0.3:
        for _ in range(r.randint(1, 3)):
            lines.append(r.choice(['', '  ', '    ' + r.choice(WORDS), '\t' + r.choice(WORDS),
                                   '  ' + r.choice(WORDS), '#c']))
    return lines


def rsection(r, names):
    name = r.choice(SECTIONS)
    cond = r.choice(['', '', '', ':python3', ':python2', ':not python2 and linux', ':bits32 or posix'])
    out = ['[%s%s]' % (name, cond)]
    if name != 'buildout' and r.random() < 0.2:
        out.append('<= ' + r.choice([s for s in SECTIONS if s != name]))
    if r.random() < 0.1:
        out.append('=> ' + r.choice(SECTIONS))
    for _ in range(r.randint(0, 4)):
        key = r.choice(KEYS)
        if name == 'buildout' and r.random() < 0.4 and names:
            out.append('extends = ' + ' '.join(r.sample(names, r.randint(1, min(2, len(names))))))
            continue
        op = r.choice(['=', '=', '=', ' +=', ' -=', '+=', '-='])
        lines = rvalue(r)
        out.append('%s %s %s' % (key, op, lines[0]) if lines[0] else '%s %s' % (key, op))
        out.extend(lines[1:])
    return out


def rprofile(r, d):
    names = ['f%d.cfg' % i for i in range(r.randint(1, 4))]
    os.makedirs(os.path.join(d, 'sub'), exist_ok=True)
    for i, n in reversed(list(enumerate(names))):
        later = names[i + 1:] + ['sub/s.cfg'] * (r.random() < 0.2)
        lines = []
        for _ in range(r.randint(1, 4)):
            lines += rsection(r, later)
        with open(os.path.join(d, n), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    with open(os.path.join(d, 'sub', 's.cfg'), 'w') as f:
        f.write('[b]\nz = ${:_profile_base_location_}/s\n[a]\nx += sub\n')
    return os.path.join(d, names[0])


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {'__fatal__': 'no json: ' + p.stderr[-200:]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kiln', required=True)
    ap.add_argument('--count', type=int, default=200)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--keep')
    a = ap.parse_args()
    bad = 0
    for i in range(a.count):
        r = random.Random(a.seed * 100003 + i)
        d = tempfile.mkdtemp(prefix='kiln-diff-')
        try:
            main_cfg = rprofile(r, d)
            for mode in ('raw', 'sub'):
                flag = ['--raw'] if mode == 'raw' else []
                o = run(['/usr/bin/python3', os.path.join(ORACLE_DIR, 'resolve.py')] + flag + [main_cfg])
                k = run([a.kiln, 'resolve', '--json'] + flag + [main_cfg])
                co, ck = check_corpus.canonical(o, k), check_corpus.canonical(k, o)
                if co != ck:
                    bad += 1
                    print('MISMATCH case %d %s' % (i, mode))
                    print('\n'.join(check_corpus.diff(co, ck)))
                    if a.keep:
                        dst = os.path.join(a.keep, 'case%d' % i)
                        shutil.rmtree(dst, ignore_errors=True)
                        shutil.copytree(d, dst)
                    break
        finally:
            shutil.rmtree(d)
    print('differential: %d/%d cases identical' % (a.count - bad, a.count))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
