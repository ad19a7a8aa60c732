#!/usr/bin/env python3
"""Vivid colour: which training recipe paints butterflies as colourful as the truth without being more wrong.

    python bench/vivid.py [--data ../shared/data/butterflies-112] [--stages 64:5:2e-3,112:2:5e-4] [--recipes mse,l1,...]
                          [--work DIR] [--limit N]

Every recipe (`RECIPES`: a loss, a colourfulness term, boosted targets, the ab bins) trains the default colorizer
with its classifier on the same schedule, so at an equal budget of training steps: progressive, as
bench/pretrained.py does (`--stages SIZE:EPOCHS[:LEARNING_RATE],...`, each stage a `train` run starting from the
weights the one before ended with; the same seeds, so the same data order and initial weights for every recipe).
The data set's train split is split by a hash: 90 % to train on, 10 % held out, on which each run keeps its best
epoch and the bins' decoding temperature is chosen; the figures are measured on the data set's valid split, which
nothing is chosen on. The work folder keeps the caches and runs: run the same command again to resume.

The rule, written before any run:
    among the recipes whose ab MSE is ≤ 1.10× and whose PSNR is ≥ (−0.3 dB) of the 'mse' recipe's, the one whose
    colourfulness ÷ the truth's is closest to 1, if it is within 0.85–1.15; else no recipe wins.
Beside the recipes, the 'mse' model's colours are multiplied by a gain (1.0–2.0, the widget's colour strength): a
recipe is worth having only where it sits above that curve on the (ab MSE ÷ mse's, colourfulness ÷ truth's) plane.

Writes bench/results/vivid.json (per recipe: its fields, the figures, the minutes, where it sits against the gain
curve, whether it qualifies; the gain curve; the winner), vivid_plane.png (the plane) and vivid_grid.png (the same
8 valid images for every recipe: grey input, each recipe, the truth).
"""
import json, os, shutil, sys, time
from pathlib import Path
from _common import machine_info, parser, write_json
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
from coloring_nb.vivid import COLOUR_RECIPES as RECIPES, SEED_RECIPE   # name -> every recipe field, spelled out

ADVERSARIAL = ('adversarial_epochs', 'adversarial_weight')   # the phase belongs to the last stage only
BASE = 'mse'                        # the recipe every other is judged against
from coloring_nb.evaluate import ERROR_LIMITS
MSE_LIMIT, PSNR_LIMIT = ERROR_LIMITS # the rule: ab MSE ≤ 1.10× the base's, PSNR ≥ the base's − 0.3 dB ...
BAND = (0.85, 1.15)                 # ... and colourfulness ÷ truth's within this band, closest to 1 wins
GAINS = [round(1 + 0.1 * i, 1) for i in range(11)]   # the base's colour strength: 1.0, 1.1, ..., 2.0
FIGURES = ('ab_mse', 'psnr', 'ssim', 'delta_e2000', 'colorfulness', 'colorfulness_truth', 'colorfulness_gap', 'top1', 'top5')

def log(*a): print(*a, flush=True)

def parse_recipes(text:str) -> dict:
    "`--recipes` as {name: fields}: known names, or NAME=FIELD:VALUE;FIELD:VALUE for others (values as JSON; the rest as the seed's plain MSE)."
    out = {}
    for part in filter(None, text.split(',')):
        name, _, spec = part.partition('=')
        if not spec:
            if name not in RECIPES: sys.exit(f"--recipes: unknown recipe {name!r}; known: {', '.join(RECIPES)} (or NAME=FIELD:VALUE;...)")
            out[name] = RECIPES[name]
        else: out[name] = {**SEED_RECIPE, **{k: json.loads(v) if v[:1] not in "'" else v.strip("'") for k, v in (kv.split(':', 1) for kv in spec.split(';'))}}
    return out

def share_bins(first_cache, cache):
    "Give `cache` the ab bins of the first stage's cache, so that a bins model keeps its head's shape across the stages."
    from coloring_nb.bins import BINS_FILE, cache_bins
    cache_bins(first_cache)
    if Path(first_cache.path) != Path(cache.path): shutil.copyfile(Path(first_cache.path)/BINS_FILE, Path(cache.path)/BINS_FILE)

def early_fields(fields:dict) -> dict:
    "A recipe's fields before its last stage: without the adversarial phase, which ends the schedule."
    return {**fields, **{k: SEED_RECIPE[k] for k in ADVERSARIAL}}

def twin_of(name:str, recipes:dict) -> str:
    "The recipe whose runs `name`'s earlier stages can share: one with the same fields there (else `name` itself)."
    early = early_fields(recipes[name])
    return name if early == recipes[name] else next((n for n, f in recipes.items() if f == early), name)

def train_recipe(name:str, fields:dict, caches:dict, stages:list, work:Path, data:str, batch_size:int, twin:str|None=None) -> dict:
    "Train one recipe through the stages (the earlier ones as `twin`, whose runs are the same); its final model's path, minutes and per-stage history."
    from coloring_nb.core import Config
    from coloring_nb.train import train
    from coloring_nb.checkpoint import CheckpointStore
    from pretrained import start_from
    previous, minutes, done = None, 0.0, []
    for i, (size, epochs, learning_rate) in enumerate(stages):
        cache = caches[size]
        if fields.get('ab_loss') == 'bins': share_bins(caches[stages[0][0]], cache)
        last = i == len(stages) - 1
        config = Config(data=data, size=size, batch_size=batch_size, learning_rate=learning_rate, epochs=epochs,
                        patience=epochs, seed=i, run_name=(name if last else twin or name).replace('+', '-'), **(fields if last else early_fields(fields)))
        run = work/'runs'/config.run_name/f'stage-{i + 1}-{size}'
        start = [start_from(previous)] if previous is not None and not any(run.glob('ckpt-*.npz')) else []
        log(f"{name}: stage {i + 1}/{len(stages)}, {epochs} epochs at {size}², learning rate {learning_rate:g}" +
            (f", from {previous}" if previous else ', from scratch'))
        _, history = train(config, run_dir=run, cache=cache, verbose=2, callbacks=start)
        previous = run/'final.keras'
        minutes += (previous.stat().st_mtime - (run/'config.json').stat().st_mtime) / 60
        done.append({'size': size, 'epochs': len(history.get('val_ab_mse', [])), 'learning_rate': learning_rate,
                     'val_ab_mse': [round(v, 5) for v in history.get('val_ab_mse', [])],
                     'best_epoch': CheckpointStore(run).finished['best_epoch'] + 1})
    return {'final': previous, 'minutes': round(minutes, 1), 'stages': done}

def curve_at(curve:list, mse_ratio:float) -> float:
    "The most colour the slider reaches at an ab MSE ratio up to `mse_ratio`: the gains' frontier, interpolated (a small gain can lower the error too)."
    import numpy as np
    points = sorted((c['mse_ratio'], c['colorfulness_ratio']) for c in curve)
    xs, ys = [x for x, _ in points], np.maximum.accumulate([y for _, y in points])
    return float(np.interp(mse_ratio, xs, ys, left=ys[0], right=float('nan')))

def judge(results:dict, recipes:list, curve:list) -> tuple[dict, str|None]:
    "Each recipe's place against the base and the gain curve, and the winner by the rule (None if none qualifies)."
    base = results[BASE]
    judged = {}
    for name in recipes:
        r = results[name]
        mse_ratio, cf_ratio = float(r['ab_mse'] / base['ab_mse']), float(r['colorfulness'] / r['colorfulness_truth'])
        qualifies = bool(mse_ratio <= MSE_LIMIT and r['psnr'] >= base['psnr'] + PSNR_LIMIT)
        judged[name] = {'mse_ratio': round(mse_ratio, 4), 'colorfulness_ratio': round(cf_ratio, 4),
                        'above_gain_curve': round(cf_ratio - curve_at(curve, mse_ratio), 4),
                        'within_error_limits': qualifies, 'in_band': bool(BAND[0] <= cf_ratio <= BAND[1])}
    winners = [n for n, j in judged.items() if j['within_error_limits'] and j['in_band']]
    return judged, min(winners, key=lambda n: abs(judged[n]['colorfulness_ratio'] - 1)) if winners else None

def plot_plane(judged:dict, curve:list, path:Path):
    "The (ab MSE ÷ base's, colourfulness ÷ truth's) plane: the gain curve, the recipes, the rule's region."
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6.5, 4.5), dpi=110, layout='constrained')
    ax = fig.subplots()
    ax.fill_between([0, MSE_LIMIT], *BAND, color='tab:green', alpha=0.1, lw=0)
    ax.axvline(MSE_LIMIT, color='tab:green', ls=':', lw=1)
    ax.plot([c['mse_ratio'] for c in curve], [c['colorfulness_ratio'] for c in curve], '-o', ms=3, color='grey', label=f"'{BASE}' × gain 1.0–2.0")
    for c in curve[::5]: ax.annotate(f"×{c['gain']}", (c['mse_ratio'], c['colorfulness_ratio']), fontsize=7, color='grey', xytext=(4, -10), textcoords='offset points')
    for name, j in judged.items():
        ax.plot(j['mse_ratio'], j['colorfulness_ratio'], 's', ms=7, label=name)
    ax.axhline(1, color='k', lw=0.5)
    ax.set_xlabel(f"ab MSE ÷ '{BASE}''s (lower is better)"); ax.set_ylabel("colourfulness ÷ the truth's")
    ax.set_title('Recipes against the colour-strength curve (green: the rule\'s region)', fontsize=10)
    ax.legend(fontsize=8, loc='lower right')
    fig.savefig(path, bbox_inches='tight')

def main():
    p = parser(__doc__, 'vivid', data='butterflies-112')
    p.add_argument('--stages', default='64:5:2e-3,112:2:5e-4', help='SIZE:EPOCHS[:LEARNING_RATE],... the schedule every recipe trains on')
    p.add_argument('--recipes', default=','.join(RECIPES), help=f"which recipes (default: all of {', '.join(RECIPES)}); NAME=FIELD:VALUE;... for others")
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--learning-rate', type=float, default=2e-3, help="a stage's learning rate where --stages gives none")
    p.add_argument('--work', default=str(Path.home()/'.cache'/'coloring_nb_vivid'), help='caches and runs (kept: run again to resume)')
    p.add_argument('--limit', type=int, default=0, help='rehearsal: at most this many images per split')
    args = p.parse_args()
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    import numpy as np
    from coloring_nb.folders import ImageIndex, index_folder
    from coloring_nb.cache import build_cache
    from coloring_nb.colorize import load_model
    from coloring_nb.evaluate import baselines, evaluate_many, gain_curve, image_grid, metrics_table
    from pretrained import parse_stages
    from quality import held_out_index, choose_temperature, at_temperature
    recipes = parse_recipes(args.recipes)
    if BASE not in recipes: sys.exit(f"--recipes must include {BASE!r}: every other recipe is judged against it")
    stages = parse_stages(args.stages, 0, 0, args.learning_rate)
    index = held_out_index(index_folder(args.data))
    if args.limit:
        index = ImageIndex([i for s in ('train', 'valid', 'test') for i in index.split(s)[:args.limit]], index.class_names, index.root, index.source)
    work = Path(args.work)
    caches = {size: build_cache(index, work/f'cache-{size}', size, progress=False) for size in dict.fromkeys(s for s, _, _ in stages)}
    cache = caches[stages[-1][0]]
    counts = cache.manifest['counts']
    log(f"{args.data}: {counts} images; training on 'train', best epoch and temperature chosen on 'valid' (10 % of the "
        f"train split), figures on 'test' (the data set's valid split); stages {stages}")
    trained = {name: train_recipe(name, fields, caches, stages, work, args.data, args.batch_size, twin_of(name, recipes)) for name, fields in recipes.items()}
    models = {name: load_model(t['final']) for name, t in trained.items()}
    predictors = dict(models)
    for name, fields in recipes.items():
        if fields.get('ab_loss') == 'bins':
            best, sweep = choose_temperature(models[name], (cache.lab('valid'), cache.labels('valid')), models[BASE])
            predictors[name] = at_temperature(models[name], best)
            trained[name].update(temperature=best, temperature_sweep_hold_out=sweep)
            log(f"{name}: T = {best} chosen on the hold-out; there: {json.dumps(sweep)}")
    test = (cache.lab('test'), cache.labels('test'))
    t = time.perf_counter()
    results = evaluate_many({**predictors, **baselines(cache.lab('train'))}, *test)
    log(f"evaluated {len(results)} predictors on {counts['test']} images in {time.perf_counter() - t:.0f} s")
    curve = [{'gain': c['gain'], 'mse_ratio': round(c['ab_mse'] / results[BASE]['ab_mse'], 4), 'colorfulness_ratio': round(c['colorfulness_ratio'], 4),
              'psnr': round(c['psnr'], 3)} for c in gain_curve(models[BASE], test[0], gains=GAINS)]   # the widget's colour strength
    judged, winner = judge(results, list(recipes), curve)
    print('\n' + metrics_table({k: results[k] for k in [*recipes, 'grey', 'mean']}))
    print(f"\n| recipe | ab MSE ÷ {BASE}'s | colourfulness ÷ truth's | |colourfulness − truth's| ÷ truth's | above the gain curve | ab MSE ≤ {MSE_LIMIT}×, PSNR ≥ {PSNR_LIMIT} dB | minutes |")
    print('| --- | --- | --- | --- | --- | --- | --- |')
    for name, j in judged.items():
        print(f"| {name} | {j['mse_ratio']:.3f} | {j['colorfulness_ratio']:.3f} | {results[name]['colorfulness_gap']:.3f} | "
              f"{j['above_gain_curve']:+.3f} | {'yes' if j['within_error_limits'] else 'no'} | {trained[name]['minutes']} |")
    print('gain curve of ' + BASE + ': ' + ', '.join(f"×{c['gain']}: ({c['mse_ratio']:.3f}, {c['colorfulness_ratio']:.3f})" for c in curve))
    log(f"\nthe rule's winner: {winner or 'none: no recipe is within the error limits and the colourfulness band'}")
    out_path = Path(args.out)
    stem = out_path.with_suffix('')
    picks = np.linspace(0, counts['test'] - 1, min(8, counts['test'])).round().astype(int)   # 8 images across the species
    image_grid(predictors, np.asarray(test[0][picks]), labels=np.asarray(test[1][picks]), class_names=cache.class_names,
               n=len(picks), path=f'{stem}_grid.png')
    plot_plane(judged, curve, Path(f'{stem}_plane.png'))
    out = {'recipes': {name: {'fields': {k: v for k, v in recipes[name].items() if SEED_RECIPE.get(k) != v},   # beside the seed's plain MSE
                              **{k: round(float(results[name][k]), 5) for k in FIGURES if k in results[name]},
                              **judged[name], **{k: v for k, v in trained[name].items() if k != 'final'}} for name in recipes},
           'baselines': {k: {f: round(float(results[k][f]), 5) for f in FIGURES if f in results[k]} for k in ('grey', 'mean')},
           'gain_curve': curve, 'winner': winner,
           'rule': f"among recipes with ab MSE ≤ {MSE_LIMIT}× and PSNR ≥ {PSNR_LIMIT} dB of '{BASE}''s, the colourfulness ratio closest to 1 within {BAND[0]}–{BAND[1]}",
           'stages': [{'size': s, 'epochs': e, 'learning_rate': lr} for s, e, lr in stages], 'batch_size': args.batch_size,
           'data': Path(args.data).name, 'counts': counts, 'machine': machine_info(), **({'limit': args.limit} if args.limit else {})}
    log(f"wrote {write_json(out_path, out)}, {stem}_grid.png and {stem}_plane.png")

if __name__ == '__main__': main()
