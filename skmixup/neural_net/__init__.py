"""Torch networks trained on mixup batches, as scikit-learn estimators (skorch).

Importing this module imports torch and skorch; the rest of skmixup does not.
``MixupMixin`` adds the same batch mixing to any skorch net.
"""

from skmixup.neural_net._estimators import MixupNeuralNetClassifier, MixupNeuralNetRegressor
from skmixup.neural_net._modules import MLP, SoftTargetCrossEntropy
from skmixup.neural_net._training import BatchMixer, MixupMixin, MixupNet

__all__ = [
    "MLP",
    "BatchMixer",
    "MixupMixin",
    "MixupNet",
    "MixupNeuralNetClassifier",
    "MixupNeuralNetRegressor",
    "SoftTargetCrossEntropy",
]
