__version__ = "0.1.0"

from .core import choose_backend as _choose_backend
_choose_backend()   # before any chapter imports Keras: JAX where TensorFlow is missing (see nbs/00_core.ipynb)
