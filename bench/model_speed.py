"""Training speed of the seed's final model and of the default colorizer on this machine.

Both models get 100 classes and the seed's losses (ab: MSE, cls: categorical cross-entropy, equal weights,
Adam), synthetic tensors, and train at 128² with batch 8: a warm-up (the first steps compile), then timed
steps. Also reports both models' forward GFLOPs per image (`model_report`) at 128² and at 224².

    python bench/model_speed.py [--out FILE] [--size 128] [--batch 8] [--steps 5] [--warmup 2] [--precision float32]
"""
import os, sys, time
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
from _common import machine_info, parser, write_json
import numpy as np

def train_speed(model, size:int, batch:int, steps:int, warmup:int, n_classes:int) -> float:
    "Training images per second of `model` on synthetic batches (after `warmup` untimed steps)."
    model.compile(optimizer='adam', loss={'ab': 'mse', 'cls': 'categorical_crossentropy'})
    rng = np.random.default_rng(0)
    L = rng.random((batch, size, size, 1), dtype='float32')
    y = {'ab': rng.uniform(-0.5, 0.5, (batch, size, size, 2)).astype('float32'),
         'cls': np.eye(n_classes, dtype='float32')[rng.integers(0, n_classes, batch)]}
    for _ in range(warmup): model.train_on_batch(L, y)
    start = time.perf_counter()
    for _ in range(steps): loss = model.train_on_batch(L, y)
    elapsed = time.perf_counter() - start
    assert np.all(np.isfinite(loss)), loss
    return steps * batch / elapsed

def main(argv=None):
    p = parser(__doc__, 'model_speed')
    p.add_argument('--size', type=int, default=128, help='image side used for training')
    p.add_argument('--batch', type=int, default=8, help='images per step')
    p.add_argument('--steps', type=int, default=5, help='timed training steps per model')
    p.add_argument('--warmup', type=int, default=2, help='untimed steps first (compilation)')
    p.add_argument('--precision', default='float32', help="Keras dtype policy, e.g. 'mixed_bfloat16'")
    a = p.parse_args(argv)
    import keras
    from coloring_nb.model import colorizer, seed_colorizer
    from coloring_nb.cost import model_report
    keras.mixed_precision.set_dtype_policy(a.precision)
    n_classes = 100
    results = {'size': a.size, 'batch': a.batch, 'steps': a.steps, 'warmup': a.warmup, 'precision': a.precision}
    for name, build in (('seed', lambda s: seed_colorizer(n_classes, s, weights=None)),
                        ('colorizer', lambda s: colorizer(s, n_classes))):
        results[f'{name}_gflops_224'] = round(model_report(build(224))['gflops'], 3)
        keras.utils.clear_session()
        model = build(a.size)
        report = model_report(model)
        results[f'{name}_gflops'] = round(report['gflops'], 3)
        results[f'{name}_params_m'] = round(report['params'] / 1e6, 3)
        results[f'{name}_trainable_params_m'] = round(report['trainable'] / 1e6, 3)
        t = time.perf_counter()
        results[f'{name}_img_s'] = round(train_speed(model, a.size, a.batch, a.steps, a.warmup, n_classes), 3)
        results[f'{name}_seconds'] = round(time.perf_counter() - t, 1)
        print(f"{name:>9}: {report['gflops']:7.2f} GFLOPs/image forward at {a.size}² "
              f"({results[f'{name}_gflops_224']:.2f} at 224²), {report['params'] / 1e6:.1f} M params, "
              f"{results[f'{name}_img_s']:.2f} training img/s (batch {a.batch})", flush=True)
        del model; keras.utils.clear_session()
    results['flops_ratio_224'] = round(results['seed_gflops_224'] / results['colorizer_gflops_224'], 2)
    results['speedup'] = round(results['colorizer_img_s'] / results['seed_img_s'], 2)
    results.update(machine_info())
    print(f"colorizer vs seed: {results['speedup']:.1f}× the training speed, "
          f"{results['flops_ratio_224']:.1f}× fewer forward FLOPs at 224²")
    print(f"machine: {results['cpu']}, {results['cores']} cores, GPU: {results['gpu']}, Keras {results['keras']} "
          f"({results['keras_backend']}), {a.precision}")
    print('wrote', write_json(a.out, results))
    return results

if __name__ == '__main__': main()
