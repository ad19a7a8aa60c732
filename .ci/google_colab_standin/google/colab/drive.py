"Stand-in for `google.colab.drive`: the Drive is the folder `$COLAB_STANDIN_DIR/drive`."
import os
from pathlib import Path
from . import _home, _record

def mount(mountpoint, force_remount=False, timeout_ms=120000, readonly=False):
    "Show the stand-in Drive at `mountpoint/MyDrive`; like Colab, a second mount without `force_remount` only says so."
    mountpoint = Path(mountpoint)
    _record('drive.mount', mountpoint=str(mountpoint), force_remount=force_remount)
    link = mountpoint/'MyDrive'
    if link.is_symlink() and link.exists() and not force_remount:
        print(f'Drive already mounted at {mountpoint}; to attempt to forcibly remount, '
              f'call drive.mount("{mountpoint}", force_remount=True).')
        return
    if mountpoint.exists() and any(p.name != 'MyDrive' for p in mountpoint.iterdir()):
        raise ValueError('Mountpoint must not already contain files')
    storage = _home()/'drive'/'MyDrive'
    storage.mkdir(parents=True, exist_ok=True)
    mountpoint.mkdir(parents=True, exist_ok=True)
    if link.is_symlink(): link.unlink()
    os.symlink(storage, link)
    print(f'Mounted at {mountpoint}')

def flush_and_unmount(timeout_ms=86400000):
    "Unmount every stand-in mount made by `mount` (the mount point stays, empty)."
    _record('drive.flush_and_unmount')
    for line in (_home()/'calls.jsonl').read_text().splitlines():
        if '"drive.mount"' in line:
            import json
            link = Path(json.loads(line)['mountpoint'])/'MyDrive'
            if link.is_symlink(): link.unlink()
