"""How long each console script takes to answer `--help` (median of 5 fresh processes), and what it prints besides.

    python bench/cli.py [--out bench/results/cli.json] [--runs 5] [--label after]

The JSON keeps one entry per label ('before': the figures before issue 17, 'after': now), so a new measurement
does not erase the one it is compared with.

Each script runs as a user runs it (the installed entry point on PATH, else `python -m` of its module). Also
counted: lines of TensorFlow/absl/XLA logging among the output (`I0000`, `W0000`, `E0000`, `cuda`, `oneDNN`,
`cpu_feature_guard`), which `--help` should not print at all.
"""
import json, re, shutil, statistics, subprocess, sys, time
from _common import ROOT, machine_info, parser, write_json

SCRIPTS = {'coloring_nb_train': 'coloring_nb.cli:train_main', 'coloring_nb_demo': 'coloring_nb.cli:demo_main',
           'coloring_nb_colorize': 'coloring_nb.cli:colorize_main'}
LOG_LINE = re.compile(r'^[IWE]\d{4} |oneDNN|cuda|cpu_feature_guard|absl::', re.M)

def command(script:str) -> list:
    "The installed entry point, or the same function run by this Python."
    found = shutil.which(script)
    if found: return [found]
    module, func = SCRIPTS[script].split(':')
    return [sys.executable, '-c', f'import sys; from {module} import {func}; sys.exit({func}())']

def main():
    p = parser(__doc__, 'cli')
    p.add_argument('--runs', type=int, default=5)
    p.add_argument('--label', default='after', help="a name for this measurement, e.g. 'before' or 'after'")
    a = p.parse_args()
    results = {'label': a.label, 'runs': a.runs}
    for script in SCRIPTS:
        times, logs = [], 0
        for _ in range(a.runs):
            t = time.perf_counter()
            res = subprocess.run(command(script) + ['--help'], capture_output=True, text=True, cwd=ROOT)
            times.append(time.perf_counter() - t)
            assert res.returncode == 0, res.stderr[-2000:]
            logs = len(LOG_LINE.findall(res.stdout + res.stderr))
        results[f'{script}_help_s'] = round(statistics.median(times), 3)
        results[f'{script}_help_log_lines'] = logs
        print(f'{script} --help: median {statistics.median(times):.2f} s of {a.runs} (min {min(times):.2f}, max {max(times):.2f}); '
              f'{logs} TensorFlow/absl log lines')
    results.update(machine_info())
    try: kept = json.loads(open(a.out).read())
    except (OSError, ValueError): kept = {}
    if 'label' in kept: kept = {kept['label']: kept}          # the file's first form: one measurement
    kept[a.label] = results
    for label, r in kept.items():
        print(f"{label:>8}: " + ', '.join(f"{s} --help {r[f'{s}_help_s']:.2f} s" for s in SCRIPTS if f'{s}_help_s' in r))
    print(f'wrote {write_json(a.out, kept)}')

if __name__ == '__main__': main()
