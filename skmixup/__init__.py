"""skmixup: modern mixup methods for scikit-learn and imbalanced-learn.

Public names: the resamplers, the weight laws and the neural-network
estimators. The networks load lazily: ``import skmixup`` does not import
torch; ``skmixup.MixupNeuralNetClassifier`` does, on first use.
"""

from importlib import import_module

from skmixup.resampling import EpBetaMixupResampler, KMixupResampler, MultiMixResampler
from skmixup.synthesis import EpBetaSynthesizer
from skmixup.weights import Beta, EpBeta

__version__ = "0.1.0.dev0"

# Names served by skmixup.neural_net, imported on first access.
_NEURAL_NET_NAMES = ("MixupNeuralNetClassifier", "MixupNeuralNetRegressor", "MixupMixin")

__all__ = [
    "Beta",
    "EpBeta",
    "EpBetaMixupResampler",
    "EpBetaSynthesizer",
    "KMixupResampler",
    "MixupMixin",
    "MixupNeuralNetClassifier",
    "MixupNeuralNetRegressor",
    "MultiMixResampler",
    "__version__",
]


def __getattr__(name: str):
    if name in _NEURAL_NET_NAMES:
        try:
            module = import_module("skmixup.neural_net")
        except ModuleNotFoundError as error:
            if error.name and error.name.split(".")[0] in ("torch", "skorch"):
                raise ImportError(
                    f"skmixup.{name} needs torch and skorch: install them with "
                    "pip install 'skmixup[torch]'."
                ) from error
            raise
        return getattr(module, name)
    raise AttributeError(f"module 'skmixup' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
