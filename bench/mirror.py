#!/usr/bin/env python3
"""What averaging a model's colours with those of the mirrored photo gains, and costs (`colorize(..., mirror=True)`).

    python bench/mirror.py [--work ~/.cache/coloring_nb_hints_dense] [--counts 0,1,10]

A network colours a photo and its left-right mirror a little differently; `predict.mirrored` predicts both in one
call and averages them. On butterflies-112's valid split (the 500 images of the cache bench/hints.py builds in
`--work`), for the published automatic model `butterflies` (as shipped, with its colour gain) and the hint model
`butterflies-hints` (k hints from the truth: Zhang et al.'s protocol and bench/hints.py's seeds), this prints PSNR,
ab MSE and colourfulness over the truth's, each plain and mirrored, the seconds `colorize` takes for a 1 MP photo
each way, and for the hint model the widget's seconds from a click on that photo to its picture with the hint, its
Mirror box ticked or not (bench/hints.py's `widget_seconds`; medians of 5). Nothing is chosen on these figures:
mirroring is the user's choice, not a default.
Writes bench/results/mirror.json.
"""
import os, time
from pathlib import Path
from _common import ROOT, machine_info, parser, write_json
from hints import photo_1mp, scores, widget_seconds
from pretrained import published_index

def seconds(model, photo, mirror:bool, repeats:int=5) -> float:
    "Median seconds of `colorize(photo, model, mirror=mirror)`, after one call to warm up."
    import numpy as np
    from coloring_nb.colorize import colorize
    colorize(photo, model, mirror=mirror)
    times = []
    for _ in range(repeats):
        began = time.perf_counter(); colorize(photo, model, mirror=mirror); times.append(time.perf_counter() - began)
    return round(float(np.median(times)), 3)

def main():
    p = parser(__doc__, 'mirror', data='butterflies-112')
    p.add_argument('--work', default=str(Path.home()/'.cache'/'coloring_nb_hints_dense'), help="bench/hints.py's work folder (its cache-SIZE; built here if missing)")
    p.add_argument('--size', type=int, default=112)
    p.add_argument('--counts', default='0,1,10', help="the hint model's numbers of hints")
    args = p.parse_args()
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    import numpy as np
    from coloring_nb.evaluate import iter_batches
    from coloring_nb.lab import denormalize, lab_to_rgb
    from coloring_nb.metrics import colorfulness
    from coloring_nb.cache import build_cache
    from coloring_nb.colorize import load_model
    from coloring_nb.folders import index_folder
    from coloring_nb.hints import takes_hints
    from coloring_nb.predict import as_predictor
    cache = build_cache(published_index(index_folder(args.data)), Path(args.work)/f'cache-{args.size}', args.size, progress=False)
    valid, counts, keys = cache.lab('test'), [int(c) for c in args.counts.split(',')], ('psnr', 'ab_mse', 'colorfulness')
    truth = float(np.mean(np.concatenate([colorfulness(lab_to_rgb(denormalize(L, ab))) for L, ab, _ in iter_batches(valid, None, 32)])))
    photo = photo_1mp()
    results = {}
    for name, file, ks in (('butterflies', 'butterflies.keras', [0]), ('butterflies-hints', 'butterflies-hints.keras', counts)):
        model = load_model(ROOT/'weights'/file)
        results[name] = {view: {str(k): {key: round(v, 5) for key, v in s.items()} for k, s in scores(as_predictor(model, mirror=view == 'mirrored'), valid, ks, keys=keys).items()}
                         for view in ('plain', 'mirrored')}
        results[name]['seconds_1mp'] = {view: seconds(model, photo, view == 'mirrored') for view in ('plain', 'mirrored')}
        if takes_hints(model): results[name]['widget_click_1mp'] = {view: widget_seconds(model, mirror=view == 'mirrored')['click_s'] for view in ('plain', 'mirrored')}
    print(f"| model | hints | PSNR plain → mirrored (dB) | ab MSE | colourfulness |\n|---|---|---|---|---|")
    for name, r in results.items():
        for k in r['plain']:
            a, b = r['plain'][k], r['mirrored'][k]
            print(f"| {name} | {k} | {a['psnr']:.2f} → {b['psnr']:.2f} ({b['psnr'] - a['psnr']:+.2f}) | {a['ab_mse']:.5f} → {b['ab_mse']:.5f} | {a['colorfulness']:.1f} → {b['colorfulness']:.1f} (truth {truth:.1f}) |")
        print(f"| {name} | colorize, a 1155×866 photo | {r['seconds_1mp']['plain']:.2f} s → {r['seconds_1mp']['mirrored']:.2f} s | | |")
        if 'widget_click_1mp' in r: print(f"| {name} | the widget, from a click on that photo to its picture | {r['widget_click_1mp']['plain']:.2f} s → {r['widget_click_1mp']['mirrored']:.2f} s | | |")
    out = {**results, 'colorfulness_truth': round(truth, 3), 'images': len(valid), 'protocol': "hints: 6x6 patches of the mean true ab, places normal around the centre, generator seeded (k, batch), as bench/hints.py",
           'machine': machine_info()}
    print(f"wrote {write_json(args.out, out)}")

if __name__ == '__main__': main()
