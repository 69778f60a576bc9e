"""Mixup resamplers with the imbalanced-learn ``fit_resample`` API."""

from skmixup.resampling._base import BaseMixupResampler
from skmixup.resampling._epbeta import EpBetaMixupResampler

__all__ = ["BaseMixupResampler", "EpBetaMixupResampler"]
