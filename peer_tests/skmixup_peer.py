"""pytest plugin: skorch's own tests run against skorch classes composed with MixupMixin.

``SKMIXUP_PEER=plain`` leaves skorch alone; ``nomixer`` replaces
``NeuralNet``, ``NeuralNetClassifier`` and ``NeuralNetRegressor`` by
``class X(MixupMixin, X)`` without a mixer; ``mixer`` also gives each a
default ``BatchMixer`` (classic mixup, random_state=0) and, for the
classifier, a soft-label criterion that keeps skorch's convention (the
module returns probabilities, the loss is a negative log-likelihood).
"""

from __future__ import annotations

import os

import skorch
import skorch.classifier
import skorch.net
import skorch.regressor
import torch
from torch.nn import functional as F

from skmixup.neural_net import BatchMixer, MixupMixin

MODE = os.environ.get("SKMIXUP_PEER", "plain")

_NeuralNet = skorch.net.NeuralNet
_NeuralNetClassifier = skorch.classifier.NeuralNetClassifier
_NeuralNetRegressor = skorch.regressor.NeuralNetRegressor


class SoftNLLLoss(torch.nn.NLLLoss):
    """skorch's NLLLoss (log-probabilities in) that also takes soft labels."""

    def forward(self, log_proba, target):
        if target.dtype.is_floating_point and target.ndim == 2:
            return -(target * log_proba).sum(dim=1).mean()
        return F.nll_loss(log_proba, target, reduction=self.reduction)


def _with_mixer(kwargs, classifier=False):
    if MODE == "mixer":
        kwargs.setdefault("batch_mixer", BatchMixer(random_state=0))
        if classifier:
            kwargs.setdefault("criterion", SoftNLLLoss)
    return kwargs


class MixupNeuralNet(MixupMixin, _NeuralNet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_with_mixer(kwargs))


class MixupNeuralNetClassifier(MixupMixin, _NeuralNetClassifier):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_with_mixer(kwargs, classifier=True))

    def mix_batch(self, Xi, yi):
        if self.batch_mixer_.n_classes is None:  # one-hot width from the data's classes
            self.batch_mixer_.n_classes = len(self.classes_)
        return super().mix_batch(Xi, yi)


class MixupNeuralNetRegressor(MixupMixin, _NeuralNetRegressor):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_with_mixer(kwargs))


def pytest_configure(config):
    if MODE == "plain":
        return
    for module in (skorch, skorch.net):
        module.NeuralNet = MixupNeuralNet
    for module in (skorch, skorch.classifier):
        module.NeuralNetClassifier = MixupNeuralNetClassifier
    for module in (skorch, skorch.regressor):
        module.NeuralNetRegressor = MixupNeuralNetRegressor
