"""The shape of the exported code: small functions in small cells, one definition per cell.

    python .ci/code_shape.py [--max-lines 50] [--max-cell-lines 40]

Lists every function or method of the library (`coloring_nb/*.py`) longer than `--max-lines`, every `#| export`
cell of `nbs/` longer than `--max-cell-lines` (its directive lines counted), and every export cell that defines more
than one function or class, public or private (constants may sit beside the definition they serve; a class's
methods get cells of their own with `fastcore.basics.patch_to`). Exits 1 when any list is not empty.
"""
import argparse, ast, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def long_functions(max_lines:int) -> list:
    "(module, function, lines) for each function or method longer than `max_lines`."
    found = []
    for module in sorted((ROOT/'coloring_nb').glob('*.py')):
        if module.name.startswith('_'): continue
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > max_lines:
                found.append((module.name, node.name, node.end_lineno - node.lineno + 1))
    return found

def export_cells():
    "(notebook name, cell index, source) of each `#| export` cell of nbs/."
    for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
        for i, cell in enumerate(json.loads(nb.read_text())['cells']):
            source = ''.join(cell['source'])
            if cell['cell_type'] == 'code' and re.search(r'^#\|\s*export\s*$', source, re.M): yield nb.name, i, source

def long_cells(max_lines:int) -> list:
    "(notebook, cell index, lines) for each export cell longer than `max_lines`."
    return [(nb, i, len(source.splitlines())) for nb, i, source in export_cells() if len(source.splitlines()) > max_lines]

def crowded_cells() -> list:
    "(notebook, cell index, names) for each export cell defining more than one function or class."
    found = []
    for nb, i, source in export_cells():
        tree = ast.parse('\n'.join(l for l in source.splitlines() if not l.startswith(('#|', '%', '!'))))
        names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        if len(names) > 1: found.append((nb, i, names))
    return found

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--max-lines', type=int, default=50)
    p.add_argument('--max-cell-lines', type=int, default=40)
    a = p.parse_args()
    long, big, crowded = long_functions(a.max_lines), long_cells(a.max_cell_lines), crowded_cells()
    for module, name, n in long: print(f'{module}: {name} is {n} lines (over {a.max_lines})')
    for nb, i, n in big: print(f'{nb} cell {i}: an export cell of {n} lines (over {a.max_cell_lines})')
    for nb, i, names in crowded: print(f'{nb} cell {i}: {len(names)} definitions ({", ".join(names)})')
    print(f'{len(long)} functions over {a.max_lines} lines, {len(big)} export cells over {a.max_cell_lines} lines, '
          f'{len(crowded)} export cells with more than one definition')
    return 1 if long or big or crowded else 0

if __name__ == '__main__': sys.exit(main())
