"""Every name has one home: an import from a coloring_nb module names a module that defines it.
    python .ci/one_home.py
Reads the library, the notebooks (nbs/*.ipynb, code cells), bench/ and .ci/ (and programs they hold as strings), and lists every
`from coloring_nb.X import NAME` (or `from .X import NAME` inside the package) where X does not itself define NAME
(by def, class, assignment or a `for`/`with` target at its top level) but imports it from elsewhere: a second home.
`coloring_nb.all` is the users' façade and may gather names; importing from it inside the package is refused.
Inside the package, no module imports another's private (`_name`) names: what two chapters share is public.
Exits 1 when it finds one.
"""
import ast, sys, textwrap
from pathlib import Path
from notebook_code import notebook_code   # the notebooks' code cells as one text, as `duplicates` reads them
ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT/'coloring_nb'
FACADE = 'all'

def defined(tree:ast.Module) -> set:
    "Names a module's top level defines itself (not those it imports)."
    names = set()
    def targets(t):
        if isinstance(t, ast.Name): names.add(t.id)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts: targets(e)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): names.add(node.name)
        elif isinstance(node, ast.Assign):
            for t in node.targets: targets(t)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)): targets(node.target)
        elif isinstance(node, ast.If):   # e.g. a fallback definition
            names |= defined(ast.Module(body=node.body + node.orelse, type_ignores=[]))
        elif isinstance(node, ast.Try):
            names |= defined(ast.Module(body=node.body + [s for h in node.handlers for s in h.body] + node.orelse, type_ignores=[]))
    return names

def module_names() -> dict:
    return {p.stem: defined(ast.parse(p.read_text())) for p in PKG.glob('*.py') if not p.name.startswith('_')}

def sources():
    "(where, python source) for every file checked."
    for p in sorted(PKG.glob('*.py')): yield str(p.relative_to(ROOT)), p.read_text(), True
    for p in sorted((ROOT/'nbs').glob('*.ipynb')): yield str(p.relative_to(ROOT)), notebook_code(p), False
    for folder in ('bench', '.ci'):
        for p in sorted((ROOT/folder).glob('*.py')): yield str(p.relative_to(ROOT)), p.read_text(), False

def embedded(tree:ast.AST) -> list:
    "Programs written as strings (a subprocess's code, a runner script) that import from coloring_nb: their syntax trees."
    trees = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and 'coloring_nb' in node.value and 'import' in node.value:
            try: trees.append(ast.parse(textwrap.dedent(node.value)))
            except SyntaxError: pass                     # prose that names the package, not a program
    return trees

def second_homes() -> list:
    homes, found = module_names(), []
    for where, code, in_package in sources():
        try: tree = ast.parse(code)
        except SyntaxError as e: found.append(f"{where}: cannot parse ({e})"); continue
        for node in (n for t in [tree, *embedded(tree)] for n in ast.walk(t)):
            if not isinstance(node, ast.ImportFrom): continue
            if node.level and in_package: module = node.module
            elif (node.module or '').startswith('coloring_nb.'): module = node.module.split('.', 1)[1]
            else: continue
            if module == FACADE:
                if in_package: found.append(f"{where}:{node.lineno}: imports from the façade coloring_nb.{FACADE}")
                continue
            if module not in homes: continue
            for alias in node.names:
                if alias.name != '*' and alias.name not in homes[module]:
                    found.append(f"{where}:{node.lineno}: {alias.name} from coloring_nb.{module}, which does not define it")
                elif in_package and alias.name.startswith('_') and not alias.name.startswith('__'):
                    found.append(f"{where}:{node.lineno}: the private {alias.name} of coloring_nb.{module}: make it public, or keep it at home")
    return found

if __name__ == '__main__':
    found = second_homes()
    print('\n'.join(found) or 'every import names the module that defines the name')
    sys.exit(1 if found else 0)
