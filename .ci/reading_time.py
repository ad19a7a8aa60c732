"""How long each chapter takes to read, at issue 14's rates: 200 words of prose, 12 exported or 20 other code lines a minute.

    python .ci/reading_time.py [--limit 35]

Prints one row per notebook in nbs/ (cells, prose words, exported and other code lines, minutes), longest first,
and exits 1 when a chapter is over the limit (issue 14 asks for at most ~35 minutes). Minutes count what a reader
of the chapter sees: cells marked `#| hide` (test harnesses, not shown on the docs pages) are left out of them and
counted in their own column.
"""
import argparse, json, re, sys
from pathlib import Path

NBS = Path(__file__).resolve().parent.parent/'nbs'
WORDS_PER_MIN, EXPORT_LINES_PER_MIN, CODE_LINES_PER_MIN = 200, 12, 20

def counts(path:Path) -> dict:
    "Cells, prose words, exported code lines and other code lines of a notebook (blank lines and directives not counted)."
    cells = json.loads(path.read_text())['cells']
    words = exported = other = hidden = 0
    for cell in cells:
        source = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown': words += len(re.findall(r"[\w'’-]+", source))
        elif cell['cell_type'] == 'code':
            lines = [l for l in source.splitlines() if l.strip() and not l.startswith('#|')]
            if re.search(r'^#\|\s*export', source, re.M): exported += len(lines)
            elif re.search(r'^#\|\s*hide\s*$', source, re.M): hidden += len(lines)
            else: other += len(lines)
    minutes = words / WORDS_PER_MIN + exported / EXPORT_LINES_PER_MIN + other / CODE_LINES_PER_MIN
    return dict(notebook=path.name, cells=len(cells), words=words, exported=exported, other=other, hidden=hidden, minutes=round(minutes, 1))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--limit', type=float, default=35)
    a = p.parse_args()
    rows = sorted((counts(nb) for nb in sorted(NBS.glob('*.ipynb'))), key=lambda r: -r['minutes'])
    print('| notebook | cells | prose words | exported lines | other code lines | minutes | hidden code lines |\n| --- | --- | --- | --- | --- | --- | --- |')
    for r in rows: print(f"| `{r['notebook']}` | {r['cells']} | {r['words']:,} | {r['exported']} | {r['other']} | {r['minutes']:.0f} | {r['hidden']} |")
    over = [r['notebook'] for r in rows if r['minutes'] > a.limit]
    shown, hidden = sum(r['minutes'] for r in rows), sum(r['hidden'] for r in rows) / CODE_LINES_PER_MIN
    print(f"\nall {len(rows)} notebooks: {shown / 60:.1f} h as shown, {(shown + hidden) / 60:.1f} h with the hidden cells; "
          f"over {a.limit:g} min: {', '.join(over) or 'none'}")
    return 1 if over else 0

if __name__ == '__main__': sys.exit(main())
