#!/usr/bin/env python3
"""The first training step of a resumed run on JAX, cold and warm: issue 30's goal, warm at most a third of cold on the CPU.

    python bench/warm_start.py [--size 64] [--batch 8] [--widths ''] [--repeats 2] [--out bench/results/warm_start.json]

A run of the default colorizer (`Config`'s widths, with its classifier) on the built-in synthetic butterflies starts
in a fresh Python with KERAS_BACKEND=jax, is paused after its step 2 (a checkpoint written) and killed with SIGKILL,
as a Colab disconnect kills it. Its folder, with the `jax-cache` that `train` kept there (`devices.use_compile_cache`),
is then resumed in fresh Pythons, alternately from a copy whose `jax-cache` was deleted (cold: everything compiled
again) and from a copy with it (warm: as the next Colab session finds it on Drive), each copy put where the run was:
JAX's key for a program holds the cache folder's path (it hands XLA sub-folders of it for XLA's own caches), so a
run moved elsewhere compiles again. Timed in each: from the Python's
first line to the end of the resumed run's first step (imports, data, the model, the checkpoint restored, the step
compiled or read back, the step itself: what the user waits for), and the part of it inside `train`. The median of
--repeats resumes of each is reported. Run it on an idle machine: every figure is CPU time on its cores.
"""
import time
STARTED = time.perf_counter()       # before any import: the resumed process's whole wait counts
import json, os, shutil, signal, statistics, subprocess, sys, tempfile
from pathlib import Path
from _common import ROOT, WORKER_MARK, machine_info, parser, run_worker, write_json

GOAL = 1 / 3    # warm first step at most this fraction of cold
DATA = 'synthetic:n_species=4,size={size},n_train=64,n_valid=8,n_test=8,seed=0'

def config(size:int, batch:int, widths:str, home:Path):
    from coloring_nb.core import Config
    extra = {'widths': tuple(int(w) for w in widths.split(','))} if widths else {}
    return Config(data=DATA.format(size=size), size=size, batch_size=batch, epochs=2, checkpoint_every=1,
                  cache_dir=str(home/'lab-cache'), precision='float32', **extra)

def worker(run_dir:str, size:int, batch:int, widths:str, stop:bool) -> None:
    "Train (or resume) the run in `run_dir`; with `stop`, at the end of its first step here, print the timings and exit at once."
    import keras
    from coloring_nb.train import train
    assert keras.backend.backend() == 'jax', keras.backend.backend()
    class FirstStep(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            now = time.perf_counter()
            print(WORKER_MARK + json.dumps({'first_step_s': now - STARTED, 'in_train_s': now - in_train}), flush=True)
            os._exit(0)
    in_train = time.perf_counter()
    train(config(size, batch, widths, Path(os.environ['COLORING_NB_HOME'])), run_dir=run_dir, verbose=0, callbacks=[FirstStep()] if stop else [])
    sys.exit('the run had no step left to take')

def first_session(work:Path, args, env:dict) -> Path:
    "The run's first session: started, paused after step 2 (checkpoint written), killed; its folder."
    run, flag = work/'run', work/'paused'
    env = {**os.environ, **env, 'COLORING_NB_PAUSE_AT': 'step:2', 'COLORING_NB_PAUSE_FLAG': str(flag),
           'PYTHONPATH': os.pathsep.join(p for p in (str(ROOT), os.environ.get('PYTHONPATH')) if p)}
    child = subprocess.Popen([sys.executable, __file__, '--worker', *map(str, (run, args.size, args.batch, args.widths, ''))], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while not flag.exists():
        if child.poll() is not None: sys.exit(f'the first session ended before step 2:\n{child.stderr.read()[-3000:]}')
        time.sleep(0.5)
    child.send_signal(signal.SIGKILL); child.wait()
    return run

def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--worker':
        run_dir, size, batch, widths, stop = sys.argv[2:7]
        return worker(run_dir, int(size), int(batch), widths, stop == 'stop')
    p = parser(__doc__, 'warm_start')
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--widths', default='', help="the colorizer's widths, e.g. 8,16 for a rehearsal (default: Config's)")
    p.add_argument('--repeats', type=int, default=2)
    args = p.parse_args()
    env = {'KERAS_BACKEND': 'jax', 'JAX_PLATFORMS': 'cpu', 'COLORING_NB_HOME': '', 'JAX_COMPILATION_CACHE_DIR': ''}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env['COLORING_NB_HOME'] = str(work/'home')
        run = first_session(work, args, env)
        cache = run/'jax-cache'
        cached = sorted(f.name for f in cache.rglob('*') if f.is_file()) if cache.is_dir() else []
        print(f"first session killed after step 2; {run.name}/jax-cache holds {len(cached)} files, "
              f"{sum(f.stat().st_size for f in cache.rglob('*') if f.is_file()):,} bytes", flush=True)
        if not cached: sys.exit('train kept no compiled program in the run folder: nothing to measure')
        times = {'cold': [], 'warm': []}
        shutil.move(run, work/'killed')     # each resume starts from it, in the same folder (see below)
        for i in range(args.repeats):
            for kind in ('cold', 'warm'):
                shutil.rmtree(run, ignore_errors=True)
                shutil.copytree(work/'killed', run)
                if kind == 'cold': shutil.rmtree(run/'jax-cache')
                result = run_worker(__file__, [run, args.size, args.batch, args.widths, 'stop'], env, f'the {kind} resume')
                times[kind].append(result)
                print(f"{kind} resume {i + 1}: first step {result['first_step_s']:.1f} s after the Python started "
                      f"({result['in_train_s']:.1f} s of it in train)", flush=True)
    med = {kind: {k: statistics.median(r[k] for r in rs) for k in ('first_step_s', 'in_train_s')} for kind, rs in times.items()}
    ratio = med['warm']['first_step_s'] / med['cold']['first_step_s']
    out = {'first_step_cold_s': round(med['cold']['first_step_s'], 2), 'first_step_warm_s': round(med['warm']['first_step_s'], 2),
           'in_train_cold_s': round(med['cold']['in_train_s'], 2), 'in_train_warm_s': round(med['warm']['in_train_s'], 2),
           'warm_over_cold': round(ratio, 3), 'goal': f'warm <= {GOAL:.3f} x cold', 'meets_goal': ratio <= GOAL,
           'runs': times, 'size': args.size, 'batch': args.batch, 'widths': args.widths or 'Config default',
           'cache_files': len(cached), 'backend': 'jax (CPU)', 'machine': machine_info()}
    print(f"\nfirst step of a resumed run on JAX: cold {out['first_step_cold_s']:.1f} s, warm {out['first_step_warm_s']:.1f} s "
          f"(warm/cold {ratio:.2f}; goal <= {GOAL:.2f}: {'met' if out['meets_goal'] else 'NOT met'})")
    print(f"wrote {write_json(args.out, out)}")

if __name__ == '__main__': main()
