"""pytest plugin: skorch's own tests against skorch classes composed with MixupMixin.

The composed classes keep skorch's names (its tests compare messages).

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


class _PatchesReachSkorch(type):
    """Send what a test patches on ``skorch.NeuralNet`` to skorch's own class.

    skorch's tests patch ``skorch.NeuralNet.save_params`` and train a
    ``NeuralNetRegressor``: on plain skorch the patch is on a base of the
    trained class. Here ``skorch.NeuralNet`` is the composed class, not a base
    of the composed regressor, so a public attribute that the composed class
    only inherits is set on (and removed from) skorch's ``NeuralNet`` instead,
    where every composed class sees it, as on plain skorch.
    """

    def _forwards(cls, name):
        return (
            cls.__name__ == "NeuralNet"
            and cls.__module__ == __name__
            and (not name.startswith("_") and name not in vars(cls))
        )

    def __setattr__(cls, name, value):
        type.__setattr__(_NeuralNet if cls._forwards(name) else cls, name, value)

    def __delattr__(cls, name):
        type.__delattr__(_NeuralNet if cls._forwards(name) else cls, name)


class NeuralNet(MixupMixin, _NeuralNet, metaclass=_PatchesReachSkorch):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_with_mixer(kwargs))


class NeuralNetClassifier(MixupMixin, _NeuralNetClassifier):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_with_mixer(kwargs, classifier=True))

    def mix_batch(self, Xi, yi):
        if self.batch_mixer_.n_classes is None:  # one-hot width from the data's classes
            self.batch_mixer_.n_classes = len(self.classes_)
            self._check_soft_label_criterion()
        return super().mix_batch(Xi, yi)


class NeuralNetRegressor(MixupMixin, _NeuralNetRegressor):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_with_mixer(kwargs))


def pytest_configure(config):
    if MODE == "plain":
        return
    # Only the package's names: skorch's own modules call
    # super(NeuralNetClassifier, self) by their module-global names.
    skorch.NeuralNet = NeuralNet
    skorch.NeuralNetClassifier = NeuralNetClassifier
    skorch.NeuralNetRegressor = NeuralNetRegressor
