"""Mixing inside skorch's training step, on the device of the batch."""

from __future__ import annotations

import numpy as np
import torch
from skorch import NeuralNet
from skorch.dataset import unpack_data
from skorch.utils import to_tensor

from skmixup._engine import draw_batch_plan, interpolate


class BatchMixer:
    """Mix one training batch: pairs, weights, interpolation of rows and targets.

    Parameters
    ----------
    weight_law : WeightLaw
    pairing : RandomPairing or OTBlockPairing
    n_interpolations : int
        Rows emitted per pair; the mixed batch has this many times as many rows.
    within_class : bool
        Draw pairs within the classes of the batch (labels stay hard).
    n_classes : int or None
        Number of classes: integer targets become one-hot rows before being
        mixed. ``None`` for continuous targets, mixed as they are.
    rng : numpy.random.Generator
        Source of the O(batch) draws (permutations and weights).

    Attributes
    ----------
    last_plan_ : MixPlan
        Pairs and weights of the last mixed batch (for inspection).
    """

    def __init__(self, weight_law, pairing, n_interpolations, within_class, n_classes, rng):
        self.weight_law = weight_law
        self.pairing = pairing
        self.n_interpolations = n_interpolations
        self.within_class = within_class
        self.n_classes = n_classes
        self.rng = rng

    def __call__(self, X, y):
        """Return the mixed rows and targets, on the device of ``X``."""
        if self.within_class:
            labels = y.detach().cpu().numpy()
            groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
        else:
            groups = [np.arange(X.shape[0])]
        plan = draw_batch_plan(
            X if self.pairing.needs_data else None,
            groups,
            self.weight_law,
            self.pairing,
            self.rng,
            self.n_interpolations,
        )
        self.last_plan_ = plan
        if self.n_classes is not None:
            targets = torch.nn.functional.one_hot(y.long(), self.n_classes)
        else:
            targets = y.reshape(y.shape[0], -1)
        # Rows and targets are mixed in one pass with the same weights.
        joint = torch.cat([X, targets.to(X.dtype)], dim=1)
        mixed = interpolate(joint, plan)
        X_mixed, targets_mixed = mixed[:, : X.shape[1]], mixed[:, X.shape[1] :]
        if self.n_classes is None:  # continuous targets keep their shape
            targets_mixed = targets_mixed.reshape(-1, *y.shape[1:])
        return X_mixed, targets_mixed


class MixupNet(NeuralNet):
    """skorch ``NeuralNet`` that mixes each training batch on its device.

    The only override point is ``train_step_single``: the batch is moved to
    ``device``, mixed by ``batch_mixer`` (when set), then the usual forward
    pass, loss and backward pass run on the mixed rows. Validation, scoring
    and prediction go through ``evaluation_step`` and see the original rows.
    """

    batch_mixer: BatchMixer | None = None

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        if self.batch_mixer is not None:
            Xi = to_tensor(Xi, device=self.device)
            yi = to_tensor(yi, device=self.device)
            Xi, yi = self.batch_mixer(Xi, yi)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}
