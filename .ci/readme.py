#!/usr/bin/env python3
"""Write README.md from nbs/index.ipynb (nbconvert to markdown; Quarto, which `nbdev_readme` needs, is not
available here), filling in the repository's address from settings.ini, the one place it is kept.

    python .ci/readme.py            # write README.md
    python .ci/readme.py --check    # exit 1 if README.md is not what index.ipynb makes
    python .ci/readme.py --command NAME   # print the shell command in the README block marked NAME
"""
import argparse, configparser, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def settings() -> dict:
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT/'settings.ini', encoding='utf-8')
    return dict(cfg['DEFAULT'])

def fill(text: str, s: dict) -> str:
    "Replace {{user}}, {{repo}}, {{branch}}, {{git_url}}, {{lib_name}} and {{colab_url}} with their values."
    s = {**s, 'colab_url': f"https://colab.research.google.com/github/{s['user']}/{s['repo']}/blob/{s['branch']}/nbs/colab.ipynb"}
    def sub(m):
        if m.group(1) not in s: raise KeyError(f"index.ipynb uses {{{{{m.group(1)}}}}}, which settings.ini lacks")
        return s[m.group(1)]
    return re.sub(r'\{\{(\w+)\}\}', sub, text)

def render() -> str:
    import nbformat
    from nbconvert import MarkdownExporter
    nb = nbformat.read(ROOT/'nbs'/'index.ipynb', as_version=4)
    nb.cells = [c for c in nb.cells if not c.source.lstrip().startswith('#| hide')]
    body, _ = MarkdownExporter().from_notebook_node(nb)
    body = re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'
    header = '<!-- Generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->\n\n'
    return header + fill(body, settings())

def command(name: str) -> str:
    "The shell command in the fenced block that follows `<!-- command: NAME -->` in README.md."
    text = (ROOT/'README.md').read_text()
    m = re.search(rf'<!-- command: {re.escape(name)} -->\s*```\w*\n(.*?)```', text, re.S)
    if not m: sys.exit(f"README.md has no block marked <!-- command: {name} -->")
    return m.group(1).strip()

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--check', action='store_true')
    p.add_argument('--command')
    a = p.parse_args()
    if a.command: print(command(a.command)); sys.exit()
    text, readme = render(), ROOT/'README.md'
    if a.check:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run `python .ci/readme.py` and commit it")
        print('README.md is up to date')
    else:
        readme.write_text(text); print(f'wrote {readme}')
