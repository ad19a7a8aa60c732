#!/usr/bin/env python3
"""Write README.md from nbs/index.ipynb (nbconvert to markdown; Quarto, which `nbdev_readme` needs, is not
available here), filling in the repository's address from settings.ini, the one place it is kept.

    python .ci/readme.py            # write README.md
    python .ci/readme.py --check    # exit 1 if README.md is not what index.ipynb makes
    python .ci/readme.py --command NAME   # print the shell command in the README block marked NAME
"""
import argparse, configparser, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def settings() -> dict:
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT/'settings.ini', encoding='utf-8')
    return dict(cfg['DEFAULT'])

def fill(text: str, s: dict) -> str:
    "Replace {{user}}, {{repo}}, {{branch}}, {{git_url}}, {{lib_name}} and {{colab_url}} with their values."
    s = {**s, 'results': results_table(), 'model_card': model_card(), 'hint_card': hint_card(), 'colab_url': f"https://colab.research.google.com/github/{s['user']}/{s['repo']}/blob/{s['branch']}/nbs/colab.ipynb"}
    def sub(m):
        if m.group(1) not in s: raise KeyError(f"index.ipynb uses {{{{{m.group(1)}}}}}, which settings.ini lacks")
        return s[m.group(1)]
    return re.sub(r'\{\{(\w+)\}\}', sub, text)

def _load(name: str) -> dict | None:
    path = ROOT/'bench'/'results'/f'{name}.json'
    return json.loads(path.read_text()) if path.exists() else None

def _machine(d: dict) -> str:
    m = d.get('machine', d)
    where = f"{m.get('gpu')} ({m.get('keras_backend')})" if m.get('gpu') else f"{m.get('cpu')}, {m.get('cores')} cores"
    return f"{where}, {str(m.get('date', ''))[:10]}"

def results_table() -> str:
    "The README's results, every figure read from the JSON files the benchmarks in bench/ wrote."
    rows = ['| what | coloring_nb | the seed | measured on | by |', '| --- | --- | --- | --- | --- |']
    def row(what, ours, seed, d, script): rows.append(f'| {what} | {ours} | {seed} | {_machine(d)} | `bench/{script}.py` |')
    if (pt := _load('pretrained')):   # bench/pretrained.py: the published model, evaluated from its file
        r, t = pt['model'], pt['training']
        row(f"val ab MSE, the published model `butterflies` (default colorizer with classifier), {t['size']}², all {t['train_images']:,} "
            f"training images, {t['epochs']} epochs ({t['schedule']}), {t['minutes']:.0f} min ({t['data']})",
            f"{r['ab_mse']:.4f} ({100 * r['improvement_vs_mean']:.1f} % better than the mean colour's {pt['mean']['ab_mse']:.4f}); "
            f"colourfulness {r['colorfulness']:.1f} (truth {r['colorfulness_truth']:.1f}); ΔE2000 {r['delta_e2000']:.2f}; "
            f"top-1 {100 * r['top1']:.1f} %", '0.0125 at 224², ~15 epochs × 800 s on Colab (40 % better than the mean colour)', pt, 'pretrained')
    for q in filter(None, map(_load, ('quality', 'quality_112', 'quality_112_no_classifier', 'quality_64_bins', 'quality_112_bins'))):   # bench/quality.py
        mean = q['mean']['ab_mse']
        for name, label in (('colorizer', 'default colorizer, with classifier'), ('colorizer_no_classifier', 'default colorizer, no classifier'),
                            ('seed', "the seed's model (random frozen ResNet50: offline)"),
                            ('bins', 'colorizer with the ab-bins loss (issue 12), T chosen on the hold-out')):
            if name in q:
                r = q[name]
                row(f"val ab MSE, {label}, {r['size']}², {q['counts']['train']:,} training images, "
                    + (f"{r['epochs']} epochs, " if r.get('epochs') else '') + f"{r['minutes']:.0f} min on the CPU ({q['data']})",
                    f"{r['ab_mse']:.4f} ({100 * r['improvement_vs_mean']:.1f} % better than the mean colour's {mean:.4f}); "
                    f"colourfulness {r['colorfulness']:.1f} (truth {r['colorfulness_truth']:.1f})"
                    + (f"; ΔE2000 {r['delta_e2000']:.2f}" if 'delta_e2000' in r else '') + (f"; T = {r['temperature']}" if 'temperature' in r else ''),
                    '0.0125 at 224², ~15 epochs × 800 s on Colab (40 % better than the mean colour)' if name == 'colorizer' else '', q, 'quality')
    if (v := _load('vivid')):      # bench/vivid.py: the recipes for vivid colour, one schedule
        schedule = ', then '.join(f"{s['epochs']} epochs at {s['size']}²" for s in v['stages'])
        for name, r in v['recipes'].items():
            fields = ', '.join(f'{k}={val!r}' for k, val in r['fields'].items()) or "plain MSE, the seed project's"
            row(f"vivid colour (issue 26): recipe `{name}` ({fields}), {schedule}, {v['counts']['train']:,} training images, {r['minutes']:.0f} min ({v['data']})",
                f"ab MSE {r['ab_mse']:.4f} ({r['mse_ratio']:.2f}× `mse`'s); colourfulness {r['colorfulness_ratio']:.2f}× the truth's "
                f"(per image off by {r['colorfulness_gap']:.2f}); ΔE2000 {r['delta_e2000']:.2f}; {r['above_gain_curve']:+.2f} above the colour-strength curve"
                + (f"; T = {r['temperature']}" if 'temperature' in r else '') + (" — **the rule's winner**" if v.get('winner') == name else ''), '', v, 'vivid')
    if (g := _load('gpu')):
        for tag, label in (('bf16', 'mixed bfloat16'), ('fp32', 'float32')):
            if f'colorizer_{tag}_img_s' in g:
                row(f"training img/s at {g['size']}², batch {g['batch']}, {label}", f"{g[f'colorizer_{tag}_img_s']:.0f} "
                    f"({g[f'speedup_{tag}']}× the seed's model)" if f'speedup_{tag}' in g else f"{g[f'colorizer_{tag}_img_s']:.0f}",
                    f"{g[f'seed_{tag}_img_s']:.0f} (its model, same run)" if f'seed_{tag}_img_s' in g else '', g, 'gpu')
        if 'model_ab_mse' in g:
            row(f"val ab MSE at {g['train_size']}², all {g['train_images']:,} training images, {g['train_minutes']:.1f} min",
                f"{g['model_ab_mse']:.4f} ({100 * g['improvement_vs_mean']:.1f} % better than the mean colour's {g['mean_ab_mse']:.4f}); "
                f"colourfulness {g['model_colorfulness']:.1f} (truth {g['model_colorfulness_truth']:.1f})",
                '0.0125 at 224² after ~15 × 800 s epochs', g, 'gpu')
    if (m := _load('model_speed')):
        row('forward GFLOPs per image at 224² (100 classes)', f"{m['colorizer_gflops_224']:.2f}", f"{m['seed_gflops_224']:.2f}", m, 'model_speed')
        row(f"training img/s at {m['size']}², batch {m['batch']}, {m['precision']}", f"{m['colorizer_img_s']:.1f} ({m['speedup']}× the seed's)",
            f"{m['seed_img_s']:.2f}", m, 'model_speed')
    if (k := _load('backends')):   # bench/backends.py: the same step on TensorFlow and on JAX (issue 18)
        tf_, jx = k['rows']['tensorflow'], k['rows']['jax']
        row(f"training step at {k['size']}², batch {k['batch']}, {k['precision']}: JAX (XLA) / TensorFlow",
            f"{jx['step_ms']:.0f} ms / {tf_['step_ms']:.0f} ms ({k['jax_over_tf']}×); first step (compiling) {jx['first_step_s']:.0f} s / {tf_['first_step_s']:.0f} s",
            '', k, 'backends')
    if (sc := _load('scale')):     # bench/scale.py: data parallel over 1, 2, 4 devices
        rates = ', '.join(f"{n} device{'s' if int(n) > 1 else ''}: {r['img_s']:.2f} img/s" for n, r in sc['counts'].items())
        row(f"training at {sc['size']}², global batch {sc['batch']}, data-parallel ({sc['what']})", rates, '', sc, 'scale')
    if (h := _load('hints')):      # bench/hints.py: the hint-taking colorizer with 0-20 hints from the truth (issue 27)
        auto = h.get('reference_psnr', h['automatic']['psnr'])   # the automatic model at its best PSNR (its network without the file's colour gain)
        from coloring_nb.pretrained import training_chain
        epochs = sum(t['epochs'] for t in training_chain(h['training']))   # this file's epochs and those of each file it started from
        name = f"the published hint model `butterflies-hints` ({epochs} epochs from `butterflies`)" if 'file' in h else 'the hint model'
        row(f"PSNR with k hints from the truth (6×6 patches drawn around the centre, Zhang et al.'s protocol), {h['valid_images']} valid images at 112²: {name} − the automatic model",
            ', '.join(f"{k}: {s['psnr']:.2f} dB ({s['psnr'] - auto:+.2f})" for k, s in h['hints'].items()) + f"; automatic {auto:.2f} dB" + (f" without the colour gain {h['automatic_colour_gain']:g} of its file ({h['automatic']['psnr']:.2f} dB with it)" if h.get('automatic_colour_gain', 1) != 1 else ''),
            '', h, 'hints')
        if (wd := h.get('widget')):
            row(f"the widget with the hint model, a {wd['photo'].replace('x', '×')} photo: from a click to the picture with that hint, and from a colour picked",
                f"{wd['click_s']:.2f} s, {wd['pick_s']:.2f} s", '', h, 'hints')
    if (hc := _load('hint_ceiling')):   # bench/hint_ceiling.py: other spreads of the hints on the hint network's own colours, and a bound
        gain = lambda name, k: hc['psnr'][k][name] - hc['psnr']['0'][name]
        row(f"how far spreading the hints goes without learning ({hc['images']} images of the train split's hold-out, `{hc['weights']}`'s network): PSNR gain at 1 and 10 hints",
            '; '.join(f"{name} {gain(name, '1'):+.2f}, {gain(name, '10'):+.2f}" for name in hc['psnr']['0'])
            + " (oracle: every pixel whose true colour is near a hint's takes it; it reads the truth, to show what knowing where a colour belongs is worth)", '', hc, 'hint_ceiling')
    if (hs := _load('hint_spread')):  # bench/hint_ceiling.py --spread-grid: the settings of the spread after the hint model's affinity
        p, counts = hs['psnr'], [k for k in hs['psnr'] if k != '0']
        best = max((n for n in p['0'] if n.startswith('σ')), key=lambda n: sum(p[k][n] for k in counts))
        row(f"the spread after the hint model's learned affinity, by its settings (`--spread-grid`; {hs['images']:,} images of the train split's hold-out, `{hs['weights']}`'s network and affinity): PSNR at {' / '.join(counts)} hints",
            '; '.join(f"{label} {' / '.join(f'{p[k][n]:.2f}' for k in counts)}" for label, n in
                      (('no spread', 'no spread'), ('`HINT_SPREAD` (σ 1/7, 2/7, 4/7, fade 0.25)', 'σ 1/7, 2/7, 4/7, fade 0.25'), (f'best of the grid, `HINT_SPREAD_AFFINITY` ({best})', best))), '', hs, 'hint_ceiling')
    if (hr := _load('hint_residual')):  # bench/hint_ceiling.py --residual-grid: HintAffinity's residual share
        p, counts = hr['psnr'], [k for k in hr['psnr'] if k != '0']
        row(f"the hint model's learned affinity by the share of each hint's residual it adds, the rest a pull towards the hint's colour (`--residual-grid`; {hr['images']:,} images of the train split's hold-out, `{hr['weights']}` as trained, with 1): PSNR at {' / '.join(counts)} hints",
            '; '.join(f"{n.removeprefix('residual ')} {' / '.join(f'{p[k][n]:.2f}' for k in counts)}" for n in p['0'] if n.startswith('residual')), '', hr, 'hint_ceiling')
    if (mr := _load('mirror')):     # bench/mirror.py: each photo's colours averaged with its mirror's (colorize(..., mirror=True))
        both = lambda r, k: f"{r['plain'][k]['psnr']:.2f} → {r['mirrored'][k]['psnr']:.2f} dB"
        hints = lambda r: '; '.join(f"{k} hint{'' if k == '1' else 's'} {both(r, k)}" for k in r['plain'])
        row(f"colours averaged with the mirrored photo's (`colorize(..., mirror=True)`), {mr['images']} valid images at 112²: PSNR plain → mirrored, `colorize`'s time for a 1155×866 photo, and the widget's from a click on it to its picture with the hint (its Mirror box)",
            ' · '.join(f"`{name}`: {hints(mr[name]) if name == 'butterflies-hints' else both(mr[name], '0')}, {mr[name]['seconds_1mp']['plain']:.2f} s → {mr[name]['seconds_1mp']['mirrored']:.2f} s"
                       + (f", a click {mr[name]['widget_click_1mp']['plain']:.2f} s → {mr[name]['widget_click_1mp']['mirrored']:.2f} s" if 'widget_click_1mp' in mr[name] else '')
                       for name in ('butterflies', 'butterflies-hints')), '', mr, 'mirror')
    for result, network, as_is in (('hint_heads', "the hint model's frozen network", 'published'),   # bench/hint_heads.py: better heads on a frozen network
                                   ('hint_heads_carry', "the frozen network of bench/gpu_hints.py's carry stage, which learned to carry its hints", 'the file as it is')):
        if not (hh := _load(result)): continue
        counts = [k for k in hh['published'] if k != '0']
        scores = lambda psnr: ' / '.join(f'{psnr[k]:.2f}' for k in counts)
        best = lambda history: max(history[1:], key=lambda h: sum(h['psnr'][k] for k in counts))   # its best epoch, on the hold-out it is scored on
        row(f"heads trained on {network} ({hh['train_images']:,} train images, up to {hh['epochs']} epochs; {hh['images']} images of the train split's hold-out, `{hh['weights']}`): PSNR at {' / '.join(counts)} hints",
            '; '.join([f"{as_is} {scores(hh['published'])}"] + [f"{name}, its best epoch on that hold-out ({b['epoch']}) {scores(b['psnr'])}" for name, b in ((n, best(h)) for n, h in hh['heads'].items())]), '', hh, 'hint_heads')
    if (vd := _load('video')):      # bench/video.py: a film coloured, per frame and steadied (issue 29)
        c, s = vd['clip'], vd['steadied']
        row(f"colouring a film: {c['seconds']:g} s {c['size'][0]}×{c['size'][1]} {c['fps']} fps clip of butterfly photos ({vd['split']} split), 2 cuts, sound; "
            f"flicker per frame / steadied (`steady={s['steady']:g}`)",
            f"{vd['per_frame']['flicker']:.2f} / {s['flicker']:.2f} (flicker reduction {vd['flicker_reduction']:.2f}; colourfulness {100 * vd['colourfulness_change']:+.1f} %); "
            f"{s['fps']:.0f} frames/s end to end; cuts found at frames {', '.join(map(str, vd['cuts_found']))} (made at {', '.join(map(str, c['cuts_made']))})"
            + (f"; peak memory colouring 1080p {vd['peak_memory_gb_1080p']:.2f} GB" if 'peak_memory_gb_1080p' in vd else ''), '', vd, 'video')
    if (w := _load('warm_start')):  # bench/warm_start.py: a resumed run's first step, with and without the run's jax-cache (issue 30)
        row(f"first training step of a resumed run on JAX (CPU, {w['size']}², batch {w['batch']}): cold / warm (the run's `jax-cache`)",
            f"{w['first_step_cold_s']:.1f} s / {w['first_step_warm_s']:.1f} s ({w['warm_over_cold']}×), without TensorFlow installed" +
            (f"; with it {t['first_step_cold_s']:.1f} s / {t['first_step_warm_s']:.1f} s ({t['warm_over_cold']}×: Keras imports it to seed it)"
             if (t := w.get('with_tensorflow_installed')) else ''), '', w, 'warm_start')
    if (r := _load('roofline')):    # bench/roofline.py: a roofline bound from XLA's cost analysis (issue 30): estimates, not measurements
        for model_name, seed in (('colorizer', ''), ('seed', f"~{r['reference']['seed_colab_epoch_s']} s an epoch on Colab; "
                                                           f"{r['reference']['seed_h100_bf16_measured_img_s']} img/s measured on an H100 (bf16)")):
            bounds = [x for x in r['rows'] if x['model'] == model_name and x['precision'] in ('bf16', 'fp16 (no bf16)')]
            row(f"**estimate** (roofline bound, not measured): {model_name} training img/s at {r['size']}², batch {r['batch']}, bf16 (T4: fp16)",
                ', '.join(f"{x['gpu']} ≤ {x['img_s']:,} ({x['epoch_s']:.0f} s an epoch)" for x in bounds) +
                f"; batches from the cache on 2 cores: {r['feed_img_s_2_cores']:,.0f} img/s", seed if model_name == 'seed' else '', r, 'roofline')
    if (p := _load('pipeline')):
        row('preparing 224² JPEGs for training, img/s per core', f"{p['cache_build_img_s_per_core']:.0f} (Lab cache, built once; "
            f"{p['speedup_per_core']}× the seed's way)", f"{p['seed_way_img_s_per_core']:.0f} (PIL + skimage, every epoch)", p, 'pipeline')
        row(f"training batches from the cache at 224², img/s", f"{p['batches_img_s']:,.0f}" + (f"; with each step's simulated hints: {h:,.0f}" if (h := p.get('batches_with_hints_img_s')) else ''), '', p, 'pipeline')
    if (c := _load('checkpoint_overhead')):
        row(f"checkpoint cost at one per {c['checkpoint_every']} steps", f"{100 * c['overhead_fraction']:.2f} % of training time",
            'weights only; lost with the Colab session', c, 'checkpoint_overhead')
    if (b := _load('baselines')):
        row(f"val ab MSE of trivial predictors at {b['size']}²: grey / mean colour", f"{b['grey_ab_mse']:.4f} / {b['mean_ab_mse']:.4f}",
            '0.0298 / 0.0209', b, 'baselines')
    table = '\n'.join(rows) if len(rows) > 2 else '(no benchmark has been run yet)'
    rehearsed = ([] if g is not None else ["`bench/gpu.py` (training speed at 224² and quality on all 12,594 images at 112² on a GPU)"]) + \
                ([] if _load('gpu_hints') is not None else ["`bench/gpu_hints.py` (the hint network trained for many epochs to carry the hints itself: issue 27's 10-hint goal)"])
    if rehearsed: table += f"\n\nNot measured yet: {' and '.join(rehearsed)} {'has' if len(rehearsed) == 1 else 'have'} only been rehearsed on a CPU."
    return table

def hint_card() -> str:
    "The published hint model's card, made by `coloring_nb.pretrained.hint_card` from bench/results/hints.json."
    figures = _load('hints')
    if figures is None or 'file' not in figures: return '(bench/hints.py has not published a hint model yet)'
    sys.path.insert(0, str(ROOT))
    from coloring_nb.pretrained import hint_card
    return hint_card(figures)

def model_card() -> str:
    "The published model's card, made by `coloring_nb.pretrained.model_card` from bench/results/pretrained.json."
    figures = _load('pretrained')
    if figures is None: return '(bench/pretrained.py has not been run yet)'
    sys.path.insert(0, str(ROOT))
    from coloring_nb.pretrained import model_card
    return model_card(figures)

def render() -> str:
    import nbformat
    from nbconvert import MarkdownExporter
    nb = nbformat.read(ROOT/'nbs'/'index.ipynb', as_version=4)
    nb.cells = [c for c in nb.cells if not c.source.lstrip().startswith('#| hide')]
    body, _ = MarkdownExporter().from_notebook_node(nb)
    body = re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'
    header = '<!-- Generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->\n\n'
    return header + fill(body, settings())

def command(name: str) -> str:
    "The shell command in the fenced block that follows `<!-- command: NAME -->` in README.md."
    text = (ROOT/'README.md').read_text()
    m = re.search(rf'<!-- command: {re.escape(name)} -->\s*```\w*\n(.*?)```', text, re.S)
    if not m: sys.exit(f"README.md has no block marked <!-- command: {name} -->")
    return m.group(1).strip()

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--check', action='store_true')
    p.add_argument('--command')
    a = p.parse_args()
    if a.command: print(command(a.command)); sys.exit()
    text, readme = render(), ROOT/'README.md'
    if a.check:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run `python .ci/readme.py` and commit it")
        print('README.md is up to date')
    else:
        readme.write_text(text); print(f'wrote {readme}')
