"""Data pipeline speed: building the Lab cache (1 and 2 processes) against the seed's per-image way, and batches from the cache.

The seed's way, for every image at every epoch: PIL opens the JPEG and resizes it to 224², scikit-image's
`rgb2lab` converts it to float64 Lab. Here each image is decoded once by OpenCV, cropped square, resized with
INTER_AREA, converted to uint8 Lab and written to a memory-mapped cache (`coloring_nb.data.build_cache`);
training reads batches from that cache (`coloring_nb.data.Batches`: batch 32, random flip and crop).

The seed's way and the cache build are measured in alternating rounds in the same run, so that load from
other processes on the machine touches both alike. "Per core" figures are images per CPU-second (this
process and its worker processes, user + system), the median over the rounds: on a machine shared with
other work they stay what one core does, where wall-clock rates drop with the load (both are written; the
wall-clock ones are the best round). Files are read once beforehand, so every method finds them in the
page cache.

    python bench/pipeline.py [--data DIR] [--out FILE] [--size 224] [--rounds 3] [--seed-images 290]
"""
import os, resource, shutil, statistics, tempfile, time
from pathlib import Path
from types import SimpleNamespace
from _common import machine_info, parser, write_json
import cv2, numpy as np
from PIL import Image
import skimage
from skimage.color import rgb2lab
from coloring_nb.data import Batches
from coloring_nb.cache import build_cache

def load_index(data:Path):
    "The index of a Kaggle-layout folder (`coloring_nb.folders.index_folder`, or a minimal reader of split/CLASS/*.jpg)."
    try: from coloring_nb.folders import index_folder
    except ImportError: index_folder = None
    if index_folder: return index_folder(data)
    files = sorted(p for p in data.glob('*/*/*') if p.suffix.lower() in ('.jpg', '.jpeg', '.png'))
    if not files: raise SystemExit(f"error: no images in {data}/<split>/<CLASS>/: expected the Kaggle layout")
    classes = sorted({p.parent.name for p in files})
    items = [SimpleNamespace(path=str(p), label=classes.index(p.parent.name), class_name=p.parent.name, split=p.parent.parent.name)
             for p in files]
    return SimpleNamespace(items=items, class_names=classes, root=data, source=str(data))

def seed_way(files:list, size:int):
    "The seed's preprocessing of each file: PIL resize to size², then skimage rgb2lab (float64)."
    for f in files:
        with Image.open(f) as im: rgb = np.asarray(im.convert('RGB').resize((size, size)))
        rgb2lab(rgb)

def cpu_seconds() -> float:
    "CPU time (user + system) of this process and of its finished child processes."
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

def rates(f, n:int) -> tuple:
    "(images per wall-clock second, images per CPU-second) of `f()`, which handles `n` images."
    wall, cpu = time.perf_counter(), cpu_seconds()
    f()
    return n / (time.perf_counter() - wall), n / (cpu_seconds() - cpu)

def main(argv=None):
    p = parser(__doc__, 'pipeline', data='butterflies')
    p.add_argument('--size', type=int, default=224, help='training size')
    p.add_argument('--rounds', type=int, default=3, help='alternating rounds of the seed way and the cache builds')
    p.add_argument('--seed-images', type=int, default=290, help='images per round for the (slow) seed way')
    p.add_argument('--batch-size', type=int, default=32)
    a = p.parse_args(argv)
    data = Path(a.data)
    if not data.is_dir(): raise SystemExit(f"error: {data} is not a folder")
    index = load_index(data)
    files = [it.path for it in index.items]
    for f in files: Path(f).read_bytes()               # into the page cache, for every method alike
    seed_files = files[::max(1, len(files) // a.seed_images)][:a.seed_images]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    print(f"{len(files)} images from {data}, {cores} cores; {a.rounds} rounds at {a.size}²")

    work = Path(tempfile.mkdtemp(prefix='pipeline_bench_'))
    try:
        seed, build1, build2 = [], [], []                  # (wall, cpu) rates per round
        for r in range(a.rounds):
            seed.append(rates(lambda: seed_way(seed_files, a.size), len(seed_files)))
            for workers, results in ((1, build1), (2, build2)):
                folder = work/f'cache{workers}'
                shutil.rmtree(folder, ignore_errors=True)
                results.append(rates(lambda: build_cache(index, folder, a.size, workers=workers, progress=False), len(files)))
            print(f"round {r + 1} (img/s wall | per CPU-second): seed way {seed[-1][0]:.0f} | {seed[-1][1]:.0f}; cache build, "
                  f"1 process {build1[-1][0]:.0f} | {build1[-1][1]:.0f}; 2 processes {build2[-1][0]:.0f} | {build2[-1][1]:.0f}; "
                  f"load average {os.getloadavg()[0]:.1f}")
        cache = build_cache(index, work/'cache2', a.size, progress=False)     # complete: opened, not rebuilt
        n_train = cache.manifest['counts']['train']

        batch_rates = {}                                    # best of three epochs, wall clock
        for threads in (2, 1):
            batches = Batches(cache, 'train', a.batch_size, seed=0, augment=True, threads=threads)
            n = batches.steps_per_epoch * a.batch_size
            batch_rates[threads] = max(rates(lambda: [None for _ in batches.epoch(e)], n)[0] for e in range(3))
        from coloring_nb.hints import hint_rng, simulate_hints   # each step's simulated hints, drawn as `train` draws them (issue 27)
        batches = Batches(cache, 'train', a.batch_size, seed=0, augment=True, threads=2)
        hints_rate = max(rates(lambda: [simulate_hints(ab, hint_rng(0, e, s)) for s, (L, ab, _) in enumerate(batches.epoch(e))], n)[0] for e in range(3))
        import tensorflow as tf
        batches = Batches(cache, 'train', a.batch_size, seed=0, augment=True, threads=2)
        tf_rate = max(rates(lambda: [None for _ in batches.tf_dataset(e)], n)[0] for e in range(3))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    cpu_median = lambda results: round(statistics.median(r[1] for r in results), 1)
    wall_best = lambda results: round(max(r[0] for r in results), 1)
    figures = {'n_images': len(files), 'size': a.size, 'rounds': a.rounds, 'seed_way_images': len(seed_files),
               'seed_way_img_s_per_core': cpu_median(seed), 'cache_build_img_s_per_core': cpu_median(build1),
               'cache_build_2_processes_img_s_per_core': cpu_median(build2),
               'seed_way_img_s_wall': wall_best(seed), 'cache_build_img_s_1_process': wall_best(build1),
               'cache_build_img_s_2_processes': wall_best(build2)}
    figures['speedup_per_core'] = round(figures['cache_build_img_s_per_core'] / figures['seed_way_img_s_per_core'], 2)
    figures['speedup_wall_1_process'] = round(figures['cache_build_img_s_1_process'] / figures['seed_way_img_s_wall'], 2)
    figures['cache_build_scaling_2_processes'] = round(figures['cache_build_img_s_2_processes'] / figures['cache_build_img_s_1_process'], 2)
    figures.update({'batch_size': a.batch_size, 'batches_images': n_train,
                    'batches_img_s': round(batch_rates[2], 1), 'batches_img_s_1_thread': round(batch_rates[1], 1),
                    'batches_with_hints_img_s': round(hints_rate, 1), 'batches_tf_data_img_s': round(tf_rate, 1), 'cache_bytes': sum(cache.manifest['files'].values()),
                    'load_average_1min': round(os.getloadavg()[0], 2)})
    figures.update(machine_info())
    figures.update({'pillow': Image.__version__, 'scikit-image': skimage.__version__})
    print(f"\nper core (images per CPU-second, median of {a.rounds} rounds):")
    print(f"  seed way (PIL resize + skimage rgb2lab, float64): {figures['seed_way_img_s_per_core']:8.0f} img/s")
    print(f"  Lab cache build:                                  {figures['cache_build_img_s_per_core']:8.0f} img/s "
          f"({figures['speedup_per_core']:.1f}x the seed way)")
    print(f"wall clock (best of {a.rounds} rounds):")
    print(f"  seed way, 1 process:                              {figures['seed_way_img_s_wall']:8.0f} img/s")
    print(f"  Lab cache build, 1 process:                       {figures['cache_build_img_s_1_process']:8.0f} img/s "
          f"({figures['speedup_wall_1_process']:.1f}x the seed way)")
    print(f"  Lab cache build, 2 processes:                     {figures['cache_build_img_s_2_processes']:8.0f} img/s "
          f"({figures['cache_build_scaling_2_processes']:.2f}x one process)")
    print(f"  (load average {figures['load_average_1min']:.1f} on {cores} cores: wall-clock rates count only the cores left free)")
    print(f"batches from the cache at {a.size}² (B={a.batch_size}, flip + crop; wall clock, best of 3 epochs):")
    print(f"  NumPy iterator, 2 threads:                        {figures['batches_img_s']:8.0f} img/s")
    print(f"  NumPy iterator, 1 thread:                         {figures['batches_img_s_1_thread']:8.0f} img/s")
    print(f"  NumPy iterator, 2 threads, with simulated hints:  {figures['batches_with_hints_img_s']:8.0f} img/s (issue 27's bar: 3,000)")
    print(f"  tf.data:                                          {figures['batches_tf_data_img_s']:8.0f} img/s")
    print(f"\nwrote {write_json(a.out, figures)}")
    return figures

if __name__ == '__main__': main()
