"""Colab's package versions, read from its published list (../shared/colab/pip-freeze.gpu.txt), for the replica.

    python .ci/colab_env.py constraints FREEZE OUT   # pip constraints: every installable pin of the list
    python .ci/colab_env.py pins FREEZE NAME...      # NAME==VERSION for each name (fails on a name Colab lacks)
    python .ci/colab_env.py requirements             # the library's runtime requirement names, from settings.ini
    python .ci/colab_env.py changed BEFORE AFTER     # pins that an install changed or removed (exit 1 if any)

Lines pip cannot install from a package registry as written (`name @ file:///…`, `git+…`, local versions such
as `+cu128`) are left out of the constraints and named on stderr.
"""
import configparser, re, sys
from pathlib import Path

def canonical(name): return re.sub(r'[-_.]+', '-', name).lower()

def read_freeze(path):
    "{canonical name: (name, version)} of the `name==version` lines, and the lines left out with why."
    pins, skipped = {}, []
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith('#'): continue
        m = re.fullmatch(r'([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)', line)
        if not m: skipped.append((line, 'not a registry pin')); continue
        name, version = m.groups()
        if '+' in version: skipped.append((line, 'a local version, built for another index')); continue
        pins[canonical(name)] = (name, version)
    return pins, skipped

def requirement_names():
    "The names in settings.ini's `requirements` (the library's runtime dependencies)."
    settings = configparser.ConfigParser(delimiters=['='])
    settings.read(Path(__file__).resolve().parents[1]/'settings.ini')
    return [re.split(r'[<>=!~;\[ ]', r, maxsplit=1)[0] for r in settings['DEFAULT']['requirements'].split()]

def main(argv):
    command, *args = argv
    if command == 'constraints':
        pins, skipped = read_freeze(args[0])
        Path(args[1]).write_text(''.join(f'{n}=={v}\n' for n, v in pins.values()))
        for line, why in skipped: print(f'colab replica: left out {line!r}: {why}', file=sys.stderr)
        return 0
    if command == 'pins':
        pins, _ = read_freeze(args[0])
        missing = [n for n in args[1:] if canonical(n) not in pins]
        if missing:
            print(f"colab replica: Colab's list {args[0]} has no {', '.join(missing)}", file=sys.stderr)
            return 1
        print(' '.join('{}=={}'.format(*pins[canonical(n)]) for n in args[1:]))
        return 0
    if command == 'requirements':
        print(' '.join(requirement_names()))
        return 0
    if command == 'changed':
        before, _ = read_freeze(args[0])
        after, _ = read_freeze(args[1])
        changed = [f'{n}: {v} -> {after[k][1] if k in after else "removed"}' for k, (n, v) in before.items()
                   if after.get(k, (n, None))[1] != v]
        for line in changed: print(f'colab replica: the install changed a preinstalled package: {line}', file=sys.stderr)
        return 1 if changed else 0
    print(__doc__, file=sys.stderr)
    return 2

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
