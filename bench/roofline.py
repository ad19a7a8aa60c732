#!/usr/bin/env python3
"""GPU figures on paper: a roofline bound on the training step of the colorizer and the seed's model on Colab's GPUs.

    python bench/roofline.py [--size 224] [--batch 32] [--out bench/results/roofline.json]

No GPU is needed. In a Python with KERAS_BACKEND=jax (on the CPU), each model (`build_model(Config(model=...))`: the
default colorizer with its classifier, and the seed's 59 M-parameter model) is compiled with `compile_model` under
mixed bfloat16 and mixed float16, and its whole training step (forward, loss, gradients, Adam: Keras' own
`train_step`) is lowered and compiled by XLA for a batch of --batch images of --size²; XLA's `cost_analysis()` of
the compiled step gives its floating-point operations and the bytes it reads and writes. XLA compiled it for the CPU,
whose fusions differ from a GPU's: the FLOPs carry over, the bytes are a rough figure.

A step on a GPU cannot take less than the larger of FLOPs ÷ the chip's peak and bytes ÷ its memory bandwidth (the
roofline), plus what the host does per step: the batch's transfer over PCIe, and Keras' own per-step work in Python,
measured here as the step time of a model with the colorizer's layers but almost no arithmetic (its widths ÷ 16, 32²,
batch 2), on JAX on this CPU. Every speed printed from that is a BOUND (an "estimate" in the README): real steps
reach a fraction of the peak (the seed's model reached 14 % of an H100's on bf16, measured by bench/gpu.py, in
../shared/docs/SEED.md, shown here beside its estimate). The peaks are the data sheets' dense (no sparsity) tensor
figures: T4 has no bfloat16, so its bf16 row is float16's.

Is the GPU fed? The batches come from the Lab cache at bench/pipeline.py's measured rate on 2 cores
(bench/results/pipeline.json, Colab's free runtime has 2 vCPUs): that rate is set beside each bound.
"""
import json, statistics, sys, time
from _common import RESULTS, WORKER_MARK, machine_info, parser, run_worker, write_json

# name: (dense bf16 TFLOP/s, dense fp16 TFLOP/s, memory GB/s, host link GB/s); data sheets (A100 40 GB and H100 SXM)
GPUS = {'T4': (None, 65.0, 320.0, 12.0), 'L4': (121.0, 121.0, 300.0, 25.0),
        'A100': (312.0, 312.0, 1555.0, 25.0), 'H100': (989.4, 989.4, 3350.0, 50.0)}
PRECISIONS = {'bf16': 'mixed_bfloat16', 'fp16': 'mixed_float16'}
TRAIN_IMAGES = 12_594                       # the butterfly train split: one epoch
SEED_EPOCH_COLAB_S = 800                    # ../shared/docs/SEED.md: the seed on Colab (its GPU unrecorded)
SEED_H100_BF16_IMG_S = 566                  # ../shared/docs/SEED.md: measured by bench/gpu.py on an H100, bf16, batch 32

def step_cost(model_name:str, precision:str, size:int, batch:int) -> dict:
    "In this (JAX) Python: XLA's cost analysis of one compiled training step."
    import jax, keras, numpy as np
    from coloring_nb.core import Config
    from coloring_nb.model import build_model
    from coloring_nb.run import compile_model, targets
    keras.config.set_dtype_policy(precision)
    config = Config(model=model_name, size=size, batch_size=batch)
    model = compile_model(build_model(config, 100, weights=None), config, steps_per_epoch=393, jit_compile=True)
    L = np.zeros((batch, size, size, 1), 'float32')
    data = (L, targets(np.zeros((batch, size, size, 2), 'float32'), np.zeros(batch, 'int32'), model.output), None)
    model._symbolic_build(data_batch=data)      # what train_on_batch does first: the optimizer's and metrics' variables
    state = model._get_jax_state(trainable_variables=True, non_trainable_variables=True, optimizer_variables=True, metrics_variables=True)
    started = time.perf_counter()
    compiled = jax.jit(model.train_step).lower(state, data).compile()
    cost = compiled.cost_analysis()
    cost = cost[0] if isinstance(cost, (list, tuple)) else cost    # a list of one dict on older JAX
    return {'gflop': cost['flops'] / 1e9, 'gbytes': cost['bytes accessed'] / 1e9, 'params': model.count_params(),
            'compile_s': round(time.perf_counter() - started, 1)}

def host_overhead(steps:int=40) -> float:
    "Keras' per-step time, in ms, for a model with the colorizer's layers and almost no arithmetic, on JAX on this CPU."
    import keras, numpy as np
    from coloring_nb.core import Config
    from coloring_nb.model import build_model
    from coloring_nb.run import batch_logs, compile_model
    keras.config.set_dtype_policy('float32')
    base = Config()
    config = Config(size=32, batch_size=2, widths=tuple(max(2, w // 16) for w in base.widths), global_dim=8, branch_dim=8)
    model = compile_model(build_model(config, 100, weights=None), config, steps_per_epoch=393, jit_compile=True)
    rng = np.random.default_rng(0)
    L, ab, labels = rng.random((2, 32, 32, 1), 'float32'), rng.random((2, 32, 32, 2), 'float32') - 0.5, np.array([0, 1])
    for _ in range(3): batch_logs(model, L, ab, labels, train=True)     # compiled, warm
    times = []
    for _ in range(steps):
        started = time.perf_counter(); batch_logs(model, L, ab, labels, train=True); times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)

def worker(size:int, batch:int) -> None:
    out = {'host_overhead_ms': host_overhead()}
    for model_name in ('colorizer', 'seed'):
        for short, precision in PRECISIONS.items():
            out[f'{model_name}/{short}'] = step_cost(model_name, precision, size, batch)
            print(f"{model_name} {short}: {out[f'{model_name}/{short}']}", file=sys.stderr, flush=True)
    print(WORKER_MARK + json.dumps(out), flush=True)

def bound(cost:dict, gpu:str, short:str, batch:int, size:int, host_ms:float) -> dict:
    "The roofline bound of one step on `gpu`: seconds, images per second, seconds per epoch, and what limits it."
    bf16, fp16, bandwidth, link = GPUS[gpu]
    peak = (bf16 if short == 'bf16' else fp16) or fp16
    compute_s, memory_s = cost['gflop'] / (peak * 1e3), cost['gbytes'] / bandwidth
    transfer_s = batch * size * size * 3 * 4 / (link * 1e9)       # L and ab as float32 over the host link
    step_s = max(compute_s, memory_s) + transfer_s + host_ms / 1e3
    return {'step_ms': round(1e3 * step_s, 2), 'img_s': round(batch / step_s), 'epoch_s': round(TRAIN_IMAGES / (batch / step_s), 1),
            'limit': 'compute' if compute_s >= memory_s else 'memory', 'compute_ms': round(1e3 * compute_s, 2),
            'memory_ms': round(1e3 * memory_s, 2), 'peak_tflops': peak, 'precision': short if (short == 'fp16' or bf16) else 'fp16 (no bf16)'}

def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--worker': return worker(int(sys.argv[2]), int(sys.argv[3]))
    p = parser(__doc__, 'roofline')
    p.add_argument('--size', type=int, default=224)
    p.add_argument('--batch', type=int, default=32)
    args = p.parse_args()
    measured = run_worker(__file__, [args.size, args.batch], {'KERAS_BACKEND': 'jax', 'JAX_PLATFORMS': 'cpu'}, 'the cost analysis', timeout=3600)
    host_ms = measured.pop('host_overhead_ms')
    pipeline = json.loads((RESULTS/'pipeline.json').read_text())
    feed = pipeline['batches_img_s']
    rows = []
    for key, cost in measured.items():
        model_name, short = key.split('/')
        for gpu in GPUS:
            b = bound(cost, gpu, short, args.batch, args.size, host_ms)
            rows.append({'model': model_name, 'gpu': gpu, **b, 'gflop_per_step': round(cost['gflop'], 1),
                         'gbytes_per_step': round(cost['gbytes'], 2), 'fed': feed >= b['img_s']})
    print(f"host: {host_ms:.2f} ms per step (Keras' own work, JAX on this CPU); batches from the Lab cache: {feed:,.0f} img/s on 2 cores "
          f"(bench/results/pipeline.json, {pipeline.get('cpu')}, {pipeline.get('date', '')[:10]})")
    for key, cost in measured.items():
        print(f"{key}: {cost['gflop']:,.0f} GFLOP and {cost['gbytes']:,.1f} GB per step of {args.batch} at {args.size}² ({cost['params']:,} parameters; compiled in {cost['compile_s']} s)")
    print(f"\n| model | GPU | precision | step (ms, bound) | img/s (bound) | epoch of {TRAIN_IMAGES:,} (s) | limit | fed by 2 cores? |")
    print('| --- | --- | --- | --- | --- | --- | --- | --- |')
    for r in rows:
        print(f"| {r['model']} | {r['gpu']} | {r['precision']} | {r['step_ms']} | {r['img_s']:,} | {r['epoch_s']} | {r['limit']} | {'yes' if r['fed'] else 'NO'} |")
    seed_h100 = next(r for r in rows if (r['model'], r['gpu'], r['precision']) == ('seed', 'H100', 'bf16'))
    seed_t4 = next(r for r in rows if (r['model'], r['gpu']) == ('seed', 'T4'))
    reference = {'seed_h100_bf16_measured_img_s': SEED_H100_BF16_IMG_S, 'seed_h100_bf16_bound_img_s': seed_h100['img_s'],
                 'seed_h100_measured_over_bound': round(SEED_H100_BF16_IMG_S / seed_h100['img_s'], 3),
                 'seed_colab_epoch_s': SEED_EPOCH_COLAB_S, 'seed_t4_bound_epoch_s': seed_t4['epoch_s']}
    print(f"\nreference: the seed's model on an H100 (bf16, measured): {SEED_H100_BF16_IMG_S} img/s against a bound of {seed_h100['img_s']:,} "
          f"({100 * reference['seed_h100_measured_over_bound']:.0f} % of it); the seed on Colab: ~{SEED_EPOCH_COLAB_S} s an epoch, "
          f"against a T4 bound of {seed_t4['epoch_s']} s")
    out = {'kind': 'estimate (roofline bound)', 'size': args.size, 'batch': args.batch, 'host_overhead_ms': round(host_ms, 2),
           'feed_img_s_2_cores': feed, 'feed_source': 'bench/results/pipeline.json (batches_img_s)', 'gpus': {k: dict(zip(('bf16_tflops', 'fp16_tflops', 'memory_gb_s', 'link_gb_s'), v)) for k, v in GPUS.items()},
           'costs': measured, 'rows': rows, 'reference': reference, 'machine': machine_info()}
    print(f"wrote {write_json(args.out, out)}")

if __name__ == '__main__': main()
