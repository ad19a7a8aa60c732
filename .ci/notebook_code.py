"""Write each notebook's code cells to a .py file, for tools that read code as text (issue 14: `duplicates`).

    python .ci/notebook_code.py OUT_DIR && duplicates --repo OUT_DIR --most 40

One file per notebook of `nbs/` (`OUT_DIR/10_folders.py`), its code cells in order, directives and shell/magic lines
dropped, each cell headed by a `# cell N` comment so that a row of `duplicates` points back to the cell.
"""
import json, sys
from pathlib import Path

NBS = Path(__file__).resolve().parent.parent/'nbs'

def notebook_code(path:Path) -> str:
    "The code cells of the notebook at `path` as one Python text."
    cells = json.loads(path.read_text())['cells']
    parts = []
    for i, cell in enumerate(cells):
        if cell['cell_type'] != 'code': continue
        lines = [l for l in ''.join(cell['source']).splitlines() if not l.startswith(('#|', '%', '!'))]
        parts.append(f'# cell {i}\n' + '\n'.join(lines))
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
    for nb in sorted(NBS.glob('*.ipynb')): (out/f'{nb.stem}.py').write_text(notebook_code(nb))
    print(f'{len(list(NBS.glob("*.ipynb")))} notebooks written to {out}')
