#!/usr/bin/env python3
"""One script for a machine with one GPU, JAX (or PyTorch) and the `keras` wheel, but no TensorFlow and no internet.

(a) Training throughput and approximate utilisation of the seed's model and the default colorizer at 224² in
    float32 and mixed bfloat16, on synthetic tensors: images/s, first-step (compile) seconds, and
    3 × forward FLOPs (from `model_report`) × images/s ÷ the chip's dense bf16 peak.
(b) The default colorizer with classifier trained on the training images of `butterflies-112` at 112² for a
    fixed number of minutes, printing validation ab MSE against elapsed time, then evaluated against the
    grey and mean-colour baselines with the package's evaluation code.

    KERAS_BACKEND=jax COLORING_NB_BENCH_OUT=DIR python bench/gpu.py [--data DIR] [--minutes M]

It writes DIR/gpu.json (default bench/results/) and DIR/gpu_grid.png; the JSON after each part, so that a run
stopped by a time limit keeps what it measured. The mixed-bfloat16 speeds come first, then the training, then
the float32 speeds. For a device machine without TensorFlow (nor fastcore), `bash bench/gpu_prepare.sh` fills the
ignored `.gpu/` (the wheels, and butterflies-112 with 65 % of its train split: all of it does not fit beside the
repository in the 64 MiB that travels); carry it (`.gpu`), and there run, from the repository root:

    python3 -m pip install -q --no-index --no-deps --target /tmp/site .gpu/wheels/*.whl && \\
    PYTHONPATH=/tmp/site KERAS_BACKEND=jax PYTHONUNBUFFERED=1 COLORING_NB_BENCH_OUT=$OUT \\
    python3 bench/gpu.py --data .gpu/butterflies-112 --minutes 3

Rehearse it on a CPU with tiny sizes (checked in a virtual environment without TensorFlow, like the GPU's):

    KERAS_BACKEND=jax python bench/gpu.py --size 64 --train-size 32 --batch 4 --steps 2 --minutes 0.3 \
        --limit 64 --widths 8,16 --data DIR
"""
import itertools, os, sys, time
from pathlib import Path
os.environ.setdefault('KERAS_BACKEND', 'jax')
from _common import RESULTS, limited, machine_info, parser, write_json
import numpy as np

# Dense (no sparsity) bf16 tensor-core peaks, TFLOP/s, from the vendors' data sheets (SXM parts).
PEAK_BF16_TFLOPS = {'H100': 989.4, 'H200': 989.4, 'A100': 312.0, 'L4': 121.0, 'T4': 65.0}

def peak_tflops(gpu:str|None) -> float|None:
    "The chip's dense bf16 peak, where known."
    for name, peak in PEAK_BF16_TFLOPS.items():
        if gpu and name in gpu: return peak
    return None

def log(*a): print(*a, flush=True)

def throughput(name, build, batch, steps, warmup, policy, peak, n_classes):
    "Train `steps` batches of synthetic tensors; images/s, compile seconds and utilisation."
    import keras
    from coloring_nb.core import Config
    from coloring_nb.cost import model_report
    from coloring_nb.run import compile_model
    keras.config.set_dtype_policy(policy)
    try:
        model = build()
        gflops = model_report(model)['gflops']
        compile_model(model, Config(size=model.input_shape[1], epochs=1), steps_per_epoch=1000, jit_compile=True)
        size = model.input_shape[1]
        rng = np.random.default_rng(0)
        L = rng.random((batch, size, size, 1), dtype=np.float32)
        y = {'ab': rng.uniform(-0.5, 0.5, (batch, size, size, 2)).astype(np.float32)}
        if 'cls' in model.output: y['cls'] = rng.integers(0, n_classes, batch)
        t = time.perf_counter(); model.train_on_batch(L, y); first = time.perf_counter() - t
        for _ in range(warmup): model.train_on_batch(L, y)
        t = time.perf_counter()
        for _ in range(steps): logs = model.train_on_batch(L, y, return_dict=True)
        float(logs['loss'])  # wait for the device
        img_s = batch * steps / (time.perf_counter() - t)
    finally: keras.config.set_dtype_policy('float32')
    util = 3 * gflops * 1e9 * img_s / (peak * 1e12) if peak else None
    log(f"{name:>9} {policy:>14}: {img_s:8.1f} img/s  first step {first:6.1f} s  {gflops:6.2f} GFLOPs/img fwd"
        + (f"  ≈{100 * util:4.1f} % of bf16 peak" if util is not None else ''))
    key = f"{name}_{'bf16' if 'bfloat16' in policy else 'fp32'}"
    return {f'{key}_img_s': round(img_s, 2), f'{key}_first_step_s': round(first, 1),
            f'{key}_utilisation': None if util is None else round(util, 4), f'{name}_gflops': round(gflops, 3)}

def train_for_minutes(args, peak):
    "Train the default colorizer with classifier for a fixed time at args.train_size; val ab MSE against time."
    import keras
    from coloring_nb.core import Config
    from coloring_nb.folders import index_folder
    from coloring_nb.cache import build_cache
    from coloring_nb.data import Batches
    from coloring_nb.model import colorizer
    from coloring_nb.run import compile_model, targets
    from coloring_nb.evaluate import evaluate_many, baselines, image_grid
    out = {}
    t0 = time.perf_counter()
    index = limited(index_folder(args.data), args.limit)
    cache = build_cache(index, Path(args.cache)/f'butterflies-{args.train_size}', args.train_size, progress=False)
    out['cache_build_s'] = round(time.perf_counter() - t0, 1)
    n_train, n_valid = len(cache.lab('train')), len(cache.lab('valid'))
    log(f"cache: {n_train} train + {n_valid} valid images at {args.train_size}² in {out['cache_build_s']} s")
    keras.config.set_dtype_policy('mixed_bfloat16')
    keras.utils.set_random_seed(0)
    model = colorizer(args.train_size, cache.n_classes, widths=args.widths)
    train = Batches(cache, 'train', args.train_batch, seed=0)
    spe = train.steps_per_epoch
    def stream():  # batches of epoch 0, 1, 2, ... without end
        for epoch in itertools.count(): yield from train.epoch(epoch)
    # First guess of the steps the budget allows, from a short timed run, so that the cosine schedule ends on time.
    cfg = Config(epochs=1, learning_rate=args.lr)  # compile_model takes the losses and learning rate from it
    compile_model(model, cfg, steps_per_epoch=10 ** 9, jit_compile=True)
    probe = stream()
    L, ab, y = next(probe); t = time.perf_counter(); model.train_on_batch(L, targets(ab, y, model.output))
    compile_s = time.perf_counter() - t
    t = time.perf_counter(); n_probe = 0
    for L, ab, y in probe:
        logs = model.train_on_batch(L, targets(ab, y, model.output), return_dict=True); n_probe += 1
        if n_probe == 20: break
    float(logs['loss']); step_s = (time.perf_counter() - t) / max(1, n_probe)
    budget_steps = max(1, int(args.minutes * 60 / step_s))
    log(f"first step (compile) {compile_s:.1f} s; {step_s * 1000:.1f} ms/step at batch {args.train_batch}: "
        f"{args.minutes} min ≈ {budget_steps} steps ≈ {budget_steps / spe:.1f} epochs")
    keras.utils.set_random_seed(0)
    model = colorizer(args.train_size, cache.n_classes, widths=args.widths)
    compile_model(model, cfg, steps_per_epoch=budget_steps, jit_compile=True)
    valid = (cache.lab('valid'), cache.labels('valid'))
    def val_mse():
        return evaluate_many({'m': model}, valid[0], labels=valid[1], batch_size=128, full=False)['m']['ab_mse']
    batches = stream()  # one step outside the clock: it compiles the new model's train function
    L, ab, y = next(batches); model.train_on_batch(L, targets(ab, y, model.output))
    curve, step, start = [], 1, time.perf_counter()
    next_eval = args.eval_every
    for L, ab, y in batches:
        model.train_on_batch(L, targets(ab, y, model.output)); step += 1
        elapsed = time.perf_counter() - start
        done = step >= budget_steps or elapsed >= args.minutes * 60 * 1.5
        if elapsed >= next_eval or done:
            mse = val_mse(); curve.append((round(elapsed / 60, 2), step, round(mse, 5)))
            log(f"  {elapsed / 60:5.2f} min  step {step:6d}  epoch {step / spe:5.2f}  val ab MSE {mse:.5f}")
            next_eval = elapsed + args.eval_every
        if done: break
    minutes = (time.perf_counter() - start) / 60
    keras.config.set_dtype_policy('float32')
    results = evaluate_many({'model': model, **baselines(cache.lab('train'))}, valid[0], labels=valid[1], batch_size=128)
    image_grid({'colorizer': model}, valid[0], labels=valid[1], class_names=cache.class_names, n=8,
               path=Path(args.out_dir)/'gpu_grid.png')
    m, mean = results['model'], results['mean']
    out.update({'train_size': args.train_size, 'train_images': n_train, 'valid_images': n_valid,
                'train_batch': args.train_batch, 'train_minutes': round(minutes, 2), 'train_steps': step,
                'train_epochs': round(step / spe, 2), 'train_compile_s': round(compile_s, 1),
                'train_img_s': round(step * args.train_batch / (minutes * 60), 1)})
    for name, r in results.items():
        for k in ('ab_mse', 'psnr', 'colorfulness', 'colorfulness_truth', 'top1', 'top5'):
            if r.get(k) is not None: out[f'{name}_{k}'] = round(float(r[k]), 5)
    out['improvement_vs_mean'] = round(1 - m['ab_mse'] / mean['ab_mse'], 4)
    out['val_curve'] = ';'.join(f'{t}min:{s}:{v}' for t, s, v in curve)
    log(f"after {minutes:.2f} min ({step} steps, {step / spe:.2f} epochs): val ab MSE {m['ab_mse']:.5f} vs mean "
        f"{mean['ab_mse']:.5f} (grey {results['grey']['ab_mse']:.5f}): {100 * out['improvement_vs_mean']:.1f} % better than "
        f"the mean colour; colourfulness {m['colorfulness']:.1f} (truth {m['colorfulness_truth']:.1f})"
        + (f"; top-1 {100 * m['top1']:.1f} %" if m.get('top1') is not None else ''))
    return out

if __name__ == '__main__':
    p = parser(__doc__, None, data='butterflies-112')
    p.add_argument('--out-dir', default=os.environ.get('COLORING_NB_BENCH_OUT', str(RESULTS)))
    p.add_argument('--cache', default=os.environ.get('TMPDIR', '/tmp') + '/coloring_nb_gpu_cache')
    p.add_argument('--size', type=int, default=224, help='side for the throughput part')
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--models', default='colorizer,seed', help='throughput part: which models (empty: skip)')
    p.add_argument('--precisions', default='mixed_bfloat16,float32')
    p.add_argument('--train-size', type=int, default=112)
    p.add_argument('--train-batch', type=int, default=64)
    p.add_argument('--minutes', type=float, default=3.0, help='training part: minutes of training (0: skip)')
    p.add_argument('--eval-every', type=float, default=30.0, help='seconds between validation checks')
    p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--widths', default='32,64,128,256')
    p.add_argument('--limit', type=int, default=0, help='rehearsal: at most this many images per split')
    args = p.parse_args()
    args.widths = tuple(int(w) for w in args.widths.split(','))
    Path(args.out_dir).mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    info = machine_info(); peak = peak_tflops(info.get('gpu'))
    log(f"machine: {info['cpu']}, GPU: {info['gpu']}, Keras {info.get('keras')} ({info['keras_backend']}); bf16 peak {peak} TFLOP/s")
    from coloring_nb.model import colorizer, seed_colorizer
    builders = {'colorizer': lambda: colorizer(args.size, 100, widths=args.widths),
                'seed': lambda: seed_colorizer(100, args.size, weights=None)}
    results = {'size': args.size, 'batch': args.batch, 'steps': args.steps, 'peak_bf16_tflops': peak}
    def speed(policy):
        for name in filter(None, args.models.split(',')):
            results.update(throughput(name, builders[name], args.batch, args.steps, args.warmup, policy, peak, 100))
            write_json(Path(args.out_dir)/'gpu.json', {**results, **info})  # partial results survive a time-out
        tag = 'bf16' if 'bfloat16' in policy else 'fp32'
        if f'colorizer_{tag}_img_s' in results and f'seed_{tag}_img_s' in results:
            results[f'speedup_{tag}'] = round(results[f'colorizer_{tag}_img_s'] / results[f'seed_{tag}_img_s'], 2)
            log(f"colorizer vs seed at {args.size}², {tag}: {results[f'speedup_{tag}']}× the training images/s")
    # The first precision (the one the bar is about), then the training, then the other precisions: a run cut
    # short by its time limit loses the least important figures.
    first, *others = list(filter(None, args.precisions.split(','))) or [None]
    if first: speed(first)
    if args.minutes > 0:
        results.update(train_for_minutes(args, peak))
        write_json(Path(args.out_dir)/'gpu.json', {**results, **info})
    for policy in others: speed(policy)
    results['total_s'] = round(time.perf_counter() - start, 1)
    path = write_json(Path(args.out_dir)/'gpu.json', {**results, **info})
    log(f"total {results['total_s']} s; wrote {path}")
