#!/usr/bin/env python3
"""Writes the profiles of the build benchmarks (bench/build.sh) into DIR.

  gen_parts.py chain DIR [--parts N] [--flavor kiln|buildout]
      N parts (default 200, a multiple of 4) in N/4 components. Component i has:
        dirs-i     mkdirectory: etc, var, log under srv/c<i>
        source-i   command: writes etc/source.txt, after ${dirs-i:etc} and the
                   previous component's ${config-<i-1>:output}
        config-i   command: writes etc/app.conf from ${source-i:output},
                   ${dirs-i:var} and ${dirs-i:log}
        service-i  command: writes a start script reading ${config-i:output}
      so every part references others (the graph is a chain of components, each a
      small diamond), as in a SlapOS software release.
  gen_parts.py sleep DIR [--parts N]
      N independent command parts that each `sleep 1` (default 8).
  gen_parts.py cc DIR [--parts N]
      N independent command parts that each compile a C file with cc -O2
      (default 8); the sources are written into DIR/src. --functions F (default
      60) sets their size: F functions with loops and a switch, about 1000 lines
      and 0.4 s of cc -O2 for 60; 0 gives a 40-line file that compiles in a few
      tens of ms (process start-up, not compilation, then dominates).

Flavor `kiln` names the recipes `plone.recipe.command` and
`slapos.cookbook:mkdirectory` (Kiln's plugins `command` and `mkdirectory`).
Flavor `buildout` is the same profile for the reference zc.buildout, whose recipes
are not installed offline: it uses `kilnbench:command` and `kilnbench:mkdirectory`,
minimal Python stand-ins with the same behaviour (sh -c of `command` on install,
nothing on update; mkdir -p of every option), written as a ready egg into
DIR/eggs so that buildout loads them offline without a develop step.
"""
import argparse
import os
import sys

COMMAND = {'kiln': 'plone.recipe.command', 'buildout': 'kilnbench:command'}
MKDIR = {'kiln': 'slapos.cookbook:mkdirectory', 'buildout': 'kilnbench:mkdirectory'}

STANDIN = '''\
"""Stand-ins of plone.recipe.command and slapos.cookbook:mkdirectory for the
reference buildout in Kiln's benchmark (bench/gen_parts.py)."""
import os
import subprocess


class Command:
    def __init__(self, buildout, name, options):
        self.options = options
        self.directory = buildout['buildout']['directory']
        self.stop = options.get('stop-on-error', 'false') in ('true', 'yes', 'on', '1')

    def run(self, option):
        command = self.options.get(option, '').strip()
        if command:
            status = subprocess.call(['/bin/sh', '-c', command], cwd=self.directory)
            if status and self.stop:
                raise Exception(option + ' failed with exit status %d' % status)

    def install(self):
        self.run('command')
        return self.options.get('location', '').split()

    def update(self):
        self.run('update-command')


class Mkdirectory:
    def __init__(self, buildout, name, options):
        self.options = options

    def install(self):
        mode = int(self.options.get('mode', '0700'), 8)
        for key, path in sorted(self.options.items()):
            if key in ('recipe', 'mode') or key.startswith('_') or not path:
                continue
            if not os.path.isdir(path):
                os.makedirs(path)
                os.chmod(path, mode)
        return []

    update = install
'''


def buildout_section(flavor, parts):
    lines = ['[buildout]', 'parts =']
    lines += ['  ' + p for p in parts]
    if flavor == 'buildout':
        # Offline, no version pinning or picking, the stand-in recipes from eggs/.
        lines += ['offline = true', 'newest = false', 'allow-picked-versions = true',
                  'find-links =', 'index = file:///nonexistent', 'develop =']
    return '\n'.join(lines) + '\n'


def chain(n, flavor):
    if n % 4:
        sys.exit('gen_parts.py chain: --parts must be a multiple of 4')
    names, sections = [], []
    for i in range(n // 4):
        prev = f'${{config-{i - 1}:output}}' if i else 'none'
        root = f'${{buildout:directory}}/srv/c{i}'
        names += [f'dirs-{i}', f'source-{i}', f'config-{i}', f'service-{i}']
        sections.append(f'''
[dirs-{i}]
recipe = {MKDIR[flavor]}
etc = {root}/etc
var = {root}/var
log = {root}/log
mode = 0755

[source-{i}]
recipe = {COMMAND[flavor]}
output = ${{dirs-{i}:etc}}/source.txt
upstream = {prev}
command = echo "component {i} after ${{:upstream}}" > ${{:output}}
location = ${{:output}}
stop-on-error = true

[config-{i}]
recipe = {COMMAND[flavor]}
output = ${{dirs-{i}:etc}}/app.conf
command = printf 'source = %s\\nvar = %s\\nlog = %s\\n' ${{source-{i}:output}} ${{dirs-{i}:var}} ${{dirs-{i}:log}} > ${{:output}}
location = ${{:output}}
stop-on-error = true

[service-{i}]
recipe = {COMMAND[flavor]}
output = ${{dirs-{i}:etc}}/run.sh
command = printf '#!/bin/sh\\nexec cat %s\\n' ${{config-{i}:output}} > ${{:output}} && chmod +x ${{:output}}
location = ${{:output}}
stop-on-error = true
''')
    return buildout_section(flavor, names) + ''.join(sections)


def independent(n, flavor, command_of):
    names = [f'job-{i}' for i in range(n)]
    sections = [f'''
[job-{i}]
recipe = {COMMAND[flavor]}
command = {command_of(i)}
stop-on-error = true
''' for i in range(n)]
    return buildout_section(flavor, names) + ''.join(sections)


C_SOURCE = '''\
/* Generated by bench/gen_parts.py: some work for cc -O2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct item { char name[32]; double weight; int rank; };

static int compare_%(i)d(const void* a, const void* b) {
  const struct item* x = a;
  const struct item* y = b;
  if (x->weight != y->weight) return x->weight < y->weight ? -1 : 1;
  return strcmp(x->name, y->name);
}

static unsigned long long fib_%(i)d(unsigned n) {
  unsigned long long a = 0, b = 1;
  while (n--) { unsigned long long t = a + b; a = b; b = t; }
  return a;
}

%(extra)s
int main(int argc, char** argv) {
  struct item items[64];
  for (int k = 0; k < 64; ++k) {
    snprintf(items[k].name, sizeof items[k].name, "item-%%d-%%d", %(i)d, k);
    items[k].weight = (double)((k * 7919 + %(i)d) %% 101) / 3.0;
    items[k].rank = k;
  }
  qsort(items, 64, sizeof items[0], compare_%(i)d);
  double values[8], total = 0;
  for (int k = 0; k < 8; ++k) values[k] = items[k].weight;
%(calls)s  printf("%%s %%llu %%g\\n", argc > 1 ? argv[1] : items[0].name, fib_%(i)d(50), total);
  return 0;
}
'''


# One of the functions that give cc -O2 some work (loops to unroll and
# vectorize, a switch, inlining).
C_FUNCTION = '''
static double work_%(i)d_%(k)d(const double* v, int n, int mode) {
  double acc = %(k)d;
  for (int a = 0; a < n; ++a) {
    for (int b = a; b < n; b += 1 + (a %% 3)) {
      switch ((a + b + mode) %% 5) {
        case 0: acc += v[a] * v[b]; break;
        case 1: acc -= v[b] / (1.0 + v[a] * v[a]); break;
        case 2: acc *= 1.0 + 1e-9 * v[(a * b) %% n]; break;
        case 3: acc += (a ^ b) * 0.5; break;
        default: acc = acc > 1e6 ? acc / 3.0 : acc + %(k)d.25;
      }
    }
  }
  return acc;
}
'''


def c_source(i, functions):
    extra = ''.join(C_FUNCTION % {'i': i, 'k': k} for k in range(functions))
    calls = ''.join(
        f'  total += work_{i}_{k}(values, 8, argc + {k});\n'
        for k in range(functions))
    return C_SOURCE % {'i': i, 'extra': extra, 'calls': calls}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('kind', choices=['chain', 'sleep', 'cc'])
    ap.add_argument('dir')
    ap.add_argument('--parts', type=int)
    ap.add_argument('--flavor', choices=['kiln', 'buildout'], default='kiln')
    ap.add_argument('--functions', type=int, default=60,
                    help='cc: functions per C file (default 60)')
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    if a.kind == 'chain':
        text = chain(a.parts or 200, a.flavor)
    elif a.kind == 'sleep':
        text = independent(a.parts or 8, a.flavor, lambda i: 'sleep 1')
    else:
        n = a.parts or 8
        src = os.path.join(a.dir, 'src')
        os.makedirs(src, exist_ok=True)
        for i in range(n):
            with open(os.path.join(src, f'prog{i}.c'), 'w') as f:
                f.write(c_source(i, a.functions))
        text = independent(
            n, a.flavor,
            lambda i: f'cc -O2 -o ${{buildout:directory}}/prog{i} ${{buildout:directory}}/src/prog{i}.c')
    with open(os.path.join(a.dir, 'buildout.cfg'), 'w') as f:
        f.write(text)
    if a.flavor == 'buildout':
        write_standin_egg(a.dir)


def write_standin_egg(d):
    py = f'py{sys.version_info[0]}.{sys.version_info[1]}'
    egg = os.path.join(d, 'eggs', f'kilnbench-1.0-{py}.egg')
    os.makedirs(os.path.join(egg, 'EGG-INFO'), exist_ok=True)
    with open(os.path.join(egg, 'kilnbench.py'), 'w') as f:
        f.write(STANDIN)
    with open(os.path.join(egg, 'EGG-INFO', 'PKG-INFO'), 'w') as f:
        f.write('Metadata-Version: 1.1\nName: kilnbench\nVersion: 1.0\n')
    with open(os.path.join(egg, 'EGG-INFO', 'entry_points.txt'), 'w') as f:
        f.write('[zc.buildout]\ncommand = kilnbench:Command\n'
                'mkdirectory = kilnbench:Mkdirectory\n')
    with open(os.path.join(egg, 'EGG-INFO', 'top_level.txt'), 'w') as f:
        f.write('kilnbench\n')


if __name__ == '__main__':
    main()
