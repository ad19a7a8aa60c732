"Stand-in for `google.colab.files`: `upload` takes the files in `$COLAB_STANDIN_DIR/uploads`, `download` records."
import os, shutil
from pathlib import Path
from . import _home, _record

def upload(target_dir=''):
    "As Colab: the picked files are written into the current folder (or `target_dir`) and returned as {name: bytes}."
    picked = sorted(p for p in (_home()/'uploads').glob('*') if p.is_file()) if (_home()/'uploads').is_dir() else []
    out = {}
    for p in picked:
        data = p.read_bytes()
        dest = Path(target_dir or '.')/p.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        print(f'Saving {p.name} to {dest}')
        out[p.name] = data
    _record('files.upload', names=list(out), target_dir=str(target_dir), cwd=os.getcwd())
    return out

def download(filename):
    "As Colab: the browser downloads `filename`; here the call is recorded. A missing file is an error, as there."
    if not os.path.exists(filename): raise FileNotFoundError(f'Cannot find file: {filename}')
    _record('files.download', filename=os.path.abspath(filename), bytes=os.path.getsize(filename))
