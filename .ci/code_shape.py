"""The shape of the exported code, as issue 14 asks: no exported function over 50 lines, one definition per export cell.

    python .ci/code_shape.py [--max-lines 50]

Lists every function or method of the library (`coloring_nb/*.py`) longer than `--max-lines`, and every `#| export`
cell of `nbs/` that defines more than one public function or class (private helpers and constants may sit beside
the definition they serve). Exits 1 when either list is not empty.
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

def crowded_cells() -> list:
    "(notebook, cell index, public names) for each export cell defining more than one public function or class."
    found = []
    for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
        for i, cell in enumerate(json.loads(nb.read_text())['cells']):
            source = ''.join(cell['source'])
            if cell['cell_type'] != 'code' or not re.search(r'^#\|\s*export\s*$', source, re.M): continue
            tree = ast.parse('\n'.join(l for l in source.splitlines() if not l.startswith(('#|', '%', '!'))))
            public = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                      and not n.name.startswith('_')]
            if len(public) > 1: found.append((nb.name, i, public))
    return found

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--max-lines', type=int, default=50)
    a = p.parse_args()
    long, crowded = long_functions(a.max_lines), crowded_cells()
    for module, name, n in long: print(f'{module}: {name} is {n} lines (over {a.max_lines})')
    for nb, i, names in crowded: print(f'{nb} cell {i}: {len(names)} public definitions ({", ".join(names)})')
    print(f'{len(long)} functions over {a.max_lines} lines, {len(crowded)} export cells with more than one public definition')
    return 1 if long or crowded else 0

if __name__ == '__main__': sys.exit(main())
