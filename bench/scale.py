"""Training speed of the default colorizer on 1, 2, 4 devices with Keras' data parallelism (JAX backend).

Each device count runs in its own Python. By default JAX shows the CPU as the largest count of devices
(`virtual_devices_env`): those virtual devices share the same cores, so on a CPU this measures the OVERHEAD of
splitting a batch over devices, not scaling. With --platform default, JAX trains on the machine's own devices
(GPUs or TPU chips): with several of them it measures real scaling. Per count: the model
(`build_model(Config(size=S, batch_size=B), 100, weights=None)`, float32) is built and compiled (`compile_model`,
XLA) inside `data_parallel(n)`, trained (`batch_logs(..., train=True)`) on a random float32 global batch of B
images split over the n devices: a warm-up step (it compiles, timed alone), then --steps timed steps (median).
On a CPU it also times one device in a Python whose JAX shows the CPU as ONE device ('plain_1_device'): a check that
the 1-device baseline is not skewed by the virtual devices (the load from other work on the machine moves both).

    python bench/scale.py [--out FILE] [--size 224] [--batch 32] [--devices 1,2,4] [--steps 3] [--platform cpu|default]
"""
import argparse, json, os, statistics, time
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
from _common import WORKER_MARK, machine_info, parser, run_worker, time_training_steps, write_json


def cores() -> int:
    "The CPU cores this process may run on."
    try: return len(os.sched_getaffinity(0))
    except AttributeError: return os.cpu_count()

def worker(n:int, size:int, batch:int, steps:int) -> dict:
    "In a Python whose JAX shows several devices: train the colorizer data-parallel over `n` of them; its timings."
    import keras
    from coloring_nb.core import Config
    from coloring_nb.devices import backend_devices, data_parallel, data_shards, resolve_devices
    from coloring_nb.model import build_model
    from coloring_nb.run import compile_model
    devices = backend_devices()
    if not devices: raise SystemExit(f'scale.py needs the JAX backend; this worker has {keras.backend.backend()}')
    keras.config.set_dtype_policy('float32')
    config = Config(size=size, batch_size=batch, precision='float32', devices=n)
    n = resolve_devices(config.devices, batch)  # a ValueError when there are too few devices or the batch does not split
    with data_parallel(n):
        shards = data_shards()
        t = time.perf_counter()
        model = compile_model(build_model(config, 100, weights=None), config, steps_per_epoch=1000)
        build = time.perf_counter() - t
        first, times, _ = time_training_steps(model, size, batch, steps)
        kernel = next(v for v in model.trainable_variables if len(v.shape) == 4)  # a conv kernel: replicated on n devices
        placed_on = len(kernel.value.sharding.device_set)
    step = statistics.median(times)
    return {'devices': n, 'shards': shards, 'variables_on': placed_on, 'platform': devices[0].platform,
            'available': len(devices), 'device_kind': devices[0].device_kind, 'jit_compile': bool(model.jit_compile),
            'img_s': round(batch / step, 2), 'step_s': round(step, 3), 'step_s_all': [round(s, 3) for s in times],
            'compile_s': round(first, 1), 'build_s': round(build, 1)}

def run_count(n:int, most:int, a) -> dict:
    "Run `worker` for `n` devices in a fresh Python (on the CPU: JAX shows it as `most` devices); its result."
    from coloring_nb.devices import virtual_devices_env
    env = virtual_devices_env(most) if a.platform == 'cpu' else {'KERAS_BACKEND': 'jax'}
    return run_worker(__file__, [n, '--size', a.size, '--batch', a.batch, '--steps', a.steps], env, f'{n} device(s)', a.timeout)

def main(argv=None):
    p = parser(__doc__, 'scale')
    p.add_argument('--size', type=int, default=224, help='image side (a multiple of 16)')
    p.add_argument('--batch', type=int, default=32, help='global batch: images per step, split over the devices')
    p.add_argument('--devices', default='1,2,4', help='comma-separated device counts, each a divisor of --batch')
    p.add_argument('--steps', type=int, default=3, help='timed steps after the warm-up step; their median is the step time')
    p.add_argument('--platform', choices=('cpu', 'default'), default='cpu',
                   help="cpu: virtual CPU devices (measures overhead); default: JAX's own devices (GPUs, TPU chips)")
    p.add_argument('--timeout', type=float, default=3600, help='seconds before one device count is given up')
    p.add_argument('--worker', type=int, help=argparse.SUPPRESS)  # internal: be the worker for this device count
    a = p.parse_args(argv)
    if a.worker:
        print(WORKER_MARK + json.dumps(worker(a.worker, a.size, a.batch, a.steps)), flush=True)
        return
    load_before = os.getloadavg()[0]  # other work on the machine inflates the times: recorded beside them
    try: counts = [int(c) for c in a.devices.split(',') if c.strip()]
    except ValueError: p.error(f'--devices {a.devices!r}: give comma-separated whole numbers such as 1,2,4')
    if not counts or min(counts) < 1: p.error(f'--devices {a.devices!r}: give device counts of at least 1, such as 1,2,4')
    if bad := [c for c in counts if a.batch % c]: p.error(f"--batch {a.batch} does not split over {', '.join(map(str, bad))} devices: use a multiple of each count")
    results = {'size': a.size, 'batch': a.batch, 'steps': a.steps, 'precision': 'float32',
               'model': 'colorizer (default Config, 100 classes)', 'platform': None, 'what': None, 'devices': counts, 'counts': {}}
    results.update(machine_info())
    results['keras_backend'] = 'jax (subprocesses)'
    for n in counts:
        r = results['counts'][str(n)] = run_count(n, max(counts), a)
        if results['what'] is None:
            results['platform'] = r['platform']
            results['what'] = (f"overhead: {r['available']} virtual CPU devices sharing {cores()} cores (not scaling)"
                               if r['platform'] == 'cpu' else f"scaling: {r['available']} {r['platform']} devices ({r['device_kind']})")
            print(results['what'], flush=True)
        if '1' in results['counts']: r['relative_to_1'] = round(r['img_s'] / results['counts']['1']['img_s'], 2)
        rel = f", {r['relative_to_1']:.2f}x one device's speed" if 'relative_to_1' in r else ''
        print(f"{n} device(s): {r['img_s']:6.2f} img/s ({r['step_s']:.2f} s/step of {a.batch} at {a.size}²{rel}), "
              f"first step (compile) {r['compile_s']:.1f} s, batch split in {r['shards']}, weights on {r['variables_on']} device(s)", flush=True)
        results['load_average_1m'] = {'before': round(load_before, 2), 'after': round(os.getloadavg()[0], 2)}
        write_json(a.out, results)  # after each count, so that a run stopped early keeps what it measured
    if results['platform'] == 'cpu' and max(counts) > 1:  # check the baseline against JAX's plain one-device CPU
        r = results['plain_1_device'] = run_count(1, 1, a)
        for n, c in results['counts'].items(): c['relative_to_plain_1'] = round(c['img_s'] / r['img_s'], 2)
        print(f"1 device, JAX showing the CPU as 1 device (reference): {r['img_s']:6.2f} img/s ({r['step_s']:.2f} s/step), first step "
              f"{r['compile_s']:.1f} s; relative to it: " + ', '.join(f"{n}: {c['relative_to_plain_1']:.2f}x" for n, c in results['counts'].items()), flush=True)
        results['load_average_1m']['after'] = round(os.getloadavg()[0], 2)
        write_json(a.out, results)
    print(f"machine: {results['cpu']}, {results['cores']} cores, GPU: {results['gpu']}, Keras {results['keras']}, JAX {results.get('jax')}, float32")
    print(f"load average (1 min) before/after: {results['load_average_1m']['before']:.1f}/{results['load_average_1m']['after']:.1f} on {results['cores']} cores")
    print('wrote', a.out)
    return results

if __name__ == '__main__': main()
