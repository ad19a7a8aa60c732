"""What checkpointing costs: the share of training time spent saving step-exact checkpoints at the default interval.

Trains the default `colorizer` (the default `Config`: 64², batch 32, 100 classes, precision 'auto') on
synthetic tensors, times training steps after a warm-up, then times complete checkpoint saves of that
model exactly as `train` makes them (`run_state`: weights, Adam's moments, best weights, history, random
states; staged on local disk, copied under a temporary name, fsynced, renamed, manifest, pruning).
The overhead is the time of one save over the training time of the `checkpoint_every` steps between two
saves. Synthetic tensors cost nothing to load, so real training steps are, if anything, longer and the real
overhead smaller. `--run-dir` can point at a mounted Google Drive folder to measure the copy to Drive.

    python bench/checkpoint_overhead.py [--out FILE] [--steps 20] [--saves 5] [--every N] [--run-dir DIR] [--precision auto]
"""
import os, shutil, sys, tempfile, time
from pathlib import Path
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
from _common import machine_info, parser, write_json
import numpy as np

def main(argv=None):
    p = parser(__doc__, 'checkpoint_overhead')
    p.add_argument('--steps', type=int, default=20, help='timed training steps')
    p.add_argument('--warmup', type=int, default=3, help='untimed steps first (compilation)')
    p.add_argument('--saves', type=int, default=5, help='timed checkpoint saves')
    p.add_argument('--every', type=int, default=None, help='steps between checkpoints (default: Config().checkpoint_every)')
    p.add_argument('--run-dir', default=None, help='where checkpoints go (default: a temporary local folder)')
    p.add_argument('--precision', default='auto', help="Config.precision: 'auto', 'float32', 'mixed_bfloat16', ...")
    a = p.parse_args(argv)
    import keras
    from coloring_nb.core import Config
    from coloring_nb.model import build_model
    from coloring_nb.checkpoint import Checkpoint, CheckpointStore
    from coloring_nb.run import TrainState, compile_model, run_state, targets
    from coloring_nb.devices import resolve_precision
    config = Config(precision=a.precision)
    every, n_classes, steps_per_epoch = a.every or config.checkpoint_every, 100, 393  # the seed's epoch: 12,594 / 32
    policy = resolve_precision(config.precision)
    keras.config.set_dtype_policy(policy)
    model = compile_model(build_model(config, n_classes), config, steps_per_epoch)
    rng = np.random.default_rng(0)
    B, S = config.batch_size, config.size
    L = rng.random((B, S, S, 1), dtype='float32')
    y = targets(rng.uniform(-0.5, 0.5, (B, S, S, 2)).astype('float32'), rng.integers(0, n_classes, B).astype('int32'), model.output)
    for _ in range(a.warmup): model.train_on_batch(L, y)
    start = time.perf_counter()
    for _ in range(a.steps): model.train_on_batch(L, y)
    step_s = (time.perf_counter() - start) / a.steps

    # a realistic state: best weights kept, 20 epochs of history
    state = TrainState(best=0.02, best_epoch=3, best_weights=model.get_weights(),
                       history={k: [0.1] * 20 for k in ('epoch', 'loss', 'ab_loss', 'ab_mse', 'cls_loss', 'cls_accuracy', 'learning_rate',
                                                       'val_loss', 'val_ab_loss', 'val_ab_mse', 'val_cls_loss', 'val_cls_accuracy')})
    tmp = Path(tempfile.mkdtemp(prefix='ckpt-bench-'))
    run_dir = Path(a.run_dir)/f'checkpoint-bench-{os.getpid()}' if a.run_dir else tmp/'run'
    run_dir.mkdir(parents=True)
    store = CheckpointStore(run_dir, config.keep_checkpoints, stage_dir=tmp/'stage')
    data = {'source': 'synthetic tensors', 'counts': {'train': steps_per_epoch * B}}
    checkpoint = Checkpoint(store, lambda epoch, step: run_state(model, state, config, data, policy), every, steps_per_epoch)
    times = []
    for i in range(a.saves):
        state.epoch, state.step = divmod((i + 1) * every, steps_per_epoch)
        t = time.perf_counter()
        path = checkpoint.save(state.epoch, state.step)
        times.append(time.perf_counter() - t)
    save_s, mb = float(np.median(times)), path.stat().st_size / 1e6
    shutil.rmtree(run_dir); shutil.rmtree(tmp, ignore_errors=True)
    params = model.count_params()
    results = {'overhead_fraction': round(save_s / (every * step_s), 5), 'checkpoint_every': every,
               'step_seconds': round(step_s, 4), 'save_seconds_median': round(save_s, 4), 'save_seconds_max': round(max(times), 4),
               'checkpoint_mb': round(mb, 2), 'params_m': round(params / 1e6, 3), 'size': S, 'batch': B, 'precision': policy,
               'steps_timed': a.steps, 'saves_timed': a.saves, 'target': str(a.run_dir or 'local temp folder')}
    results.update(machine_info())
    print(f"default colorizer {S}², batch {B}, {policy}: {params / 1e6:.2f} M params, {step_s:.3f} s per training step")
    print(f"checkpoint: {mb:.1f} MB, saved in {save_s:.3f} s (median of {a.saves}; max {max(times):.3f} s)")
    print(f"overhead at one checkpoint every {every} steps: {100 * results['overhead_fraction']:.2f} % of training time")
    print('wrote', write_json(a.out, results))
    return results

if __name__ == '__main__': main()
