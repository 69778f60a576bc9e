"""
Will mixup hurt? Where mixed points land on other classes
=========================================================

Mixup trains on mixed points ``w x_i + (1 - w) x_j`` labelled with the
classes of the two rows. When a mixed point lands next to a row of a class it
was not made from, the network is asked for two labels at almost the same
input (Chidambaram et al., ICLR 2022). :func:`skmixup.metrics.mixup_conflicts`
draws one epoch of mixed points as training would (batches of 128 rows,
pairs across classes) and measures, for each, the distance to the nearest
row of a class it was not mixed from; a *conflict* is a mixed point closer
than half the typical gap between classes (``threshold=0.5`` times the median
distance from a row to its nearest row of another class).

With two classes only pairs of one class can conflict, and they do when the
segment between the two rows crosses the other class:

* on the **alternating line** (:func:`skmixup.datasets.make_alternating_line`)
  every pair of one class two apart has a point of the other class in its
  middle, whatever the pairing: k-mixup's nearest partners of the same class
  are exactly those;
* on **two moons** and a **two-arm spiral**, random partners of one class
  (classic mixup, ``k = 1``) often lie on different turns, and their
  segment crosses the other class; k-mixup matches partners by optimal
  transport inside blocks of ``k`` rows of a batch, so partners are near
  neighbours, mixed points stay on their arm and conflicts become rare as
  ``k`` grows.

In each panel the rows are coloured by class, the mixed points are grey and
the conflicting ones are black crosses; the title gives the share of
conflicts and the smallest distance relative to the gap between classes.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons

from skmixup import KMixupResampler
from skmixup.datasets import make_alternating_line
from skmixup.metrics import mixup_conflicts


def make_two_arm_spiral(n_samples, noise, random_state):
    """Two interleaved arms ``r = t``, the second turned by half a turn."""
    rng = np.random.default_rng(random_state)
    t = rng.uniform(np.pi, 4 * np.pi, n_samples)
    arm = np.arange(n_samples) % 2
    X = np.column_stack([t * np.cos(t), t * np.sin(t)]) * np.where(arm == 0, 1, -1)[:, None]
    return X + noise * rng.standard_normal(X.shape), arm


X_line, y_line = make_alternating_line(40)
datasets = {
    "alternating line": (X_line, y_line),
    "two moons": make_moons(400, noise=0.1, random_state=0),
    "two-arm spiral": make_two_arm_spiral(400, 0.2, random_state=0),
}
ks = [1, 4, 16]

fig, axes = plt.subplots(len(datasets), len(ks), figsize=(12, 11), layout="constrained")
print(f"{'data':18s} {'k':>3s} {'conflicts':>10s} {'min / gap':>10s} {'within class':>13s}")
for row, (name, (X, y)) in enumerate(datasets.items()):
    for column, k in enumerate(ks):
        mixer = KMixupResampler(k=k, alpha=1.0)
        result = mixup_conflicts(X, y, mixer, advise=False, random_state=0)
        within = mixup_conflicts(X, y, mixer, within_class=True, advise=False, random_state=0)
        print(
            f"{name:18s} {k:3d} {result.conflict_fraction:10.1%} "
            f"{result.min_distance / result.scale:10.3f} {within.conflict_fraction:13.1%}"
        )
        mixed = result.mixed_points(X)
        conflict = result.is_conflict
        ax = axes[row, column]
        if X.shape[1] == 1:
            # One dimension: spread the points vertically to see them.
            jitter = np.random.default_rng(0).uniform(-1, 1, mixed.shape[0])
            X_plot = np.column_stack([X[:, 0], np.zeros(X.shape[0])])
            mixed = np.column_stack([mixed[:, 0], 0.3 + 0.2 * jitter])
            ax.set_ylim(-0.4, 0.7)
            ax.set_yticks([])
        else:
            X_plot = X
        ax.scatter(*mixed[~conflict].T, s=6, c="0.7", label="mixed")
        for label, colour in [(0, "tab:blue"), (1, "tab:orange")]:
            ax.scatter(*X_plot[y == label].T, s=10, c=colour, label=f"class {label}")
        ax.scatter(*mixed[conflict].T, s=22, c="black", marker="x", label="conflict")
        title = "classic mixup (k = 1)" if k == 1 else f"k-mixup, k = {k}"
        ax.set_title(
            f"{name}, {title}\nconflicts {result.conflict_fraction:.1%}, "
            f"min distance {result.min_distance / result.scale:.2f} x gap",
            fontsize="medium",
        )
axes[0, 0].legend(loc="upper left", fontsize="small", ncols=2)
plt.show()
