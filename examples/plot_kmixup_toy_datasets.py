"""
k-mixup on rings, bars and a swiss roll
=======================================

Classic mixup (``k = 1``) mixes random pairs of rows of a class; when a class
is a curved or disconnected set (a ring, two bars with a bar of the other
class between them, an arc of a spiral) the segment between two random rows
leaves it, and synthetic rows land where the class has no data, sometimes on
top of another class. k-mixup shuffles each class, cuts it into blocks of
``k`` rows and matches two blocks by optimal transport: the larger ``k``, the
closer the matched partners, and the closer the synthetic rows stay to the
data of their class.

For each data set (rows) and ``k`` in 1, 4 and 16 (columns), the upper panel
shows a sample of the pairs mixed (100 per panel, drawn within the classes
with :class:`skmixup.pairing.OTBlockPairing`) and the lower panel the
synthetic rows of :class:`skmixup.KMixupResampler` (``alpha=1``, as many
synthetic rows as originals) over the original rows in grey. Each lower
title gives the mean distance from a synthetic row to the nearest original
row of its class: it falls as ``k`` grows.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from sklearn.neighbors import NearestNeighbors

from skmixup import KMixupResampler
from skmixup.datasets import make_bars, make_rings, make_swiss_roll_2d
from skmixup.pairing import OTBlockPairing

datasets = {
    "rings": make_rings(600, n_rings=2, noise=0.03, random_state=0),
    "bars": make_bars(600, n_bars=4, n_classes=2, noise=0.03, random_state=0),
    "swiss roll": make_swiss_roll_2d(600, n_classes=2, noise=0.1, random_state=0),
}
ks = [1, 4, 16]
n_pairs_shown = 100


def distance_to_class(X, y, X_new, y_new):
    """Mean distance of each synthetic row to the nearest original row of its class."""
    distances = np.empty(len(X_new))
    for label in np.unique(y):
        new = y_new == label
        neighbours = NearestNeighbors(n_neighbors=1).fit(X[y == label])
        distances[new] = neighbours.kneighbors(X_new[new])[0][:, 0]
    return distances.mean()


fig, axes = plt.subplots(2 * len(datasets), len(ks), figsize=(11, 21))
print("mean distance of synthetic rows to the nearest original row of their class")
for row, (name, (X, y)) in enumerate(datasets.items()):
    rng = np.random.default_rng(0)
    labels = np.unique(y)
    for column, k in enumerate(ks):
        # Pairs: a sample of the within-class matching, split evenly among classes.
        segments = []
        for label in labels:
            members = np.flatnonzero(y == label)
            anchors, partners = OTBlockPairing(k).pair(
                X, members, n_pairs_shown // len(labels), rng
            )
            segments.extend(zip(X[anchors], X[partners]))
        ax = axes[2 * row, column]
        ax.scatter(*X.T, c=y, s=5, cmap="coolwarm")
        ax.add_collection(LineCollection(segments, colors="black", linewidths=0.6, alpha=0.7))
        ax.set_title(f"{name}: pairs mixed, k = {k}")

        # Synthetic rows: as many as originals, per class.
        resampler = KMixupResampler(k=k, alpha=1.0, factor=1.0, synthetic_only=True, random_state=0)
        X_new, y_new = resampler.fit_resample(X, y)
        distance = distance_to_class(X, y, X_new, y_new)
        print(f"  {name:10s} k = {k:2d}: {distance:.3f}")
        ax = axes[2 * row + 1, column]
        ax.scatter(*X.T, c="lightgrey", s=5)
        ax.scatter(*X_new.T, c=y_new, s=5, cmap="coolwarm")
        ax.set_title(f"{name}: synthetic, k = {k}\nmean distance to class {distance:.3f}")
    # Same limits for the panels of one data set.
    for ax in axes[2 * row : 2 * row + 2].ravel():
        ax.set_xlim(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5)
        ax.set_ylim(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5)
        ax.set_aspect("equal")
fig.suptitle(
    "upper panels: pairs mixed within each class\n"
    "lower panels: synthetic rows (colour: class) over the original rows (grey)"
)
fig.tight_layout(rect=(0, 0, 1, 0.98))
plt.show()
