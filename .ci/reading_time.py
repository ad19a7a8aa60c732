"""How long each chapter and each cell takes to read: 200 words of prose, 12 exported, 20 other and 40 hidden code lines a minute.

    python .ci/reading_time.py [--cell-limit 5]

Prints one row per notebook in nbs/ (cells, prose words, exported, other and hidden code lines, minutes), longest
first. Cells marked `#| hide` (test harnesses, not shown on the docs pages) count at their own, faster rate: a
reader skims them. A long chapter is fine when its cells are small and its sections guide the reader, so the cap is
on cells: it exits 1 when any one cell takes over `--cell-limit` minutes, and names it.
"""
import argparse, json, re, sys
from pathlib import Path

NBS = Path(__file__).resolve().parent.parent/'nbs'
WORDS_PER_MIN, EXPORT_LINES_PER_MIN, CODE_LINES_PER_MIN, HIDDEN_LINES_PER_MIN = 200, 12, 20, 40

def cell_reading(cell:dict) -> tuple:
    "(kind, amount, minutes) of one cell: kind 'words', 'exported', 'other' or 'hidden' (blank lines and directives not counted)."
    source = ''.join(cell['source'])
    if cell['cell_type'] == 'markdown':
        words = len(re.findall(r"[\w'’-]+", source)); return 'words', words, words / WORDS_PER_MIN
    if cell['cell_type'] != 'code': return 'other', 0, 0.0
    lines = len([l for l in source.splitlines() if l.strip() and not l.startswith('#|')])
    if re.search(r'^#\|\s*export', source, re.M): return 'exported', lines, lines / EXPORT_LINES_PER_MIN
    if re.search(r'^#\|\s*hide\s*$', source, re.M): return 'hidden', lines, lines / HIDDEN_LINES_PER_MIN
    return 'other', lines, lines / CODE_LINES_PER_MIN

def counts(path:Path) -> dict:
    "A notebook's cells, prose words, exported, other and hidden code lines, minutes, and its longest cell."
    cells = json.loads(path.read_text())['cells']
    row = dict(notebook=path.name, cells=len(cells), words=0, exported=0, other=0, hidden=0, minutes=0.0, longest=(0.0, None))
    for i, cell in enumerate(cells):
        kind, amount, minutes = cell_reading(cell)
        row[kind] += amount; row['minutes'] += minutes
        row['longest'] = max(row['longest'], (minutes, i), key=lambda m: m[0])
    return row

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--cell-limit', type=float, default=5)
    a = p.parse_args()
    rows = sorted((counts(nb) for nb in sorted(NBS.glob('*.ipynb'))), key=lambda r: -r['minutes'])
    print('| notebook | cells | prose words | exported lines | other code lines | hidden code lines | minutes | longest cell (min) |\n'
          '| --- | --- | --- | --- | --- | --- | --- | --- |')
    for r in rows:
        print(f"| `{r['notebook']}` | {r['cells']} | {r['words']:,} | {r['exported']} | {r['other']} | {r['hidden']} | {r['minutes']:.0f} | "
              f"{r['longest'][0]:.1f} |")
    over = [f"{r['notebook']} cell {r['longest'][1]} ({r['longest'][0]:.1f} min)" for r in rows if r['longest'][0] > a.cell_limit]
    print(f"\nall {len(rows)} notebooks: {sum(r['minutes'] for r in rows) / 60:.1f} h; cells over {a.cell_limit:g} min: {', '.join(over) or 'none'}")
    return 1 if over else 0

if __name__ == '__main__': sys.exit(main())
