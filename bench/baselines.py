"""The two trivial predictors (grey, and the training split's mean ab) scored by `coloring_nb.evaluate` on real images.

Reads the Kaggle layout (`train/<CLASS>/*.jpg`, `valid/<CLASS>/*.jpg`) at `--size` (the originals are 224²,
so by default nothing is resized), computes the mean ab of the train split, and scores grey and mean on the
valid split: ab MSE (ab/128), RGB PSNR, SSIM, CIEDE2000, colourfulness. `../shared/data/README.md` gives
grey ≈ 0.0298 and mean ≈ 0.0209 ab MSE on `butterflies/valid` at 224².

    python bench/baselines.py [--data DIR] [--out FILE] [--size 224] [--batch-size 50]
"""
import time
from pathlib import Path
from _common import machine_info, parser, write_json
import cv2, numpy as np
from coloring_nb.lab import AB_SCALE, encode_lab
from coloring_nb.evaluate import evaluate_many, mean_ab, mean_predictor, grey_predictor, metrics_table

def split_files(data:Path, split:str) -> list:
    "The JPEG/PNG files of a split folder (`split/<CLASS>/*`), sorted."
    folder = data/split
    if not folder.is_dir(): raise SystemExit(f"error: {folder} not found: expected the Kaggle layout {split}/<CLASS>/*.jpg under --data")
    files = sorted(p for p in folder.glob('*/*') if p.suffix.lower() in ('.jpg', '.jpeg', '.png'))
    if not files: raise SystemExit(f"error: no images in {folder}/<CLASS>/")
    return files

def lab_batches(files:list, size:int, batch_size:int):
    "Batches of uint8 Lab (B, size, size, 3) read from `files`, resized with INTER_AREA where needed."
    for i in range(0, len(files), batch_size):
        images = []
        for f in files[i:i + batch_size]:
            bgr = cv2.imread(str(f), cv2.IMREAD_COLOR)
            if bgr is None: raise SystemExit(f"error: cannot read {f}")
            if bgr.shape[:2] != (size, size): bgr = cv2.resize(bgr, (size, size), interpolation=cv2.INTER_AREA)
            images.append(np.ascontiguousarray(bgr[..., ::-1]))
        yield encode_lab(np.stack(images))

def main(argv=None):
    p = parser(__doc__, 'baselines', data='butterflies')
    p.add_argument('--size', type=int, default=224, help='image side the images are scored at')
    p.add_argument('--batch-size', type=int, default=50, help='images per batch')
    a = p.parse_args(argv)
    data = Path(a.data)
    train, valid = split_files(data, 'train'), split_files(data, 'valid')
    start = time.perf_counter()
    mean = mean_ab(lab_batches(train, a.size, a.batch_size))
    t_mean = time.perf_counter() - start
    print(f"mean ab of {len(train)} train images: a = {mean[0] * AB_SCALE:+.2f}, b = {mean[1] * AB_SCALE:+.2f}  ({t_mean:.1f} s)")
    start = time.perf_counter()
    results = evaluate_many({'grey': grey_predictor, 'mean': mean_predictor(mean)}, lab_batches(valid, a.size, a.batch_size))
    t_eval = time.perf_counter() - start
    print(f"{len(valid)} valid images at {a.size}² from {data} ({t_eval:.1f} s, both predictors in one pass):\n")
    print(metrics_table(results))
    figures = {'size': a.size, 'n_train': len(train), 'n_valid': len(valid),
               'mean_a': round(float(mean[0] * AB_SCALE), 3), 'mean_b': round(float(mean[1] * AB_SCALE), 3),
               'colorfulness_truth': round(results['grey']['colorfulness_truth'], 3)}
    for name, r in results.items():
        for k, v in r.items():
            if k not in ('n_images', 'colorfulness_truth'): figures[f'{name}_{k}'] = round(v, 6 if k == 'ab_mse' else 4)
    figures.update({'seconds_mean_ab': round(t_mean, 1), 'seconds_evaluate': round(t_eval, 1)})
    figures.update(machine_info())
    print(f"\nwrote {write_json(a.out, figures)}")
    return figures

if __name__ == '__main__': main()
