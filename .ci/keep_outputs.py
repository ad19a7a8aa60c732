"""Run notebooks and keep the outputs of the cells whose point is a picture or a table (issue 14, item 6).

    python .ci/keep_outputs.py nbs/02_lab.ipynb [...]

A cell whose output is worth reading without running the chapter says so with Quarto's cell option
`#| output: true` (the default for the docs, so it changes nothing there). This script runs the whole notebook
(as `nbdev_test` does, from `nbs/`, skipping `#| eval: false` cells), keeps those cells' outputs, clears every
other cell's, and writes the notebook back; run `nbdev_clean` afterwards. It prints each notebook's size:
keep each under ~300 KB.
"""
import json, os, re, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

KEEP = re.compile(r'^#\|\s*output:\s*true\s*$', re.M)
SKIP = re.compile(r'^#\|\s*eval:\s*false\s*$', re.M)

def keep_outputs(path:Path) -> int:
    "Run the notebook at `path`, keep the outputs of `#| output: true` cells only, write it back; its new size in bytes."
    nb, here = read_nb(path), os.getcwd()
    os.chdir(path.parent)
    try: CaptureShell(mpl_format='png').run_all(nb, exc_stop=True, preproc=lambda cell: bool(SKIP.search(cell.source)))
    finally: os.chdir(here)
    for cell in nb.cells:
        if cell.cell_type == 'code':
            if not KEEP.search(cell.source): cell.outputs = []
            cell.execution_count = None
    write_nb(nb, path)
    return path.stat().st_size

if __name__ == '__main__':
    os.environ.setdefault('MPLBACKEND', 'Agg')
    for name in sys.argv[1:]: print(f'{name}: {keep_outputs(Path(name).resolve()) / 1024:.0f} KB')
