"""
Classic mixup vs k-mixup on concentric rings
============================================

Classic mixup mixes random pairs of a class: on a ring the segments are
chords that cut through the middle, so synthetic rows leave the ring. k-mixup
matches random 16-row blocks of the class by optimal transport; matched
partners are neighbours along the ring and synthetic rows stay on it.

Top row: the pairs each method mixes (a sample of 150). Bottom row: the
synthetic rows of :class:`skmixup.KMixupResampler` with ``k=1`` (classic)
and ``k=16``.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

from skmixup import KMixupResampler
from skmixup.datasets import make_rings
from skmixup.pairing import OTBlockPairing

X, y = make_rings(600, n_rings=2, noise=0.03, random_state=0)
rng = np.random.default_rng(0)

# One colour per class, used for the points and named in the legends.
colours = {0: "tab:blue", 1: "tab:red"}

fig, axes = plt.subplots(2, 2, figsize=(10, 10), sharex=True, sharey=True)
for column, k in enumerate([1, 16]):
    ax = axes[0, column]
    segments = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        anchors, partners = OTBlockPairing(k).pair(X, members, 75, rng)
        segments.extend(zip(X[anchors], X[partners]))
        ax.scatter(*X[members].T, color=colours[label], s=6, label=f"class {label}")
    ax.add_collection(LineCollection(segments, colors="black", linewidths=0.6, alpha=0.6))
    ax.plot([], [], color="black", linewidth=0.6, label="pair mixed")
    ax.set_title(f"pairs mixed, k = {k}")
    ax.legend(loc="upper right")

    resampler = KMixupResampler(k=k, alpha=1.0, factor=1.0, synthetic_only=True, random_state=0)
    X_new, y_new = resampler.fit_resample(X, y)
    off_ring = np.mean(np.abs(np.hypot(*X_new.T) - (y_new + 1.0)))
    ax = axes[1, column]
    ax.scatter(*X.T, color="lightgrey", s=6, label="original rows")
    for label, colour in colours.items():
        new = X_new[y_new == label]
        ax.scatter(*new.T, color=colour, s=6, label=f"synthetic, class {label}")
    ax.set_title(f"synthetic rows, k = {k}: mean distance to ring {off_ring:.3f}")
    ax.legend(loc="upper right")
for ax in axes.ravel():
    ax.set_aspect("equal")
fig.tight_layout()
plt.show()
