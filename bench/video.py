#!/usr/bin/env python3
"""Colouring a film (issue 29): speed, memory and flicker of `video.colorize_video` on a clip made from butterfly photos.

    python bench/video.py [--data ../shared/data/butterflies] [--model weights/butterflies.keras] [--seconds 10]

Makes a 640×360, 30 fps clip of --seconds from the 224² valid photos of ../shared/data/butterflies (--split train:
photos the figures are not reported on, to choose `steady`'s default with): three shots (two
scene cuts), each a photo enlarged to 640 wide, panned down and zoomed in, with a tone as its sound. Colours it twice
with the published model through `colorize_video` (the path `coloring_nb_colorize clip.mp4` takes): each frame on its
own (`steady=0`) and steadied (`steady`'s default), and reads both outputs back. Reports:

- frames per second, end to end (decode, colour, encode, sound copied), on this machine's CPU;
- flicker: the mean |Δa| and |Δb| (Lab) between consecutive frames over the pixels whose L changed less than 1
  (`video.flicker`), and `flicker_reduction` = 1 − steadied ÷ per frame (goal ≥ 0.5), on the frames as coloured (what
  the steadying does); the same measured on the MP4s written (where H.264's own chroma noise is added to both) and
  on the clip's own colours (the truth's flicker, from the pans and zooms and the input's compression);
- the mean colourfulness of the frames (Hasler–Süsstrunk, `metrics.colorfulness`) of both (goal: within 5 %);
- the scene cuts found (the clip has cuts at frames 1/3 and 2/3 of the way);
- peak memory (the largest resident set of a fresh Python colouring a 2 s 1920×1080 clip: goal ≤ 2 GB).

Writes bench/results/video.json. Run it on an idle machine: the speed is CPU time.
"""
import json, resource, subprocess, sys, tempfile, time
from pathlib import Path
from _common import ROOT, machine_info, parser, write_json
from coloring_nb.video import clip_frames

GOALS = {'flicker_reduction': 0.5, 'colourfulness_change': 0.05, 'peak_memory_gb_1080p': 2.0}

def shots(data:Path, split:str='valid', n:int=3, seed:int=0) -> list:
    "`n` photos of `split`, RGB uint8, chosen by a seeded draw."
    import cv2, numpy as np
    files = sorted((data/split).glob('*/*.jpg'))
    chosen = np.random.default_rng(seed).choice(len(files), n, replace=False)
    return [cv2.imread(str(files[i]))[..., ::-1] for i in chosen]

def make_film(path:Path, photos:list, seconds:float, fps:int=30, size=(640, 360)) -> Path:
    "A clip of `photos` in turn (a cut between each), each enlarged to the clip's width, panned down and zoomed in, with a tone."
    import cv2, numpy as np, imageio_ffmpeg
    w, h = size
    per_shot = int(seconds * fps / len(photos))
    silent = path.with_suffix('.silent.mp4')
    writer = imageio_ffmpeg.write_frames(str(silent), size, fps=fps, quality=8, macro_block_size=1, ffmpeg_log_level='error')
    writer.send(None)
    for photo in photos:
        big = cv2.resize(photo, (w, w), interpolation=cv2.INTER_CUBIC)
        for i in range(per_shot):
            t = i / per_shot
            zoom = 1 + 0.25 * t
            cw, ch = int(w / zoom), int(h / zoom)
            y0 = int(t * (w - ch) * 0.6)
            x0 = (w - cw) // 2
            writer.send(np.ascontiguousarray(cv2.resize(big[y0:y0 + ch, x0:x0 + cw], size, interpolation=cv2.INTER_AREA)).reshape(-1))
    writer.close()
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), '-y', '-v', 'error', '-i', str(silent), '-f', 'lavfi', '-i',
                    f'sine=frequency=440:sample_rate=44100:duration={per_shot * len(photos) / fps}', '-c:v', 'copy', '-c:a', 'aac',
                    '-shortest', str(path)], check=True)
    silent.unlink()
    return path

def measure(frames) -> dict:
    "Flicker (`video.flicker`, summed over the pairs of consecutive frames) and mean colourfulness of `frames`."
    import numpy as np
    from coloring_nb.video import flicker
    from coloring_nb.metrics import colorfulness
    change, still, colours, last = 0.0, 0, [], None
    for frame in frames:
        if last is not None:
            s, n = flicker(last, frame); change += s; still += n
        colours.append(float(colorfulness(frame))); last = frame
    return {'flicker': change / still, 'colourfulness': float(np.mean(colours)), 'frames': len(colours)}

MEMORY = """
import resource, sys
from coloring_nb.colorize import load_model
from coloring_nb.video import colorize_video
colorize_video(sys.argv[1], load_model(sys.argv[2]), sys.argv[3], progress=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

def peak_memory_1080p(film:Path, model:str, work:Path) -> float:
    "GB: the largest resident set of a fresh Python colouring a 2 s 1920×1080 version of `film`."
    import imageio_ffmpeg
    from coloring_nb.testing import package_env
    big = work/'film-1080p.mp4'
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), '-y', '-v', 'error', '-i', str(film), '-t', '2', '-vf', 'scale=1920:1080',
                    '-c:v', 'libx264', '-c:a', 'copy', str(big)], check=True)
    done = subprocess.run([sys.executable, '-c', MEMORY, str(big), model, str(work/'out-1080p.mp4')], capture_output=True, text=True,
                          env=package_env(TF_CPP_MIN_LOG_LEVEL=3), check=True)
    return int(done.stdout.split()[-1]) / 1e6      # ru_maxrss is in KiB on Linux: /1e6 gives GB (of 1024³... close enough: 2.4 % apart)

def main():
    p = parser(__doc__, 'video', 'butterflies')
    p.add_argument('--model', default=str(ROOT/'weights'/'butterflies.keras'))
    p.add_argument('--seconds', type=float, default=10.0)
    p.add_argument('--no-memory', action='store_true', help='skip the 1080p memory measurement')
    p.add_argument('--split', default='valid', help="the photos' split: choose settings on 'train', report on 'valid'")
    p.add_argument('--steady', type=float, default=None, help="the steadied run's weight (default: colorize_video's)")
    args = p.parse_args()
    from coloring_nb.colorize import load_model
    from coloring_nb.video import SteadyColour, colorize_video
    import inspect
    steady = inspect.signature(colorize_video).parameters['steady'].default if args.steady is None else args.steady
    work = Path(tempfile.mkdtemp(prefix='bench-video-'))
    film = make_film(work/'film.mp4', shots(Path(args.data), args.split), args.seconds)
    model = load_model(args.model)
    out = {}
    from coloring_nb.video import colour_frames
    for name, weight in (('per_frame', 0.0), ('steadied', steady)):
        start = time.perf_counter()
        written = colorize_video(film, model, work/f'{name}.mp4', steady=weight, progress=False)
        seconds = time.perf_counter() - start
        state = SteadyColour(weight)
        coloured = measure(colour_frames(clip_frames(film), model, steady=weight, state=state))   # the frames as coloured
        out[name] = {'steady': weight, **coloured, 'written': measure(clip_frames(written)), 'seconds': round(seconds, 2),
                     'fps': round(coloured['frames'] / seconds, 1), 'cuts_found': state.cuts}
        print(f"{name} (steady={weight:g}): {coloured['frames']} frames in {seconds:.1f} s ({out[name]['fps']} frames/s); "
              f"flicker {coloured['flicker']:.3f} as coloured, {out[name]['written']['flicker']:.3f} in the file written; "
              f"colourfulness {coloured['colourfulness']:.1f}", flush=True)
    cuts = out['steadied']['cuts_found']
    truth = measure(clip_frames(film))
    print(f"the clip's own colours: flicker {truth['flicker']:.3f}, colourfulness {truth['colourfulness']:.1f}")
    results = {'clip': {'size': [640, 360], 'fps': 30, 'seconds': args.seconds, 'frames': out['per_frame']['frames'], 'cuts_made': [out['per_frame']['frames'] // 3, 2 * out['per_frame']['frames'] // 3]},
               'cuts_found': cuts, **out, 'truth': truth,
               'flicker_reduction': round(1 - out['steadied']['flicker'] / out['per_frame']['flicker'], 3),
               'colourfulness_change': round(out['steadied']['colourfulness'] / out['per_frame']['colourfulness'] - 1, 4),
               'model': Path(args.model).name, 'split': args.split, 'goals': GOALS}
    if not args.no_memory: results['peak_memory_gb_1080p'] = round(peak_memory_1080p(film, args.model, work), 2)
    results['machine'] = machine_info()
    print(f"cuts made at {results['clip']['cuts_made']}, found at {cuts}")
    print(f"flicker_reduction {results['flicker_reduction']:.3f} (goal >= 0.5), colourfulness change {100 * results['colourfulness_change']:+.1f} % (goal within 5 %)"
          + (f", peak memory colouring 1080p {results['peak_memory_gb_1080p']:.2f} GB (goal <= 2)" if 'peak_memory_gb_1080p' in results else ''))
    print(f"wrote {write_json(args.out, results)}")

if __name__ == '__main__': main()
