"""Training step time of the default colorizer on this machine with the TensorFlow and the JAX Keras backends.

The colorizer (`build_model(Config(size=S, batch_size=B), 100, weights=None)`, with its classifier) is compiled by
`compile_model` with its default jit setting (XLA on JAX, not on TensorFlow without a GPU), float32 policy, and
trained with `batch_logs(..., train=True)` on random float32 batches: one first step (it compiles, timed alone),
then --steps timed steps, of which the median is the step time. Each backend runs in its own Python
(KERAS_BACKEND set before keras is imported). Rows: 'tensorflow' and 'jax' (the defaults), 'tensorflow-xla'
(TensorFlow with jit_compile=True) and 'jax-eager' (JAX with jit_compile=False). The goal of issue 18: JAX
within 1.5x of TensorFlow's step time, or faster.

    python bench/backends.py [--out FILE] [--size 64] [--batch 8] [--steps 6] [--rows tensorflow,jax,tensorflow-xla]
"""
import argparse, json, os, statistics, time
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
from _common import WORKER_MARK, machine_info, parser, run_worker, time_training_steps, write_json

ROWS = {'tensorflow': ('tensorflow', None), 'jax': ('jax', None),
        'tensorflow-xla': ('tensorflow', True), 'jax-eager': ('jax', False)}  # name: (KERAS_BACKEND, jit_compile)
GOAL = 1.5  # JAX's step time at most this many times TensorFlow's

def worker(row:str, size:int, batch:int, steps:int) -> dict:
    "In a Python whose KERAS_BACKEND is the row's: build, compile and train the colorizer; its timings."
    started = time.perf_counter()
    import keras
    from coloring_nb.core import Config
    from coloring_nb.model import build_model
    from coloring_nb.run import compile_model
    assert keras.backend.backend() == ROWS[row][0], (keras.backend.backend(), row)
    keras.config.set_dtype_policy('float32')
    config = Config(size=size, batch_size=batch, precision='float32')
    t = time.perf_counter()
    model = compile_model(build_model(config, 100, weights=None), config, steps_per_epoch=1000, jit_compile=ROWS[row][1])
    build = time.perf_counter() - t
    first, times, _ = time_training_steps(model, size, batch, steps)
    return {'backend': keras.backend.backend(), 'jit_compile': bool(model.jit_compile), 'build_s': round(build, 1), 'first_step_s': round(first, 2),
            'step_ms': round(1000 * statistics.median(times), 1), 'step_ms_all': [round(1000 * s, 1) for s in times],
            'img_s': round(batch / statistics.median(times), 2), 'process_s': round(time.perf_counter() - started, 1)}

def run_row(row:str, size:int, batch:int, steps:int, timeout:float=1800) -> dict:
    "Run `worker` for `row` in a fresh Python with that row's backend; its result."
    return run_worker(__file__, [row, '--size', size, '--batch', batch, '--steps', steps], {'KERAS_BACKEND': ROWS[row][0]}, row, timeout)

def main(argv=None):
    p = parser(__doc__, 'backends')
    p.add_argument('--size', type=int, default=64, help='image side')
    p.add_argument('--batch', type=int, default=8, help='images per step')
    p.add_argument('--steps', type=int, default=6, help='timed steps after the first (compiling) one; their median is the step time')
    p.add_argument('--rows', default='tensorflow,jax,tensorflow-xla', help=f"comma-separated, of: {', '.join(ROWS)}")
    p.add_argument('--worker', choices=list(ROWS), help=argparse.SUPPRESS)  # internal: be the worker for this row
    a = p.parse_args(argv)
    if a.worker:
        print(WORKER_MARK + json.dumps(worker(a.worker, a.size, a.batch, a.steps)), flush=True)
        return
    load_before = os.getloadavg()[0]  # other work on the machine inflates the times: recorded beside them
    rows = [r.strip() for r in a.rows.split(',') if r.strip()]
    if bad := [r for r in rows if r not in ROWS]: p.error(f"--rows: unknown {', '.join(bad)}; use some of {', '.join(ROWS)}")
    results = {'size': a.size, 'batch': a.batch, 'steps': a.steps, 'precision': 'float32', 'model': 'colorizer (default Config, 100 classes)',
               'rows': {}}
    for row in rows:
        r = results['rows'][row] = run_row(row, a.size, a.batch, a.steps)
        print(f"{row:>14}: {r['step_ms']:7.1f} ms/step ({r['img_s']:.1f} img/s), first step {r['first_step_s']:.1f} s, "
              f"build {r['build_s']:.1f} s, jit_compile={r['jit_compile']}  (steps: {', '.join(map(str, r['step_ms_all']))} ms)", flush=True)
    rs = results['rows']
    if 'tensorflow' in rs and 'jax' in rs:
        results['jax_over_tf'] = round(rs['jax']['step_ms'] / rs['tensorflow']['step_ms'], 2)
        results['jax_first_over_tf_first'] = round(rs['jax']['first_step_s'] / rs['tensorflow']['first_step_s'], 2)
        start = {k: rs[k]['build_s'] + rs[k]['first_step_s'] for k in ('jax', 'tensorflow')}  # building + compiling: the wait before training
        results['jax_start_over_tf_start'] = round(start['jax'] / start['tensorflow'], 2)
        results['goal'] = f'JAX step time at most {GOAL}x TensorFlow\'s'
        results['goal_met'] = results['jax_over_tf'] <= GOAL
        print(f"JAX/TF step time: {results['jax_over_tf']:.2f}x (goal: at most {GOAL}x: {'met' if results['goal_met'] else 'NOT met'}); "
              f"first step: {results['jax_first_over_tf_first']:.2f}x; build + first step: {results['jax_start_over_tf_start']:.2f}x "
              f"({start['jax']:.1f} s vs {start['tensorflow']:.1f} s)")
    if 'tensorflow-xla' in rs and 'jax' in rs:
        results['jax_over_tf_xla'] = round(rs['jax']['step_ms'] / rs['tensorflow-xla']['step_ms'], 2)
        print(f"JAX/TF-with-XLA step time: {results['jax_over_tf_xla']:.2f}x")
    results.update(machine_info())
    results['load_average_1m'] = {'before': round(load_before, 2), 'after': round(os.getloadavg()[0], 2)}
    results['keras_backend'] = 'per row (subprocesses)'
    print(f"machine: {results['cpu']}, {results['cores']} cores, GPU: {results['gpu']}, Keras {results['keras']}, "
          f"TensorFlow {results.get('tensorflow')}, JAX {results.get('jax')}, {a.size}² batch {a.batch}, float32")
    print(f"load average (1 min) before/after: {results['load_average_1m']['before']:.1f}/{results['load_average_1m']['after']:.1f} on {results['cores']} cores")
    print('wrote', write_json(a.out, results))
    return results

if __name__ == '__main__': main()
