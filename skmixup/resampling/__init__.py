"""Mixup resamplers with the imbalanced-learn ``fit_resample`` API."""

from skmixup.resampling._base import BaseMixupResampler
from skmixup.resampling._epbeta import EpBetaMixupResampler
from skmixup.resampling._kmixup import KMixupResampler
from skmixup.resampling._multimix import MultiMixResampler

__all__ = [
    "BaseMixupResampler",
    "EpBetaMixupResampler",
    "KMixupResampler",
    "MultiMixResampler",
]
