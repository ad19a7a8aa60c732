"Stand-in for `google.colab.userdata`: secrets from `$COLAB_STANDIN_DIR/secrets.json`."
import json
from . import _home, _record

class SecretNotFoundError(Exception):
    def __init__(self, key): super().__init__(f'Secret {key} does not exist.')

class NotebookAccessError(Exception):
    def __init__(self, key): super().__init__(f'Notebook does not have access to secret {key}')

def get(key):
    "The secret `key`; `SecretNotFoundError` when there is none, as in Colab."
    _record('userdata.get', key=key)
    path = _home()/'secrets.json'
    secrets = json.loads(path.read_text()) if path.exists() else {}
    if key not in secrets: raise SecretNotFoundError(key)
    return secrets[key]
