"""Torch building blocks: the default MLP and the soft-target cross-entropy."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class MLP(nn.Module):
    """Fully connected network with ReLU activations, returning raw outputs.

    Rows of any trailing shape are flattened first, so the default network
    also takes images and sequences (as flat vectors).

    Parameters
    ----------
    n_features : int
        Input width (the product of a row's trailing shape).
    n_outputs : int
        Output width (logits for classification).
    hidden_layer_sizes : tuple of int
        Width of each hidden layer.
    """

    def __init__(self, n_features: int, n_outputs: int, hidden_layer_sizes=(100,)):
        super().__init__()
        layers = [nn.Flatten()]
        width = n_features
        for size in hidden_layer_sizes:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        layers.append(nn.Linear(width, n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        return self.layers(X)


class SoftTargetCrossEntropy(nn.Module):
    """Cross-entropy of logits against hard labels or soft label distributions.

    Integer targets of shape (n,) are class indices (``F.cross_entropy``);
    float targets of shape (n, n_classes) are distributions, and the loss is
    ``-sum_c t_c log softmax(z)_c`` averaged over rows. Mixed rows of one
    pair are averaged with the others, so with ``K`` interpolations per pair
    the loss is the mean over pairs of each pair's mean loss.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default='mean'
        As in torch's losses; 'none' returns one loss per row.
    """

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}.")
        self.reduction = reduction

    def forward(self, logits, target):
        if target.dtype in (torch.int64, torch.int32, torch.int16, torch.uint8):
            return F.cross_entropy(logits, target.long(), reduction=self.reduction)
        per_row = -(target * F.log_softmax(logits, dim=1)).sum(dim=1)
        if self.reduction == "none":
            return per_row
        return per_row.sum() if self.reduction == "sum" else per_row.mean()
