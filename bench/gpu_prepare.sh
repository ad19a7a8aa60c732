#!/usr/bin/env bash
# Prepare .gpu/ (ignored) for bench/gpu.py and bench/gpu_hints.py on the device machine, which has JAX but no
# TensorFlow, no fastcore and no internet: the Keras wheels of ../shared/gpu-wheels, fastcore's wheel (the version
# installed here), and butterflies-112 with 65 % of its train split (the whole does not fit beside the repository in
# the 64 MiB that travels). Run from the repository root, in the virtual environment that has the package; then carry
# `.gpu` and begin the device's command with:
#   python3 -m pip install -q --no-index --no-deps --target /tmp/site .gpu/wheels/*.whl && export PYTHONPATH=/tmp/site KERAS_BACKEND=jax PYTHONUNBUFFERED=1
set -euo pipefail
rm -rf .gpu && mkdir -p .gpu
cp -r ../shared/gpu-wheels .gpu/wheels && rm -f .gpu/wheels/README.md
python -m pip download -q --no-deps -d .gpu/wheels "fastcore==$(python -c 'from importlib.metadata import version; print(version("fastcore"))')"
python bench/gpu_hints.py --pack .gpu/butterflies-112
# what travels to the device: the tracked files, untracked ones git does not ignore, and the carried .gpu (64 MiB at most)
tree=$( { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 du -cb 2>/dev/null | awk '$2 == "total" {n += $1} END {print n + 0}')
gpu=$(du -sb .gpu | cut -f1)
awk -v t="$tree" -v g="$gpu" 'BEGIN {m = 1048576; printf "travels: %.1f MiB of the working tree + %.1f MiB of .gpu = %.1f MiB (64 MiB at most)\n", t/m, g/m, (t+g)/m; exit (t+g > 64*m)}' \
  || { echo "too much to carry: lower gpu_hints.py --pack's --share" >&2; exit 1; }
