"""Conversion of ``random_state`` values to a numpy ``Generator``."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state


def as_generator(random_state) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for a scikit-learn ``random_state``.

    An int or ``None`` seeds a new generator (through scikit-learn's
    ``check_random_state`` so that ``None`` follows the global numpy seed);
    a ``RandomState`` instance is advanced by one draw, as scikit-learn
    estimators consume their ``random_state``; a ``Generator`` is used as is.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    legacy = check_random_state(random_state)
    return np.random.default_rng(legacy.randint(np.iinfo(np.int32).max))
