#!/usr/bin/env python3
"""How far can hints carry without learning more (issue 27)? Other ways to spread the hints, and a bound, on the hint network's own colours.

    python bench/hint_ceiling.py [--work ~/.cache/coloring_nb_hints_dense] [--weights weights/butterflies-hints.keras] [--images 256] [--spread-grid | --residual-grid]

The published hint model ends in `model.HintSpread`: the network's colours, plus each hint's residual (the hint's
colour minus the network's there) spread by Gaussians over pixels of similar lightness. This bench keeps the network
and swaps the spread, to see whether a better hand-made spread could reach the issue's goals (+1 dB at 1 hint, +4 dB
at 10) without training. On the first `--images` images of the train split's epoch-check hold-out (the cache
bench/hints.py built in `--work`; nothing here looks at the valid split), with Zhang's protocol and the bench's seeds
(`hints.scores`), it scores at 0, 1 and 10 hints:

- `published`: the model as users get it (the network, then `HintSpread`);
- `network alone`: the network's own colours, before the spread (how much it uses the hints itself);
- `edge-aware solve`: the residual spread by a screened Poisson solve on the pixel grid, neighbours tied by their
  lightness (weights exp(−ΔL²/2·0.05²), a screen of 1e-5 so that it fades far from the hints): the classic scribble
  colorization (Levin et al. 2004) with a fade, which follows edges instead of distances;
- `by colour`: each hint's residual given to every pixel in proportion to how close it is in lightness and in the
  network's own colours (σ 0.1 in both, no distance term), a non-local spread across disjoint wings;
- `oracle`: every pixel whose TRUE colour lies within 0.1 (ab/128) of a hint's colour takes that hint's colour, the
  others keep the network's. It cannot be built (it reads the truth); it shows what a spread would give that knew
  which pixels share a hint's colour, the thing a network trained with hints learns (Zhang et al.'s "learned deep
  priors") and a spread by lightness, distance or the network's colours can only guess.

Prints a table and writes bench/results/hint_ceiling.json.

`--spread-grid` chooses the settings of the `HintSpread` that follows a learned `HintAffinity` (the model's
`ab_affinity` layer; `model.HINT_SPREAD_AFFINITY`): on the same hold-out and seeds, at 0, 1, 2, 5 and 10 hints, it
scores the colours the affinity gives with no spread after it, and with `HintSpread` at each σs (fractions of the side)
and `fade` of a grid, the network and the affinity as trained. Writes bench/results/hint_spread.json.

`--residual-grid` chooses `HintAffinity`'s residual share in a colorizer (`model.HINT_AFFINITY_RESIDUAL`): on the
same hold-out and seeds, the model's network, embedding, learned σ and floor, and its own `HintSpread` after, with
the affinity adding each hint's whole residual where it is (1, as trained), pulling towards the hint's colour (0),
or between. Writes bench/results/hint_residual.json.
"""
import os, sys
from pathlib import Path
from _common import RESULTS, machine_info, parser, write_json

def edge_aware(L, residual, mask, sigma_L=0.05, screen=1e-5, stiffness=100.0):
    "One image's hint residual (S, S, 2) spread by a screened Poisson solve whose 4-neighbour weights fall with the lightness step."
    import numpy as np, scipy.sparse as sp, scipy.sparse.linalg as sla
    side = L.shape[0]
    index = np.arange(side * side).reshape(side, side)
    i, j = np.r_[index[:, :-1].ravel(), index[:-1].ravel()], np.r_[index[:, 1:].ravel(), index[1:].ravel()]
    flat = L.ravel()
    w = np.exp(-(flat[i] - flat[j]) ** 2 / (2 * sigma_L ** 2))
    W = sp.coo_matrix((np.r_[w, w], (np.r_[i, j], np.r_[j, i])), shape=(side * side,) * 2).tocsr()
    m = mask.ravel()
    solve = sla.factorized((sp.diags(np.asarray(W.sum(1)).ravel() + screen + stiffness * m) - W).tocsc())
    r = residual.reshape(-1, 2) * m[:, None]
    return np.stack([solve(stiffness * r[:, c]) for c in range(2)], -1).reshape(side, side, 2)

def patches(mask):
    "The hint patches of one image's mask (S, S): a list of boolean masks."
    from scipy import ndimage
    labels, n = ndimage.label(mask > 0)
    return [labels == p for p in range(1, n + 1)]

def by_colour(L, net, hint_ab, mask, sigma=0.1, floor=0.1):
    "Each hint's residual given to every pixel by its closeness in lightness and in the network's colours to the hint's patch."
    import numpy as np
    guide = np.concatenate([L, net], -1) / sigma
    num, den = np.zeros(net.shape), np.zeros(net.shape[:2])
    for p in patches(mask):
        w = np.exp(-((guide - guide[p].mean(0)) ** 2).sum(-1) / 2)
        num += w[..., None] * (hint_ab[p].mean(0) - net[p].mean(0)); den += w
    return num / (den + floor)[..., None]

def oracle(ab, hint_ab, mask, net, within=0.1):
    "The network's colours, except where the true colour lies within `within` of a hint's: there, that hint's colour."
    import numpy as np
    out, hints = net.copy(), np.array([hint_ab[p].mean(0) for p in patches(mask)]).reshape(-1, 2)
    if len(hints):
        distance = np.linalg.norm(ab[:, :, None] - hints[None, None], axis=-1)
        close = distance.min(-1) < within
        out[close] = hints[distance.argmin(-1)[close]]
    return out

GRID_SIGMAS = {'1/7, 2/7, 4/7': (1 / 7, 2 / 7, 4 / 7), '1/14, 1/7, 2/7': (1 / 14, 1 / 7, 2 / 7), '1/7, 2/7': (1 / 7, 2 / 7)}   # σs, fractions of the side
GRID_FADES = (0.25, 1, 4, 16, 64)

def psnr_table(model, outputs:dict, hold, counts, spreads) -> dict:
    "k -> {spread: mean PSNR} over `hold` with k hints from the truth (hints.scores' seeds); `spreads(L, ab, hint_ab, mask, out)` names each spread's colours from the model's `outputs` (layer names)."
    import keras, numpy as np
    from coloring_nb.evaluate import image_metrics, iter_batches
    from coloring_nb.hints import hint_inputs, simulate_hints
    both, table = keras.Model(model.input, {k: model.get_layer(v).output for k, v in outputs.items()}), {}
    for k in counts:
        sums = {}
        for b, (L, ab, _) in enumerate(iter_batches(hold, None, 32)):
            hint_ab, mask = simulate_hints(ab, np.random.default_rng((k, b)), n_hints=k, sides=(6,), where='normal')   # hints.scores' seeds
            out = {name: np.asarray(v) for name, v in both.predict_on_batch(hint_inputs(L, hint_ab, mask)).items()}
            for name, pred in spreads(L, ab, hint_ab, mask, out).items(): sums[name] = sums.get(name, 0.0) + float(image_metrics(L, ab, pred, full=False)['psnr'].sum())
        table[k] = {name: round(s / len(hold), 3) for name, s in sums.items()}
        print(k, table[k], flush=True)
    return table

def hand_made(L, ab, hint_ab, mask, out) -> dict:
    "The published colours, the network's own, and the hand-made spreads and the oracle on the network's colours."
    import numpy as np
    net = out['net']
    return {'published': out['ab'], 'network alone': net,
            'edge-aware solve': net + np.stack([edge_aware(L[i, ..., 0], hint_ab[i] - net[i], mask[i, ..., 0]) for i in range(len(L))]),
            'by colour': net + np.stack([by_colour(L[i], net[i], hint_ab[i], mask[i, ..., 0]) for i in range(len(L))]),
            'oracle': np.stack([oracle(ab[i], hint_ab[i], mask[i, ..., 0], net[i]) for i in range(len(L))])}

def spread_grid(size:int):
    "The colours after the model's `HintAffinity`, with no spread and with `HintSpread` at each of the grid's σs and fades."
    from coloring_nb.model import HintSpread
    layers = {f'σ {name}, fade {fade:g}': HintSpread(tuple(s * size for s in sigmas), 8, fade) for name, sigmas in GRID_SIGMAS.items() for fade in GRID_FADES}
    def spreads(L, ab, hint_ab, mask, out):
        import numpy as np
        return {'published': out['ab'], 'no spread': out['affinity'], **{name: np.asarray(layer([out['affinity'], L, hint_ab, mask])) for name, layer in layers.items()}}
    return spreads

GRID_RESIDUALS = (1.0, 0.75, 0.5, 0.25, 0.0)

def residual_grid(model):
    "The model's colours with its `HintAffinity` (its learned σ and floor) at each residual share of the grid, then its own `HintSpread`."
    import numpy as np
    from coloring_nb.model import HintAffinity
    trained, spread, layers = model.get_layer('ab_affinity'), model.get_layer('ab_hinted'), {}
    def carried(r, inputs):
        if r not in layers:
            layers[r] = HintAffinity.from_config({**trained.get_config(), 'residual': r})
            layers[r].build([x.shape for x in inputs]); layers[r].set_weights(trained.get_weights())
        return layers[r](inputs)
    def spreads(L, ab, hint_ab, mask, out):
        inputs = [out['net'], out['embedding'], hint_ab, mask]
        return {'published': out['ab'], **{f'residual {r:g}': np.asarray(spread([carried(r, inputs), L, hint_ab, mask])) for r in GRID_RESIDUALS}}
    return spreads

def main():
    p = parser(__doc__, None)
    p.add_argument('--work', default='~/.cache/coloring_nb_hints_dense', help="bench/hints.py's work folder (its cache-SIZE holds the hold-out)")
    p.add_argument('--weights', default='weights/butterflies-hints.keras')
    p.add_argument('--images', type=int, default=256)
    p.add_argument('--size', type=int, default=112)
    p.add_argument('--spread-grid', action='store_true', help="score HintSpread's settings after the model's HintAffinity instead (writes hint_spread.json)")
    p.add_argument('--residual-grid', action='store_true', help="score HintAffinity's residual share instead (writes hint_residual.json)")
    p.add_argument('--out', default='', help='where to write the JSON results (default bench/results/hint_ceiling.json, or hint_spread.json, hint_residual.json with a grid)')
    args = p.parse_args()
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    from coloring_nb.cache import LabCache
    from coloring_nb.colorize import load_model
    model = load_model(args.weights)
    hold = LabCache.open(Path(args.work).expanduser()/f'cache-{args.size}').lab('valid')[:args.images]
    if args.spread_grid: counts, outputs, spreads = (0, 1, 2, 5, 10), {'ab': 'ab_hinted', 'affinity': 'ab_affinity'}, spread_grid(args.size)
    elif args.residual_grid: counts, outputs, spreads = (0, 1, 2, 5, 10), {'ab': 'ab_hinted', 'net': 'ab', 'embedding': 'affinity_embed'}, residual_grid(model)
    else: counts, outputs, spreads = (0, 1, 10), {'ab': 'ab_hinted', 'net': 'ab'}, hand_made   # 'ab': the network's colours, before anything carries or spreads the hints
    table = psnr_table(model, outputs, hold, counts, spreads)
    first, last = counts[1], counts[-1]
    print(f"\n| spread | {' | '.join(f'{k} hint' + ('s' if k != 1 else '') for k in counts)} | gain at {first} | gain at {last} |\n|---{'|---' * (len(counts) + 2)}|")
    for name in table[0]:
        print(f"| {name} | {' | '.join(f'{table[k][name]:.2f}' for k in counts)} | {table[first][name] - table[0][name]:+.3f} | {table[last][name] - table[0][name]:+.3f} |")
    out = args.out or str(RESULTS/('hint_spread.json' if args.spread_grid else 'hint_residual.json' if args.residual_grid else 'hint_ceiling.json'))
    print(f"wrote {write_json(out, {'psnr': {str(k): v for k, v in table.items()}, 'images': len(hold), 'weights': Path(args.weights).name, 'machine': machine_info()})}")

if __name__ == '__main__': main()
