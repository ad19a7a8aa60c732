"""Colab's package versions, read from its published list (../shared/colab/pip-freeze.gpu.txt), for the replica.

    python .ci/colab_env.py python FREEZE            # the path of Colab's Python (os-info-*.txt beside FREEZE) here
    python .ci/colab_env.py constraints FREEZE OUT   # pip constraints: every installable pin of the list
    python .ci/colab_env.py pins FREEZE NAME...      # NAME==VERSION for each name (fails on a name Colab lacks)
    python .ci/colab_env.py pins --present FREEZE NAME...   # the same for the names the list has; the others on stderr
    python .ci/colab_env.py requirements [--without NAME...]  # the library's runtime requirement names (settings.ini)
    python .ci/colab_env.py install-cell NOTEBOOK    # the source of the notebook's install cell (first code cell with 'pip')
    python .ci/colab_env.py changed BEFORE AFTER     # pins that an install changed or removed (exit 1 if any)
    python .ci/colab_env.py outside FREEZE INSTALLED # the pins of INSTALLED (a pip freeze) that the list lacks

Lines pip cannot install from a package registry as written (`name @ file:///…`, `git+…`, local versions such
as `+cu128`) are left out of the constraints and named on stderr.
"""
import configparser, json, os, re, shutil, subprocess, sys
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

def colab_python(freeze):
    "Colab's Python (its `X.Y` from the os-info file beside `freeze`) here: pyenv's newest X.Y.*, else pythonX.Y on PATH."
    info = Path(freeze).with_name(Path(freeze).name.replace('pip-freeze.', 'os-info-'))
    found = re.search(r'^Python (\d+\.\d+)', info.read_text(), re.M) if info.is_file() else None
    version = found.group(1) if found else '3.13'
    def newest_first(paths): return sorted(paths, key=lambda p: [int(n) for n in re.findall(r'\d+', Path(p).parents[1].name)], reverse=True)
    roots = [Path(os.environ.get('PYENV_ROOT', Path.home()/'.pyenv'))]
    if shutil.which('pyenv'):
        root = subprocess.run(['pyenv', 'root'], capture_output=True, text=True).stdout.strip()
        if root: roots.insert(0, Path(root))
    candidates = newest_first(str(p) for root in roots for p in (root/'versions').glob(f'{version}*/bin/python{version}')
                              if re.fullmatch(rf'{re.escape(version)}(\.\d+)?', p.parents[1].name))
    candidates.append(shutil.which(f'python{version}'))   # a pyenv shim that is not active fails the check below
    for c in filter(None, candidates):
        if subprocess.run([c, '-c', 'import venv'], capture_output=True).returncode == 0: return version, c
    return version, None

def install_cell(notebook):
    "The source of `notebook`'s install cell: its first code cell that mentions pip."
    cells = json.loads(Path(notebook).read_text())['cells']
    return next(''.join(c['source']) for c in cells if c['cell_type'] == 'code' and 'pip' in ''.join(c['source']))

def main(argv):
    command, *args = argv
    if command == 'constraints':
        pins, skipped = read_freeze(args[0])
        Path(args[1]).write_text(''.join(f'{n}=={v}\n' for n, v in pins.values()))
        for line, why in skipped: print(f'colab replica: left out {line!r}: {why}', file=sys.stderr)
        return 0
    if command == 'python':
        version, found = colab_python(args[0])
        if not found:
            print(f"Python {version} (Colab's) is not installed: install it (e.g. pyenv install {version}) and run again", file=sys.stderr)
            return 1
        print(found)
        return 0
    if command == 'pins':
        present_only = args[0] == '--present'
        if present_only: args = args[1:]
        pins, _ = read_freeze(args[0])
        missing = [n for n in args[1:] if canonical(n) not in pins]
        if missing:
            print(f"colab replica: Colab's list {args[0]} has no {', '.join(missing)}"
                  + (': left to the install' if present_only else ''), file=sys.stderr)
            if not present_only: return 1
        print(' '.join('{}=={}'.format(*pins[canonical(n)]) for n in args[1:] if canonical(n) in pins))
        return 0
    if command == 'requirements':
        without = {canonical(n) for n in args[1:]} if args[:1] == ['--without'] else set()
        print(' '.join(n for n in requirement_names() if canonical(n) not in without))
        return 0
    if command == 'install-cell':
        print(install_cell(args[0]))
        return 0
    if command == 'changed':
        before, _ = read_freeze(args[0])
        after, _ = read_freeze(args[1])
        changed = [f'{n}: {v} -> {after[k][1] if k in after else "removed"}' for k, (n, v) in before.items()
                   if after.get(k, (n, None))[1] != v]
        for line in changed: print(f'colab replica: the install changed a preinstalled package: {line}', file=sys.stderr)
        return 1 if changed else 0
    if command == 'outside':
        listed, _ = read_freeze(args[0])
        installed, _ = read_freeze(args[1])
        print(' '.join(f'{n}=={v}' for k, (n, v) in installed.items() if k not in listed))
        return 0
    print(__doc__, file=sys.stderr)
    return 2

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
