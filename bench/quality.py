#!/usr/bin/env python3
"""Quality on real butterflies: train for a fixed wall-clock budget, then evaluate against the baselines.

    python bench/quality.py [--data DIR] [--out FILE] [--size 64] [--minutes 15] [--models colorizer,colorizer_no_classifier,seed]

Each model is trained with the package's own `train` (checkpoints, cosine schedule, the best epoch's
weights) on the data set's train split, of which a hashed 10 % is held out to pick the best epoch (no early stop: the budget is spent); the data set's
valid split is kept for the final evaluation only, so the figures are not chosen on the images they are
measured on. The number of epochs is set so that training fills the budget: it is measured first on a few steps.
Writes bench/results/quality.json (one entry per predictor: colorizer, colorizer_no_classifier, seed, bins, grey,
mean, each with ab_mse, psnr, ssim, delta_e2000 (CIEDE2000), colorfulness, colorfulness_truth, colorfulness_ratio
(÷ the truth's), size and minutes trained) and a grid image per model (`*_grid_NAME.png`).

`bins` is the colorizer trained with the ab-bin classification loss (issue 12). Its decoding temperature T is chosen
on the hold-out (the hashed 10 % of the train split, never on the evaluation split): among T in 0.2, 0.38, 0.6, 1.0,
the most colourful whose hold-out ab MSE is within 1.10× the regression colorizer's (when one is trained in the
same run), else the one of lowest MSE. The sweep of T on the same test images is saved as `*_grid_T.png`, and each
model's peak memory of one training step at 224², batch 32 is measured in a fresh process (`--memory`).

The README's quality runs:

    python bench/quality.py --minutes 12
    python bench/quality.py --data ../shared/data/butterflies-112 --size 112 --minutes 70 --models colorizer \
        --out bench/results/quality_112.json
    python bench/quality.py --data ../shared/data/butterflies-112 --size 112 --minutes 70 \
        --models colorizer_no_classifier --out bench/results/quality_112_no_classifier.json
    python bench/quality.py --data ../shared/data/butterflies-112 --size 112 --minutes 30 --models colorizer,bins \
        --memory --out bench/results/quality_112_bins.json
"""
import json, os, resource, shutil, subprocess, sys, tempfile, time
from pathlib import Path
from _common import machine_info, parser, write_json

MODELS = {  # name -> Config fields
    'colorizer': dict(model='colorizer', classifier=True),
    'colorizer_no_classifier': dict(model='colorizer', classifier=False),
    'seed': dict(model='seed', classifier=True),
    'bins': dict(model='colorizer', classifier=True, ab_loss='bins'),
}
REGRESSION = 'colorizer'                     # the model `bins` is judged against
TEMPERATURES = (0.2, 0.38, 0.6, 1.0)         # the sweep of the bins decoding temperature
ENTRY_METRICS = ('ab_mse', 'psnr', 'ssim', 'delta_e2000', 'colorfulness', 'colorfulness_truth', 'top1', 'top5')

def log(*a): print(*a, flush=True)

def held_out_index(index):
    "The data set's train split with a hashed 10 % as 'valid' (early stopping); its valid split as 'test'."
    from coloring_nb.folders import ImageIndex, hash_split
    items = []
    for item in index.items:
        if item.split == 'train': items.append(item._replace(split=hash_split(os.path.relpath(item.path, index.root))))
        elif item.split == 'valid': items.append(item._replace(split='test'))
    return ImageIndex(items, index.class_names, index.root, index.source)

def at_temperature(model, temperature:float):
    "A bins model as a predictor L -> (ab, class probabilities) decoded at `temperature` (`predict.as_predictor`), ab enlarged to L's size."
    import cv2, numpy as np
    from coloring_nb.predict import as_predictor
    decoded = as_predictor(model, temperature)                  # ab at the logits' size (¼ of the side)
    def predict(L):
        ab, probs = decoded(L)
        return np.stack([cv2.resize(a, (L.shape[2], L.shape[1]), interpolation=cv2.INTER_LINEAR) for a in ab]), probs
    predict.is_predictor = True
    return predict

def choose_temperature(model, hold_out, regression=None) -> tuple:
    "T for a bins model, chosen on the hold-out (L, ab and labels in `hold_out`), and the sweep's metrics per T."
    from coloring_nb.evaluate import evaluate_many
    predictors = {f'T={t}': at_temperature(model, t) for t in TEMPERATURES}
    if regression is not None: predictors['regression'] = regression
    sweep = evaluate_many(predictors, hold_out[0], labels=hold_out[1], full=False)
    limit = 1.10 * sweep.pop('regression')['ab_mse'] if regression is not None else float('inf')
    within = [t for t in TEMPERATURES if sweep[f'T={t}']['ab_mse'] <= limit]
    best = (max(within, key=lambda t: sweep[f'T={t}']['colorfulness']) if within
            else min(TEMPERATURES, key=lambda t: sweep[f'T={t}']['ab_mse']))
    return best, {t: {k: round(float(sweep[f'T={t}'][k]), 5) for k in ('ab_mse', 'colorfulness', 'colorfulness_truth')} for t in TEMPERATURES}

STEP_MEMORY = """
import resource, sys, numpy as np, keras
from coloring_nb.core import Config
from coloring_nb.model import build_model
from coloring_nb.run import compile_model, targets
fields = eval(sys.argv[1]); size, batch = 224, 32
config = Config(size=size, batch_size=batch, weights=None, **fields)
bins = None
if config.ab_loss == 'bins':
    from coloring_nb.bins import ab_bins
    rng = np.random.default_rng(0)
    bins = ab_bins([rng.normal(0, 30, (64, 64, 2)).clip(-110, 110)])
model = compile_model(build_model(config, 100, weights=None, **({'bins': bins} if bins else {})), config, 100, jit_compile=False)
rng = np.random.default_rng(1)
L, ab = rng.random((batch, size, size, 1), np.float32), rng.normal(0, 0.2, (batch, size, size, 2)).astype(np.float32)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
model.train_on_batch(L, targets(ab, rng.integers(0, 100, batch), model.output))
model.train_on_batch(L, targets(ab, rng.integers(0, 100, batch), model.output))
print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

def step_memory(fields:dict) -> dict:
    "Peak resident memory (MB) of a fresh process after two training steps at 224², batch 32, and before them (the model alone)."
    from coloring_nb.testing import package_env
    done = subprocess.run([sys.executable, '-c', STEP_MEMORY, repr(fields)], capture_output=True, text=True,
                          env=package_env(TF_CPP_MIN_LOG_LEVEL=3), timeout=1800)
    if done.returncode != 0: return {'error': done.stderr.strip().splitlines()[-1][:300]}
    before, after = map(int, done.stdout.split()[-2:])   # kilobytes on Linux
    return {'model_mb': round(before / 1024), 'train_step_peak_mb': round(after / 1024)}

def images_per_second(config, cache, n_classes, steps=12):
    "Training images/s of `config`'s model on `cache`, after one compiling step."
    import keras
    from coloring_nb.data import Batches
    from coloring_nb.model import build_model
    from coloring_nb.run import compile_model, targets
    from coloring_nb.devices import resolve_precision
    keras.config.set_dtype_policy(resolve_precision(config.precision))
    try:
        model = compile_model(build_model(config, n_classes, weights=None, **bins_for(config, cache)), config, 100)
        train_batches = Batches(cache, 'train', config.batch_size, config.seed)
        batches = (batch for epoch in range(10 ** 6) for batch in train_batches.epoch(epoch))
        L, ab, y = next(batches); model.train_on_batch(L, targets(ab, y, model.output))
        t = time.perf_counter()
        for _ in range(steps):
            L, ab, y = next(batches); model.train_on_batch(L, targets(ab, y, model.output))
        return steps * config.batch_size / (time.perf_counter() - t)
    finally: keras.config.set_dtype_policy('float32')

def bins_for(config, cache) -> dict:
    "The `bins` argument of `build_model` for a bins config (the cache's ab bins), else nothing."
    if config.ab_loss != 'bins': return {}
    from coloring_nb.bins import cache_bins
    return {'bins': cache_bins(cache)}

class TimeLimit:
    "Stop at the end of the epoch in which the run passes `seconds` (a guard: the epoch count should fit the budget)."
    def __new__(cls, seconds):
        import keras
        class _TimeLimit(keras.callbacks.Callback):
            def on_train_begin(self, logs=None): self.start = time.perf_counter()
            def on_epoch_end(self, epoch, logs=None):
                if time.perf_counter() - self.start > seconds: self.model.stop_training = True
        return _TimeLimit()

if __name__ == '__main__':
    p = parser(__doc__, 'quality', data='butterflies')
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--minutes', type=float, default=15.0, help='training budget per model')
    p.add_argument('--models', default=','.join(MODELS))
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--learning-rate', type=float, default=2e-3)
    p.add_argument('--limit', type=int, default=0, help='rehearsal: at most this many images per split')
    p.add_argument('--work', default=None, help='folder for the cache and runs (default: a temporary one)')
    p.add_argument('--memory', action='store_true', help="also measure each model's memory of a training step at 224², batch 32")
    args = p.parse_args()
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    from coloring_nb.core import Config
    from coloring_nb.folders import index_folder, ImageIndex
    from coloring_nb.cache import build_cache
    from coloring_nb.train import train
    from coloring_nb.evaluate import evaluate_many, baselines, image_grid, metrics_table
    names = list(filter(None, args.models.split(',')))
    memory = {name: step_memory(MODELS[name]) for name in names} if args.memory else {}
    for name, m in memory.items(): log(f"{name}: memory of a training step at 224², batch 32: {m}")
    work = Path(args.work or tempfile.mkdtemp(prefix='coloring_nb_quality_'))
    index = held_out_index(index_folder(args.data))
    if args.limit:
        index = ImageIndex([i for s in ('train', 'valid', 'test') for i in index.split(s)[:args.limit]],
                           index.class_names, index.root, index.source)
    t = time.perf_counter()
    cache = build_cache(index, work/f'cache-{args.size}', args.size, progress=False)
    counts = cache.manifest['counts']
    log(f"{args.data}: {counts} images at {args.size}² cached in {time.perf_counter() - t:.1f} s; "
        f"training on 'train', best epoch picked on 'valid' (10 % of the train split), evaluating on 'test' (the data set's valid split)")
    test = (cache.lab('test'), cache.labels('test'))
    models, info = {}, {}
    for name in names:
        config = Config(data=args.data, size=args.size, batch_size=args.batch_size, learning_rate=args.learning_rate,
                        epochs=1, patience=0, seed=0, run_name=name, weights=None, checkpoint_every=10 ** 6, **MODELS[name])
        n_classes = cache.n_classes if config.classifier else None
        img_s = images_per_second(config, cache, n_classes)
        epochs = max(1, int(args.minutes * 60 * img_s / counts['train']))
        config = config.replace(epochs=epochs)
        log(f"\n{name}: {img_s:.1f} training img/s measured: {epochs} epochs fit {args.minutes} min")
        t = time.perf_counter()
        model, history = train(config, run_dir=work/'runs'/name, cache=cache, verbose=2,
                               callbacks=[TimeLimit(args.minutes * 60 * 1.1)])
        minutes = (time.perf_counter() - t) / 60
        models[name] = model
        info[name] = {'size': args.size, 'minutes': round(minutes, 2), 'epochs': len(history.get('val_ab_mse', [])),
                      'img_s': round(img_s, 1), **({'memory_224_batch32': memory[name]} if name in memory else {})}
        log(f"{name}: trained {minutes:.1f} min, {info[name]['epochs']} epochs")
    predictors, grids = dict(models), Path(args.out).with_suffix('')
    if 'bins' in models:
        hold_out = (cache.lab('valid'), cache.labels('valid'))
        best, sweep = choose_temperature(models['bins'], hold_out, models.get(REGRESSION))
        predictors['bins'] = at_temperature(models['bins'], best)
        info['bins'].update(temperature=best, temperature_sweep_hold_out=sweep)
        log(f"bins: T = {best} chosen on the hold-out; the sweep there: {json.dumps(sweep)}")
        if REGRESSION in info: info['bins']['speed_vs_regression'] = round(info['bins']['img_s'] / info[REGRESSION]['img_s'], 3)
        image_grid({f'T={t}': at_temperature(models['bins'], t) for t in TEMPERATURES}, test[0], labels=test[1],
                   class_names=cache.class_names, n=8, path=f'{grids}_grid_T.png')
    results = evaluate_many({**predictors, **baselines(cache.lab('train'))}, test[0], labels=test[1])
    print('\n' + metrics_table(results))
    for name, predictor in predictors.items():
        image_grid({name: predictor}, test[0], labels=test[1], class_names=cache.class_names, n=8, path=f'{grids}_grid_{name}.png')
    out = {}
    mean = results['mean']['ab_mse']
    for name, r in results.items():
        entry = {k: round(float(r[k]), 5) for k in ENTRY_METRICS if r.get(k) is not None}
        entry['colorfulness_ratio'] = round(entry['colorfulness'] / entry['colorfulness_truth'], 3)
        entry.update(info.get(name, {'size': args.size, 'minutes': 0}))
        if name in models: entry['improvement_vs_mean'] = round(1 - entry['ab_mse'] / mean, 4)
        out[name] = entry
        log(f"{name:>24}: ab MSE {entry['ab_mse']:.5f}" + (f" ({100 * entry['improvement_vs_mean']:.1f} % better than the mean colour)"
            if 'improvement_vs_mean' in entry else '') + f", ΔE2000 {entry['delta_e2000']:.2f}, colourfulness {entry['colorfulness']:.1f} of {entry['colorfulness_truth']:.1f} "
            f"({entry['colorfulness_ratio']:.2f}×)")
    out.update({'data': str(Path(args.data).name), 'counts': counts, 'machine': machine_info()})
    log(f"wrote {write_json(args.out, out)}")
    if not args.work: shutil.rmtree(work, ignore_errors=True)
