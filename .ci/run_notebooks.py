"""Run notebooks as tests with the interpreter and packages at hand, without nbdev.

The Colab replica cannot install nbdev: nbdev 2.4 and execnb pin fastcore < 1.13, Colab has fastcore 2.x, and
installing them would change Colab's versions. This runner does what `nbdev_test` does with IPython alone
(Colab has IPython 7.34): every notebook in its own process, its code cells run in order by an IPython shell
in the notebook's folder, with `IN_TEST=1`; cells are skipped by nbdev's rules (markdown, cells that call
`nbdev_export(`, `#| eval: false`, and the flags of settings.ini's `tst_flags` unless asked for); the first
failing cell fails the notebook.

    python .ci/run_notebooks.py [--colab] [--flags slow] [--workers 2] nbs/*.ipynb

`--colab` runs each notebook as Colab runs it: `google.colab` imported first and `COLAB_RELEASE_TAG` set
(the replica's `google.colab` is the stand-in in .ci/google_colab_standin). `--durations FILE` starts the
longest notebooks first, by the `NAME.ipynb: N secs` lines that `nbdev_test --timing` printed into FILE (a
notebook it did not time goes first), so that two workers do not end with one long notebook running alone.
Prints one line per notebook and, last, `notebooks: N passed, M failed`; exits 1 if any failed.
"""
import argparse, configparser, json, os, re, subprocess, sys, tempfile, threading, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def directives(source):
    "nbdev's directives of a cell: the `#| name value` lines at its top, as {name: [values]}."
    found = {}
    for line in source.splitlines():
        m = re.match(r'\s*#\s*\|\s*([\w-]+:?)\s*(.*)', line)
        if m: found[m.group(1)] = m.group(2).split()
        elif line.strip() and not line.lstrip().startswith('#'): break
    return found

def skipped(cell, flags):
    "Whether `nbdev_test` would skip `cell` given the skip `flags`."
    if cell['cell_type'] != 'code': return True
    source = ''.join(cell['source'])
    if 'nbdev_export' + '(' in source: return True
    found = directives(source)
    if (found.get('eval:') or [''])[0].lower() == 'false': return True
    return bool(flags & found.keys())

def run_one(path, flags, colab):
    "Run one notebook in this process; returns the exit code."
    nb = json.loads(Path(path).read_text())
    os.chdir(Path(path).parent)
    os.environ['IN_TEST'] = '1'
    if colab:
        os.environ.setdefault('COLAB_RELEASE_TAG', 'replica')
        import google.colab  # noqa: F401  (Colab's kernel has it imported)
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance(colors='NoColor')
    for i, cell in enumerate(nb['cells']):
        if skipped(cell, flags): continue
        result = shell.run_cell(''.join(cell['source']), store_history=False)
        if not result.success:
            print(f'\n{path}: cell {i} failed:\n' + ''.join(cell['source'])[:2000], flush=True)
            return 1
    return 0

def longest_first(notebooks, durations):
    "`notebooks` ordered by the seconds `nbdev_test --timing` gave them in the text `durations`, longest first; untimed ones first."
    secs = {m.group(1): float(m.group(2)) for m in re.finditer(r'^(\S+\.ipynb): (\d+(?:\.\d+)?) secs$', durations, re.M)}
    return sorted(notebooks, key=lambda path: -secs.get(Path(path).name, float('inf')))

def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('notebooks', nargs='+')
    parser.add_argument('--flags', nargs='*', default=[], help='flags of tst_flags to run anyway')
    parser.add_argument('--colab', action='store_true', help='run as in Colab (google.colab imported)')
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--durations', type=Path, help="nbdev_test --timing's output: start the longest notebooks first")
    parser.add_argument('--one', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    settings = configparser.ConfigParser(delimiters=['='])
    settings.read(ROOT/'settings.ini')
    flags = set(settings['DEFAULT'].get('tst_flags', '').split()) - set(args.flags)
    if args.one: sys.exit(run_one(Path(args.notebooks[0]).resolve(), flags, args.colab))

    notebooks = longest_first(args.notebooks, args.durations.read_text()) if args.durations and args.durations.exists() else args.notebooks
    logs = Path(tempfile.mkdtemp(prefix='notebooks-'))
    printing = threading.Lock()
    def say(text):   # whole lines: the counts are grep'd line by line, and two threads' print() calls can interleave
        with printing: sys.stdout.write(text + '\n'); sys.stdout.flush()
    def run(path):
        start, log = time.time(), logs/(Path(path).stem + '.log')
        say(f'Starting {path}')
        cmd = [sys.executable, __file__, '--one', str(Path(path).resolve()), *(['--colab'] if args.colab else []),
               '--flags', *args.flags]
        with open(log, 'w') as out: rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode
        took = time.time() - start
        say(f"{'passed' if rc == 0 else 'FAILED'} {path} ({took:.0f} s)")
        if rc: say(log.read_text()[-6000:])
        return rc == 0
    with ThreadPoolExecutor(args.workers) as pool: ok = list(pool.map(run, notebooks))
    print(f'notebooks: {sum(ok)} passed, {len(ok) - sum(ok)} failed')
    sys.exit(0 if all(ok) else 1)

if __name__ == '__main__': main()
