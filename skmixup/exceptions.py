"""Warnings raised by skmixup."""

__all__ = ["BinaryFeatureWarning"]


class BinaryFeatureWarning(UserWarning):
    """A numeric column with exactly two distinct values is mixed as a number.

    Such a column (a 0/1 flag, a sex coded 1/2) gets values between, and
    with expanded weights beyond, its two values in the new rows. Declare it
    in ``categorical_features`` (or give it a ``bool`` or ``category``
    dtype, which ``categorical_features='auto'`` copies) to copy it from the
    anchor row instead; filter this warning when mixing it is intended.
    It is not raised for an integer column that rounding keeps in its two
    values (consecutive integers, weights less than half a step beyond
    ``[0, 1]`` or ``clip='observed'``), and an estimator raises it once,
    naming at most five columns and counting the rest.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skmixup import EpBetaMixupResampler
    >>> from skmixup.exceptions import BinaryFeatureWarning
    >>> X = np.c_[np.arange(8.0), np.tile([0.0, 1.0], 4)]
    >>> y = np.r_[[0] * 6, [1] * 2]
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = EpBetaMixupResampler(random_state=0).fit_resample(X, y)
    >>> [w.category.__name__ for w in caught]
    ['BinaryFeatureWarning']
    """
