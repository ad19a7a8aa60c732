#!/usr/bin/env python3
"""Quality on real butterflies: train for a fixed wall-clock budget, then evaluate against the baselines.

    python bench/quality.py [--data DIR] [--out FILE] [--size 64] [--minutes 15] [--models colorizer,colorizer_no_classifier,seed]

Each model is trained with the package's own `train` (checkpoints, cosine schedule, the best epoch's
weights) on the data set's train split, of which a hashed 10 % is held out to pick the best epoch (no early stop: the budget is spent); the data set's
valid split is kept for the final evaluation only, so the figures are not chosen on the images they are
measured on. The number of epochs is set so that training fills the budget: it is measured first on a few steps.
Writes bench/results/quality.json (one entry per predictor: colorizer, colorizer_no_classifier, seed, grey,
mean, each with ab_mse, psnr, colorfulness, colorfulness_truth, size and minutes trained) and a grid image.

The README's quality runs:

    python bench/quality.py --minutes 12
    python bench/quality.py --data ../shared/data/butterflies-112 --size 112 --minutes 70 --models colorizer \
        --out bench/results/quality_112.json
    python bench/quality.py --data ../shared/data/butterflies-112 --size 112 --minutes 70 \
        --models colorizer_no_classifier --out bench/results/quality_112_no_classifier.json
"""
import os, shutil, tempfile, time
from pathlib import Path
from _common import machine_info, parser, write_json

MODELS = {  # name -> Config fields
    'colorizer': dict(model='colorizer', classifier=True),
    'colorizer_no_classifier': dict(model='colorizer', classifier=False),
    'seed': dict(model='seed', classifier=True),
}

def log(*a): print(*a, flush=True)

def held_out_index(index):
    "The data set's train split with a hashed 10 % as 'valid' (early stopping); its valid split as 'test'."
    from coloring_nb.sources import ImageIndex, hash_split
    items = []
    for item in index.items:
        if item.split == 'train': items.append(item._replace(split=hash_split(os.path.relpath(item.path, index.root))))
        elif item.split == 'valid': items.append(item._replace(split='test'))
    return ImageIndex(items, index.class_names, index.root, index.source)

def images_per_second(config, cache, n_classes, steps=12):
    "Training images/s of `config`'s model on `cache`, after one compiling step."
    import keras
    from coloring_nb.data import Batches
    from coloring_nb.model import build_model
    from coloring_nb.train import compile_model, resolve_precision, targets
    keras.config.set_dtype_policy(resolve_precision(config.precision))
    try:
        model = compile_model(build_model(config, n_classes, weights=None), config, 100)
        train_batches = Batches(cache, 'train', config.batch_size, config.seed)
        batches = (batch for epoch in range(10 ** 6) for batch in train_batches.epoch(epoch))
        L, ab, y = next(batches); model.train_on_batch(L, targets(ab, y, model.output))
        t = time.perf_counter()
        for _ in range(steps):
            L, ab, y = next(batches); model.train_on_batch(L, targets(ab, y, model.output))
        return steps * config.batch_size / (time.perf_counter() - t)
    finally: keras.config.set_dtype_policy('float32')

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
    args = p.parse_args()
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    from coloring_nb.core import Config
    from coloring_nb.sources import index_folder, ImageIndex
    from coloring_nb.data import build_cache
    from coloring_nb.train import train
    from coloring_nb.evaluate import evaluate_many, baselines, image_grid, metrics_table
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
    for name in filter(None, args.models.split(',')):
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
                      'img_s': round(img_s, 1)}
        log(f"{name}: trained {minutes:.1f} min, {info[name]['epochs']} epochs")
    results = evaluate_many({**models, **baselines(cache.lab('train'))}, test[0], labels=test[1])
    print('\n' + metrics_table(results))
    image_grid(models, test[0], labels=test[1], class_names=cache.class_names, n=8,
               path=Path(args.out).with_name('quality_grid.png'))
    out = {}
    mean = results['mean']['ab_mse']
    for name, r in results.items():
        entry = {k: round(float(r[k]), 5) for k in ('ab_mse', 'psnr', 'colorfulness', 'colorfulness_truth', 'top1', 'top5')
                 if r.get(k) is not None}
        entry.update(info.get(name, {'size': args.size, 'minutes': 0}))
        if name in models: entry['improvement_vs_mean'] = round(1 - entry['ab_mse'] / mean, 4)
        out[name] = entry
        log(f"{name:>24}: ab MSE {entry['ab_mse']:.5f}" + (f" ({100 * entry['improvement_vs_mean']:.1f} % better than the mean colour)"
            if 'improvement_vs_mean' in entry else '') + f", colourfulness {entry['colorfulness']:.1f} of {entry['colorfulness_truth']:.1f}")
    out.update({'data': str(Path(args.data).name), 'counts': counts, 'machine': machine_info()})
    log(f"wrote {write_json(args.out, out)}")
    if not args.work: shutil.rmtree(work, ignore_errors=True)
