"""A stand-in for Colab's `google.colab`, installed only in CI's Colab replica (never in the package).

It keeps Colab's call signatures and messages, and works on a folder, `$COLAB_STANDIN_DIR`:
- `drive/`: what the user's Google Drive holds; `drive.mount(path)` makes `path/MyDrive` show it;
- `secrets.json`: the notebook's Colab secrets, for `userdata.get`;
- `uploads/`: the files the user picks when `files.upload()` opens its file dialog;
- `calls.jsonl`: one JSON line per call made to this module, for the tests to read.
"""
import json, os, time
from pathlib import Path

def _home() -> Path:
    home = os.environ.get('COLAB_STANDIN_DIR')
    if not home: raise RuntimeError('the google.colab stand-in needs $COLAB_STANDIN_DIR (a folder)')
    return Path(home)

def _record(call:str, **args):
    "Append one call to calls.jsonl."
    with open(_home()/'calls.jsonl', 'a') as f: f.write(json.dumps({'call': call, 'time': time.time(), **args}) + '\n')

from . import drive, files, output, userdata  # noqa: E402,F401  (Colab's package imports its modules too)
