"""skmixup: modern mixup methods for scikit-learn and imbalanced-learn.

Public names: the resamplers and the weight laws. Neural-network estimators
(torch, skorch) live in ``skmixup.neural_net`` so the core import stays light.
"""

from skmixup.resampling import EpBetaMixupResampler, KMixupResampler, MultiMixResampler
from skmixup.weights import Beta, EpBeta

__version__ = "0.1.0.dev0"

__all__ = [
    "Beta",
    "EpBeta",
    "EpBetaMixupResampler",
    "KMixupResampler",
    "MultiMixResampler",
    "__version__",
]
