"Helpers shared by the benchmark scripts: the machine a run happened on, and writing results as JSON."
import argparse, datetime, json, os, platform, sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
RESULTS = ROOT/'bench'/'results'
SHARED_DATA = ROOT.parent/'shared'/'data'  # the real butterflies beside a checkout (never in the repository)
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))  # so `import coloring_nb` works from a checkout

def cpu_model() -> str:
    "The CPU's model name (from /proc/cpuinfo on Linux, else `platform`)."
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or platform.machine()

def gpu_names() -> str|None:
    "Names of the GPUs the Keras backend sees, comma-separated, or None."
    backend = os.environ.get('KERAS_BACKEND', 'tensorflow')
    try:
        if backend == 'tensorflow':
            import tensorflow as tf
            gpus = tf.config.list_physical_devices('GPU')
            names = [tf.config.experimental.get_device_details(g).get('device_name', g.name) for g in gpus]
        elif backend == 'jax':
            import jax
            names = [d.device_kind for d in jax.devices() if d.platform == 'gpu']
        elif backend == 'torch':
            import torch
            names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        else: names = []
    except ImportError: names = []
    return ', '.join(names) or None

def machine_info() -> dict:
    "CPU model, cores, GPU (if any), Python and library versions, Keras backend, and the date: a flat dict."
    info = {'cpu': cpu_model(), 'cores': os.cpu_count(), 'gpu': gpu_names(), 'python': platform.python_version(),
            'keras_backend': os.environ.get('KERAS_BACKEND', 'tensorflow')}
    for lib in ('keras', 'tensorflow', 'jax', 'torch', 'numpy', 'opencv-python-headless'):
        try: info[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError: pass
    info['date'] = datetime.datetime.now().astimezone().isoformat(timespec='seconds')
    return info

def write_json(path, results:dict) -> Path:
    "Write `results` as one JSON object to `path` (atomically: a temporary file, then a rename)."
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + '.tmp')
    tmp.write_text(json.dumps(results, indent=2) + '\n')
    os.replace(tmp, path)
    return path

def parser(doc:str, name:str|None, data:str|None=None) -> argparse.ArgumentParser:
    "A benchmark's argument parser with the convention's --data (default ../shared/data/DATA) and --out (default bench/results/NAME.json)."
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    if data: p.add_argument('--data', default=str(SHARED_DATA/data), help=f'the images (default: ../shared/data/{data})')
    if name: p.add_argument('--out', default=str(RESULTS/f'{name}.json'), help='where to write the JSON results')
    return p

def limited(index, limit:int=0):
    "`index` with at most `limit` images of each of its train and valid splits (a rehearsal's few images); all of it with 0."
    if not limit: return index
    from coloring_nb.folders import ImageIndex
    return ImageIndex([item for split in ('train', 'valid') for item in index.split(split)[:limit]], index.class_names, index.root, index.source)

WORKER_MARK = 'WORKER-RESULT '   # the line a benchmark's worker process prints its JSON result on

def run_worker(script:str, args:list, env:dict, what:str, timeout:float=1800) -> dict:
    "Run `script --worker ...args` in a fresh Python with `env` added (this checkout importable); the JSON it printed after `WORKER_MARK`."
    import subprocess
    env = {**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3', **env,
           'PYTHONPATH': os.pathsep.join(p for p in (str(ROOT), os.environ.get('PYTHONPATH')) if p)}
    done = subprocess.run([sys.executable, script, '--worker', *map(str, args)], env=env, capture_output=True, text=True, timeout=timeout)
    lines = [l for l in done.stdout.splitlines() if l.startswith(WORKER_MARK)]
    if done.returncode or not lines:
        raise RuntimeError(f'{what}: the worker failed (exit status {done.returncode}):\n{done.stderr[-3000:]}')
    return json.loads(lines[-1][len(WORKER_MARK):])

def time_training_steps(model, size:int, batch:int, steps:int) -> tuple:
    "Train `model` (compiled, 100 classes) on one random batch: (seconds of the first step, seconds of each of `steps` more, the last step's logs)."
    import time
    import numpy as np
    from coloring_nb.run import batch_logs
    rng = np.random.default_rng(0)
    L = rng.random((batch, size, size, 1), dtype=np.float32)
    ab = rng.uniform(-0.5, 0.5, (batch, size, size, 2)).astype(np.float32)
    labels = rng.integers(0, 100, batch).astype(np.int32)
    t = time.perf_counter()
    batch_logs(model, L, ab, labels, train=True)
    first, times = time.perf_counter() - t, []
    for _ in range(steps):
        t = time.perf_counter()
        logs = batch_logs(model, L, ab, labels, train=True)
        times.append(time.perf_counter() - t)
    assert all(np.isfinite(v) for v in logs.values()), logs
    return first, times, logs
