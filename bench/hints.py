#!/usr/bin/env python3
"""Colour where the user points (issue 27): a hint-taking colorizer fine-tuned from the published automatic one, scored with 0 to 20 hints.

    python bench/hints.py [--data ../shared/data/butterflies-112] [--epochs 3] [--learning-rate 3e-4] [--automatic weights/butterflies.keras]
                          [--work DIR] [--limit N] [--counts 0,1,2,5,10,20] [--dense-hints] [--from-hints FILE]

The model: `Config(hints=True)` with the published model's architecture (Config's defaults, with its classifier, at
112²), its weights given by `hints.from_automatic` from the automatic model (the hint channels' kernels zero, so its
first step colours as that model does), then fine-tuned by the package's `train` on ALL the train images, each step's
hints simulated from the truth (`hints.simulate_hints`, Zhang et al. 2017's law), each epoch checked on a hashed 10 %
sample of the train split (as bench/pretrained.py does); nothing is chosen on the valid split, where it is scored.
Its targets are the true colours (`chroma_boost=1.0`, not the default recipe's 1.2): a hint gives a pixel's true
colour, and a model trained on boosted targets learns to paint a hint 1.2× more vivid than asked (a first run with
the boost saw its check loss, scored against the truth, rise from 0.0111 to 0.0118 in three epochs).
`--then-epochs N[,N...]` then trains more runs, each from the last one's weights (`--then-learning-rate`, seeds 1, 2,
...): the colorizer built from the Config now ends in `model.HintSpread`, so the network learns what the spread leaves.
`--no-augment` trains on the images as they are (`Config(augment=False)`: no random flip and crop), a last stage at
the scale the model colours at (with `--from-hints`). `--dense-hints` builds the network with `Config(dense_hints=True)` (its input and head also see the hints spread over the
image, `model.HintDensity`), `--affinity N` adds a learned embedding of N values a pixel that carries each hint to the pixels sharing its colour
before the spread (`Config(hint_affinity=N)`, `model.HintAffinity`; its layers start at random, the rest from the file),
`--train-only GLOB` trains only the layers so named, the rest frozen (`Config(train_only=GLOB)`: '*affinity*' trains that head alone), and `--from-hints FILE` starts the first run from a hint model's file instead of the
automatic model (`hints.from_automatic` again: the channels the file lacks start at zero). `--respread` trains nothing: it
publishes the `--from-hints` file's weights in the colorizer as the package builds it now, for settings that are not
weights (`model.HINT_SPREAD_AFFINITY`, the spread after an affinity), and scores it as below.
The work folder keeps the cache and the run: the same command resumes a killed run.

The scores (Zhang et al.'s protocol, as their test_sweep.py runs it: it made the figures the issue quotes, which are
the means of their resources/psnrs_siggraph.npy): on every valid image, k hints taken from the truth (k = each of
--counts), each a 6×6 patch holding the patch's mean true ab at a place drawn around the centre (a normal law, σ a
quarter of the side: test_sweep.py calls util.add_color_patches_rand_gt with its default samp='normal'), i.e.
`simulate_hints(n_hints=k, sides=(6,), where='normal')`, the generator seeded with (k, batch), so every model sees the
same hints; and the PSNR (RGB) and ab MSE of the colours the model then gives. (Zhang's sweep also gives hints to
nearly grey images, which ours skip; none of the 500 valid images is nearly grey.) The same scores with the places
drawn uniformly over the image (`where='uniform'`, which this bench used until 2026-12-06) are printed and kept too.
The automatic model is scored beside it at 0 hints, twice: the published file as it is, and its network without the
colour gain the file carries (`vivid.with_colour_gain`, which trades PSNR for colourfulness: gain 1.16 costs
0.6 dB). The goals are measured against the higher of the two PSNRs, so that a more colourful automatic file cannot
make the hints look better: at 0 hints within 0.2 dB; +1 dB at 1 hint; +4 dB at 10. `--score-only` scores the file at `--weights` as it is
(no training, the file not rewritten: saving it again changes its sha256, the zip's timestamps).

The published file: the fine-tuned model, saved uncompiled as `weights/butterflies-hints.keras` (`--weights`) by the
Keras of `--save-with PYTHON` (Colab's, as bench/pretrained.py explains), its class names beside it; all the scores
above are the FILE's, loaded back as users load it (safe mode), which is checked to hold the trained weights. Its
figures with no hint on the valid split (`evaluate_many`, beside the automatic model) go on its card. Then the
widget's speed: a 1 MP photo in `ColorizeWidget`, clicked (a hint) and given a colour, as the widget's tests do it;
the time from the click to the new picture is printed (the issue asks under a second on a CPU runtime).
Writes bench/results/hints.json, a grid of 8 valid images to judge by eye (hints_grid.png: grey, `butterflies`, the
hint model with no hint, 1 and 10 hints from the truth marked by squares, the truth), and prints the `Weights(...)` line for nbs/52_pretrained.ipynb's `PRETRAINED`.
"""
import json, os, sys, tempfile
from pathlib import Path
from _common import ROOT, machine_info, parser, write_json

def log(*a): print(*a, flush=True)

def machine_words(machine:dict) -> str:
    "A `machine_info` record in words, as the card names the machine a model trained on."
    return f"{machine['cpu']} ({machine['cores']} cores{', ' + machine['gpu'] if machine.get('gpu') else ', no GPU'})"

def recorded_training(path) -> dict:
    "The training this bench recorded in the JSON at `path`, with the machine it ran on ('cpu')."
    earlier = json.loads(Path(path).read_text())
    return {**earlier['training'], 'cpu': earlier['training'].get('cpu') or machine_words(earlier['machine'])}

GOALS = {0: -0.2, 1: 1.0, 10: 4.0}     # hints: PSNR above the automatic model's, dB, at least

def start_from_automatic(automatic):
    "A Keras callback that gives a fresh run's hint-taking model the automatic model's weights (`hints.from_automatic`) as training begins."
    import keras
    from coloring_nb.hints import from_automatic
    class StartFrom(keras.callbacks.Callback):
        def on_train_begin(self, logs=None): from_automatic(automatic, self.model)
    return StartFrom()

def photo_1mp():
    "A 1.0-megapixel photo (scikit-image's cat, 1155×866), uint8 RGB: what the speed figures colour."
    import cv2, skimage.data
    return cv2.resize(skimage.data.chelsea(), (1155, 866), interpolation=cv2.INTER_CUBIC)

def widget_seconds(model, repeats:int=5, mirror:bool=False) -> dict:
    "Median seconds from a click on a 1 MP photo in `ColorizeWidget` (its Mirror box ticked or not) to its new picture, and from a colour picked to the next."
    import time, numpy as np
    from coloring_nb.widgets import ColorizeWidget
    photo = photo_1mp()
    w = ColorizeWidget(model, colab=False, out_dir=Path(tempfile.mkdtemp()), mirror=mirror)
    w.add_photo(photo, 'chelsea-1mp.png')
    clicks, picks = [], []
    for i in range(repeats):
        began = time.perf_counter(); w.clicks._handle_mouse_msg(None, {'event': 'click', 'dataX': 100 + 60 * i, 'dataY': 300}, [])
        clicks.append(time.perf_counter() - began)
        began = time.perf_counter(); w.hint_colour.value = ('#ff8800', '#2266ff')[i % 2]
        picks.append(time.perf_counter() - began)
    assert len(w.current['hints']) == repeats
    return {'photo': f'{photo.shape[1]}x{photo.shape[0]}', 'click_s': round(float(np.median(clicks)), 3), 'pick_s': round(float(np.median(picks)), 3)}

def scores(model, lab, counts, where='normal', batch_size=32, keys=('psnr', 'ab_mse')) -> dict:
    "k -> {key: mean} over `lab` with k hints from the truth per image (6×6, placed by `where`, seeded by (k, batch)); `model` a Keras model or a predictor (`as_predictor`)."
    import numpy as np
    from coloring_nb.evaluate import image_metrics, iter_batches
    from coloring_nb.hints import simulate_hints, takes_hints
    from coloring_nb.predict import as_predictor
    predict = as_predictor(model)
    out = {}
    for k in counts:
        sums, n = dict.fromkeys(keys, 0.0), 0
        for i, (L, ab, _) in enumerate(iter_batches(lab, None, batch_size)):
            hints = simulate_hints(ab, np.random.default_rng((k, i)), n_hints=k, sides=(6,), where=where)
            metrics = image_metrics(L, ab, predict(L, hints if takes_hints(predict.model) else None)[0], full=False)
            for key in sums: sums[key] += float(metrics[key].sum())
            n += len(L)
        out[k] = {key: v / n for key, v in sums.items()}
    return out

def publish(args, config, cache, automatic, run):
    "Fine-tune the hint model from `automatic` in `run` (then the --then-epochs runs through HintSpread), save the published file; ((the file loaded back, the Keras that wrote it), the runs, their histories). With --respread, no training: the --from-hints file rebuilt."
    from coloring_nb.colorize import load_model
    from coloring_nb.train import train
    from coloring_nb.model import HINT_SPREAD, HINT_SPREAD_AFFINITY
    from pretrained import start_from
    runs, histories = [run], []
    origin = args.from_hints or args.automatic
    if args.respread:                                    # no training: the file's weights, in the colorizer as the package builds it now
        runs, trained = [], load_model(args.from_hints)
        log(f"no training: {origin}'s weights in the colorizer as it is built now (its HintSpread: {HINT_SPREAD_AFFINITY if config.hint_affinity else HINT_SPREAD})")
        return save_and_check(args, config, cache, trained), runs, histories
    start = [] if any(run.glob('ckpt-*.npz')) else [start_from_automatic(load_model(origin) if args.from_hints else automatic)]
    log(f"{cache.manifest['counts']} images at {args.size}²; the hint-taking colorizer{' (dense hints)' if config.dense_hints else ''}{f' (an embedding of {config.hint_affinity} carrying the hints)' if config.hint_affinity else ''} from {origin}, {args.epochs} epochs at learning rate {args.learning_rate:g}")
    _, history = train(config, run_dir=run, cache=cache, verbose=2, callbacks=start)
    histories.append(history)
    for i, (epochs, learning_rate) in enumerate(zip(args.then_epochs, args.then_learning_rate), start=2):   # the network now trains through model.HintSpread
        then = config.replace(learning_rate=learning_rate, epochs=epochs, patience=epochs, seed=i - 1, run_name=f'butterflies-hints-{i}')
        runs.append(run.parent/('run-2-spread' if i == 2 else f'run-{i}-spread'))
        log(f"then {epochs} epochs at learning rate {learning_rate:g}, from {runs[-2]/'final.keras'}")
        histories.append(train(then, run_dir=runs[-1], cache=cache, verbose=2, callbacks=[] if any(runs[-1].glob('ckpt-*.npz')) else [start_from(runs[-2]/'final.keras')])[1])
    trained = load_model(runs[-1]/'final.keras')          # uncompiled: the published file holds no optimizer state
    return save_and_check(args, config, cache, trained), runs, histories

def save_and_check(args, config, cache, trained) -> tuple:
    "Save `trained` as the published file (by the Keras of --save-with), its class names beside it; (the file loaded back as users load it, that Keras' version)."
    from coloring_nb.colorize import load_model
    from pretrained import save_with
    import numpy as np
    weights = Path(args.weights)
    weights.parent.mkdir(parents=True, exist_ok=True)
    saved_by = save_with(trained, config, cache.n_classes, weights, args.save_with)
    model = load_model(weights)                          # the file, as users load it: everything below is measured on it
    assert all(np.array_equal(a, b) for a, b in zip(trained.get_weights(), model.get_weights())), 'the file holds other weights than the trained model'
    weights.with_name(weights.stem + '.classes.json').write_text(json.dumps(list(cache.class_names), indent=0, ensure_ascii=False) + '\n')
    return model, saved_by

def hint_grid(model, automatic, lab, labels, class_names, path, counts=(1, 10), n:int=8):
    "A grid of `n` valid images, to judge by eye: grey, the automatic model, the hint model with no hint and with k hints from the truth (squares where they are), the truth."
    import numpy as np
    from scipy.ndimage import find_objects, label
    from matplotlib.patches import Rectangle
    from coloring_nb.evaluate import image_grid, iter_batches
    from coloring_nb.hints import hint_inputs, simulate_hints
    L, ab, _ = next(iter_batches(lab, None, n, limit=n))
    hints = {k: simulate_hints(ab, np.random.default_rng((k, 99)), n_hints=k, sides=(6,)) for k in counts}
    with_hints = lambda k: lambda L_: np.asarray(model.predict_on_batch(hint_inputs(L_, *hints[k]))['ab'])
    columns = {'butterflies': automatic, 'no hint': model, **{f"{k} hint{'s' if k > 1 else ''}": with_hints(k) for k in counts}}
    fig = image_grid(columns, lab, labels, class_names, n=n)
    axes = np.array(fig.axes).reshape(n, len(columns) + 2)
    for j, k in enumerate(counts, start=3):      # grey, butterflies, no hint, then the hinted columns
        for i in range(n):
            for box in find_objects(label(hints[k][1][i, ..., 0] > 0)[0]):
                for colour, width in (('black', 1.8), ('white', 0.8)):     # seen on light and dark
                    axes[i, j].add_patch(Rectangle((box[1].start - 1.5, box[0].start - 1.5), box[1].stop - box[1].start + 2,
                                                   box[0].stop - box[0].start + 2, fill=False, edgecolor=colour, linewidth=width))
    fig.savefig(path)
    return path

def main():
    p = parser(__doc__, 'hints', data='butterflies-112')
    p.add_argument('--size', type=int, default=112)
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--learning-rate', type=float, default=3e-4)
    p.add_argument('--then-epochs', default='', help='then runs of this many epochs more (N[,N...]: each run from the last one\'s weights), with HintSpread in the graph')
    p.add_argument('--then-learning-rate', default='2e-4', help='their learning rates (one per run, or one for all)')
    p.add_argument('--automatic', default=str(ROOT/'weights'/'butterflies.keras'), help='the automatic model to start from and to compare with')
    p.add_argument('--weights', default=str(ROOT/'weights'/'butterflies-hints.keras'), help='where the published file goes')
    p.add_argument('--no-augment', action='store_true', help="Config(augment=False): train on the images as they are, not flipped and cropped (a last stage)")
    p.add_argument('--dense-hints', action='store_true', help="Config(dense_hints=True): the network also sees the hints spread over the image")
    p.add_argument('--affinity', type=int, default=0, metavar='N', help="Config(hint_affinity=N): a learned embedding of N values a pixel carries each hint to the pixels sharing its colour (model.HintAffinity)")
    p.add_argument('--train-only', default=None, metavar='GLOB', help="Config(train_only=GLOB): train only the layers so named (e.g. '*affinity*'), the rest frozen")
    p.add_argument('--from-hints', default='', metavar='FILE', help='start the first run from this hint model instead of --automatic')
    p.add_argument('--save-with', default=sys.executable, metavar='PYTHON', help="the Python whose Keras writes the published file (Colab's: see bench/pretrained.py)")
    p.add_argument('--work', default=str(Path.home()/'.cache'/'coloring_nb_hints'), help='cache and run (kept: run again to resume)')
    p.add_argument('--limit', type=int, default=0, help='rehearsal: at most this many images per split')
    p.add_argument('--counts', default='0,1,2,5,10,20')
    p.add_argument('--widths', default='', help="rehearsal: the colorizer's widths (default Config's, the published model's)")
    p.add_argument('--respread', action='store_true', help="no training: publish the --from-hints file's weights in the colorizer as the package builds it now (its HintSpread's settings, which are not weights)")
    p.add_argument('--score-only', action='store_true', help='score the published file at --weights as it is: no training, the file not rewritten')
    args = p.parse_args()
    args.then_epochs = [int(n) for n in args.then_epochs.split(',') if n]
    rates = [float(r) for r in args.then_learning_rate.split(',')]
    args.then_learning_rate = rates * len(args.then_epochs) if len(rates) == 1 else rates
    if args.respread and not args.from_hints: sys.exit('--respread rebuilds a hint model: give its file with --from-hints')
    if len(args.then_learning_rate) != len(args.then_epochs): sys.exit('--then-learning-rate: give one rate, or one per --then-epochs run')
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    sys.path.insert(0, str(Path(__file__).parent))
    from pretrained import published_index
    from coloring_nb.core import Config, file_digest
    from coloring_nb.folders import index_folder
    from coloring_nb.cache import build_cache
    from coloring_nb.colorize import load_model
    from coloring_nb.evaluate import evaluate_many, metrics_table
    counts = [int(c) for c in args.counts.split(',')]
    index, work, weights = published_index(index_folder(args.data), args.limit), Path(args.work), Path(args.weights)
    cache = build_cache(index, work/f'cache-{args.size}', args.size, progress=False)
    extra = {'widths': tuple(int(w) for w in args.widths.split(','))} if args.widths else {}
    config = Config(data=args.data, size=args.size, batch_size=args.batch_size, learning_rate=args.learning_rate, epochs=args.epochs,
                    patience=args.epochs, seed=0, run_name='butterflies-hints', hints=True, dense_hints=args.dense_hints, hint_affinity=args.affinity, augment=not args.no_augment, train_only=args.train_only, chroma_boost=1.0, **extra)
    run = work/'run'
    automatic = load_model(args.automatic)
    if args.score_only: model, saved_by, runs, histories = load_model(weights), None, [], []
    else: (model, saved_by), runs, histories = publish(args, config, cache, automatic, run)
    valid = cache.lab('test')                            # the data set's valid split: nothing was chosen on it
    from coloring_nb.vivid import colour_gain, with_colour_gain
    gain, plain = colour_gain(automatic), with_colour_gain(automatic, 1.0)
    no_hint = evaluate_many({'hint model, no hint': model, 'automatic model': automatic}, valid, cache.labels('test'))
    scored = lambda r: {k: r[k] for k in ('psnr', 'ab_mse')}   # evaluate_many's means are `scores`' at 0 hints: each model predicts once
    with_none = {0: scored(no_hint['hint model, no hint'])} if 0 in counts else {}   # with no hint, where hints go does not matter
    hinted, uniform = ({**with_none, **scores(model, valid, [k for k in counts if k], where=where)} for where in ('normal', 'uniform'))
    auto, auto_plain = scored(no_hint['automatic model']), scores(plain, valid, [0])[0]
    reference = max(auto['psnr'], auto_plain['psnr'])     # the goals' baseline: the automatic model at its best PSNR
    log(f"\n| hints | PSNR (dB) | ab MSE | PSNR − {reference:.2f} dB | places uniform: PSNR (dB) |\n| --- | --- | --- | --- | --- |")
    log(f"| automatic model (colour gain {gain:g}), none | {auto['psnr']:.2f} | {auto['ab_mse']:.5f} | {auto['psnr'] - reference:+.2f} | |")
    log(f"| its network without the gain, none | {auto_plain['psnr']:.2f} | {auto_plain['ab_mse']:.5f} | {auto_plain['psnr'] - reference:+.2f} | |")
    for k, s in hinted.items(): log(f"| {k} | {s['psnr']:.2f} | {s['ab_mse']:.5f} | {s['psnr'] - reference:+.2f} | {uniform[k]['psnr']:.2f} |")
    met = {k: hinted[k]['psnr'] - reference >= goal for k, goal in GOALS.items() if k in hinted}
    log('goals: ' + ', '.join(f"{k} hint{'s' if k != 1 else ''} {'≥' if GOALS[k] > 0 else 'within'} {abs(GOALS[k]):g} dB: {'met' if ok else 'NOT met'}" for k, ok in met.items()))
    log('\n' + metrics_table(no_hint))
    keys = ('ab_mse', 'psnr', 'delta_e2000', 'colorfulness', 'colorfulness_truth', 'top1')
    figures = {name: {k: round(float(r[k]), 5) for k in keys if r.get(k) is not None} for name, r in no_hint.items()}
    log(f"grid to judge by eye: {hint_grid(model, automatic, valid, cache.labels('test'), cache.class_names, Path(args.out).with_name(Path(args.out).stem + '_grid.png'))}")
    speed = widget_seconds(model)
    log(f"widget, {speed['photo']} photo: {speed['click_s']:.3f} s from a click to the new picture, {speed['pick_s']:.3f} s from a colour picked (medians of 5)")
    sha, size = file_digest(weights), weights.stat().st_size
    if args.score_only: training = recorded_training(args.out)    # the file's training, and the machine it ran on (this one only scores it)
    else: training = {
        'epochs': sum(len(h.get('val_ab_mse', [])) for h in histories), 'learning_rate': None if args.respread else args.learning_rate,
        'val_ab_mse': [round(v, 5) for h in histories for v in h.get('val_ab_mse', [])],
        'stages': [{'epochs': len(h.get('val_ab_mse', [])), 'learning_rate': lr} for h, lr in zip(histories, (args.learning_rate, *args.then_learning_rate))],
        'from': Path(args.from_hints or args.automatic).name, 'train_images': cache.manifest['counts']['train'], 'epoch_check_images': cache.manifest['counts']['valid'],
        'minutes': round(sum((r/'final.keras').stat().st_mtime - (r/'config.json').stat().st_mtime for r in runs) / 60, 1), 'saved_by_keras': saved_by, 'cpu': machine_words(machine_info()), 'augment': config.augment, 'dense_hints': config.dense_hints, 'hint_affinity': config.hint_affinity, 'train_only': config.train_only,
        **({'respread': {k: model.get_layer('ab_hinted').get_config()[k] for k in ('sigma', 'bins', 'fade')}} if args.respread else {}),   # the file's spread, σ in pixels
        **({'affinity_residual': model.get_layer('ab_affinity').residual} if config.hint_affinity else {}),   # HintAffinity's residual share, a setting the file keeps
        'command': (f'python bench/hints.py --respread' if args.respread else f'python bench/hints.py --epochs {args.epochs} --learning-rate {args.learning_rate:g}')
                   + (f" --then-epochs {','.join(map(str, args.then_epochs))} --then-learning-rate {','.join(f'{r:g}' for r in args.then_learning_rate)}" if args.then_epochs else '')
                   + (' --dense-hints' if args.dense_hints else '') + (f' --affinity {args.affinity}' if args.affinity else '') + (' --no-augment' if args.no_augment else '') + (f" --train-only '{args.train_only}'" if args.train_only else '') + (f' --from-hints {Path(args.from_hints).name}' if args.from_hints else '')
                   + ' --save-with PYTHON_WITH_COLABS_KERAS'}
    if args.from_hints and not args.score_only and Path(args.out).exists():   # how the file it started from was trained: this JSON's last record
        training['from_training'] = recorded_training(args.out)
    rounded = lambda d: {k: round(v, 5) for k, v in d.items()}
    out = {'automatic': rounded(auto), 'automatic_colour_gain': gain, 'automatic_gain_1': rounded(auto_plain), 'reference_psnr': round(reference, 5),
           'hints': {str(k): rounded(s) for k, s in hinted.items()}, 'hints_uniform_places': {str(k): rounded(s) for k, s in uniform.items()}, 'goals_met': {str(k): v for k, v in met.items()}, 'no_hint': figures, 'widget': speed,
           'training': training,
           'file': {'file': weights.name, 'sha256': sha, 'bytes': size},
           'valid_images': cache.manifest['counts']['test'], 'protocol': "6x6 patches of the mean true ab, places normal around the centre (sigma a quarter of the side: Zhang et al.'s test_sweep.py), generator seeded (k, batch)",
           **({'limit': args.limit} if args.limit else {}), 'machine': machine_info()}
    log(f"PRETRAINED entry: Weights('butterflies-hints', {weights.name!r}, {sha!r}, {size}, ...)")
    log(f"wrote {write_json(args.out, out)}")

if __name__ == '__main__': main()
