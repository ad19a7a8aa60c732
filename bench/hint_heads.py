#!/usr/bin/env python3
"""Can a better head on the published hint network carry its hints further (issue 27)? Heads trained on its frozen features.

    python bench/hint_heads.py [--work ~/.cache/coloring_nb_hints_dense] [--weights weights/butterflies-hints.keras]
                               [--train-images 1500] [--images 256] [--epochs 3]

The published hint model gives each hint's residual to the pixels its learned embedding finds alike
(`model.HintAffinity`, the layer `ab_affinity`), then spreads what is left (`HintSpread`). Here its network is frozen:
the input of the affinity's embedding (the layer `affinity_in`: the decoder's features, the head's, L and the
network's colours) is computed once per image, with hints drawn as training draws them (`simulate_hints`' defaults) on
the first `--train-images` images of the train split, and with the bench's hints (Zhang's protocol, `hints.scores`'
seeds) on the first `--images` images of the train split's epoch-check hold-out (the cache bench/hints.py built in
`--work`; nothing here looks at the valid split). Heads that begin as the published one (its weights; a new part's
last layer at zero, so that before training each scores exactly as the file) are trained on those features (Adam at
`--learning-rate`, MSE on ab, batches of 16) and scored after each epoch at 0, 1, 2, 5 and 10 hints:

- `affinity`: the published head (the embedding's three convolutions and the affinity), trained on;
- `affinity + refinement`: the same, then three 3×3 convolutions of 32 (dilations 1, 2, 4) on L, the affinity's
  colours, the hints and the embedding, whose 1×1 output adds a correction: room to follow edges and to undo a
  hint carried too far.

- `value`, `half`: the published head with the affinity's other forms (`HintAffinity`'s `residual`): it adds each hint's residual
  at its hinted cell, hint − ab(cell), and these pull each pixel towards the hint's own colour instead, hint − ab(p)
  (`value`), or halfway between the two (`half`). A network that learned to carry its hints (bench/gpu_hints.py's
  carry stage) meets them where they are and leaves no residual there to spread; these forms still carry them.

All end in the model's own `HintSpread`. If none gains much over the file, the 10-hint goal must come from the
network itself. `--heads` picks them (default: affinity,refinement). Prints a table and writes
bench/results/hint_heads.json. For a network trained with bench/gpu_hints.py (whose cache's 'valid' split is its own
hold-out of the train split, so that nothing here sees the data set's valid split either):

    python bench/hint_heads.py --work GPU_HINTS_CACHE --weights gpu_hints_carry.keras --heads affinity,value,half \
        --epochs 2 --out bench/results/hint_heads_carry.json
"""
import os, time
from pathlib import Path
from _common import machine_info, parser, write_json

COUNTS = (0, 1, 2, 5, 10)

def features(model, lab, draw) -> dict:
    "The frozen network's outputs the heads read, for `lab` in batches of 32, the hints of batch b drawn by `draw(ab, b)`."
    import keras, numpy as np
    from coloring_nb.evaluate import iter_batches
    from coloring_nb.hints import hint_inputs
    frozen = keras.Model(model.input, {name: model.get_layer(name).output for name in ('affinity_in', 'ab', 'ab_hinted')})
    parts = {}
    for b, (L, ab, _) in enumerate(iter_batches(lab, None, 32)):
        hint_ab, mask = draw(ab, b)
        out = {k: np.asarray(v) for k, v in frozen.predict_on_batch(hint_inputs(L, hint_ab, mask)).items()}
        for k, v in {**out, 'affinity_in': out['affinity_in'].astype('float16'), 'L': L, 'hint_ab': hint_ab, 'mask': mask, 'truth': ab}.items():
            parts.setdefault(k, []).append(v)
    return {k: np.concatenate(v) for k, v in parts.items()}

HEADS = {'affinity': (None, False), 'refinement': (None, True), 'value': (0.0, False), 'half': (0.5, False)}   # name -> (residual share, None: the file's own; refinement)
HEAD_NAMES = {'refinement': 'affinity + refinement'}

def head(model, residual:float|None, refinement:bool):
    "A head on the frozen features: the published embedding and affinity (their weights copied; the affinity with `residual` share, None: the file's), an optional refinement, the model's spread."
    import keras
    from keras import layers
    inputs = {name: keras.Input(model.get_layer(src).output.shape[1:], name=name) for name, src in
              (('affinity_in', 'affinity_in'), ('ab', 'ab'), ('L', 'L'), ('hint_ab', 'hint_ab'), ('mask', 'hint_mask'))}
    embedding = inputs['affinity_in']
    for name in ('affinity_conv1', 'affinity_conv2', 'affinity_embed', 'ab_affinity'):
        old = model.get_layer(name)
        new = type(old).from_config({**old.get_config(), 'residual': residual} if name == 'ab_affinity' and residual is not None else old.get_config())
        if name == 'ab_affinity': ab = new([inputs['ab'], embedding, inputs['hint_ab'], inputs['mask']])
        else: embedding = new(embedding)
        new.set_weights(old.get_weights())
    if refinement:
        x = layers.Concatenate()([inputs['L'], ab, inputs['hint_ab'], inputs['mask'], embedding])
        for i, dilation in enumerate((1, 2, 4)): x = layers.Conv2D(32, 3, padding='same', dilation_rate=dilation, activation='relu', name=f'refine{i}')(x)
        ab = layers.Add()([ab, layers.Conv2D(2, 1, kernel_initializer='zeros', name='refine_out')(x)])
    spread = model.get_layer('ab_hinted')
    return keras.Model(inputs, type(spread).from_config(spread.get_config())([ab, inputs['L'], inputs['hint_ab'], inputs['mask']]))

def psnr(lab_parts:dict, ab) -> float:
    from coloring_nb.evaluate import image_metrics
    return round(float(image_metrics(lab_parts['L'], lab_parts['truth'], ab, full=False)['psnr'].mean()), 3)

def score(net, hold:dict) -> dict:
    "k -> mean PSNR of the head `net` on the hold-out's features with k hints."
    import numpy as np
    predict = lambda f, i: net.predict_on_batch({k: f[k][i:i + 32].astype('float32') for k in net.input})
    return {k: psnr(f, np.concatenate([np.asarray(predict(f, i)) for i in range(0, len(f['L']), 32)])) for k, f in hold.items()}

def train_head(net, train:dict, hold:dict, epochs:int, learning_rate:float, name:str) -> list:
    "Train `net` on the train features; its hold-out scores before and after each epoch."
    import keras, numpy as np
    net.compile(keras.optimizers.Adam(learning_rate), 'mse')
    history, began = [{'epoch': 0, 'psnr': score(net, hold)}], time.time()
    print(name, history[-1], flush=True)
    for epoch in range(1, epochs + 1):
        order = np.random.default_rng(epoch).permutation(len(train['L']))
        losses = [float(net.train_on_batch({k: train[k][j].astype('float32') for k in net.input}, train['truth'][j]))
                  for j in (np.sort(order[i:i + 16]) for i in range(0, len(order) - 15, 16))]
        history.append({'epoch': epoch, 'loss': round(float(np.mean(losses)), 6), 'seconds': round(time.time() - began), 'psnr': score(net, hold)})
        print(name, history[-1], flush=True)
    return history

def main():
    p = parser(__doc__, 'hint_heads')
    p.add_argument('--work', default='~/.cache/coloring_nb_hints_dense', help="bench/hints.py's work folder (its cache-SIZE holds both splits used)")
    p.add_argument('--weights', default='weights/butterflies-hints.keras')
    p.add_argument('--size', type=int, default=112)
    p.add_argument('--train-images', type=int, default=1500)
    p.add_argument('--images', type=int, default=256)
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--learning-rate', type=float, default=5e-4)
    p.add_argument('--heads', default='affinity,refinement', help=f"which heads, of {','.join(HEADS)}")
    args = p.parse_args()
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    import numpy as np
    from coloring_nb.cache import LabCache
    from coloring_nb.colorize import load_model
    from coloring_nb.hints import simulate_hints
    model, cache = load_model(args.weights), LabCache.open(Path(args.work).expanduser()/f'cache-{args.size}')
    began = time.time()
    train = features(model, cache.lab('train')[:args.train_images], lambda ab, b: simulate_hints(ab, np.random.default_rng((99, b))))
    hold = {k: features(model, cache.lab('valid')[:args.images], lambda ab, b, k=k: simulate_hints(ab, np.random.default_rng((k, b)), n_hints=k, sides=(6,), where='normal'))
            for k in COUNTS}
    print(f'features of {args.train_images} train and {args.images} hold-out images in {time.time() - began:.0f} s', flush=True)
    published = {k: psnr(f, f['ab_hinted']) for k, f in hold.items()}
    heads = {HEAD_NAMES.get(name, name): train_head(head(model, *HEADS[name]), train, hold, args.epochs, args.learning_rate, HEAD_NAMES.get(name, name))
             for name in args.heads.split(',')}
    print(f"\n| head | {' | '.join(f'{k} hint' + ('s' if k != 1 else '') for k in COUNTS)} |\n|---{'|---' * len(COUNTS)}|")
    row = lambda scores: ' | '.join(f'{scores[k]:.3f}' for k in COUNTS)
    print(f"| {Path(args.weights).name} as it is | {row(published)} |")
    for name, history in heads.items():
        for h in history[1:]: print(f"| {name}, epoch {h['epoch']} | {row(h['psnr'])} |")
    print(f"wrote {write_json(args.out, {'published': published, 'heads': heads, 'train_images': args.train_images, 'images': args.images, 'epochs': args.epochs, 'learning_rate': args.learning_rate, 'weights': Path(args.weights).name, 'machine': machine_info()})}")

if __name__ == '__main__': main()
