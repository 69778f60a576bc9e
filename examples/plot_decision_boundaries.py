"""
Decision boundaries of networks trained with and without mixup
==============================================================

:class:`skmixup.neural_net.MixupNeuralNetClassifier` mixes every training
batch before the forward pass. Without a mixer the network is trained on the
rows themselves. With classic mixup (``KMixupResampler(k=1)``) random pairs of
the batch are mixed across classes, with soft labels: between the two rings
the network learns probabilities that change slowly from one class to the
other. k-mixup (``k=16``) mixes rows matched by optimal transport inside
blocks of 16 rows of the batch; matched partners are mostly neighbours on the
same ring (about a quarter of the pairs cross classes here, against half of
the random pairs), so most mixed rows keep a hard label and the boundary is
sharper than with classic mixup, though still smoother than without mixing.

The panels show the probability of the outer ring (class 1) on a grid, with
the training rows (inner ring white, outer ring black); the titles give the
training accuracy and the share of the plotted square where the network is
unsure (largest probability below 0.9).
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from skmixup import KMixupResampler
from skmixup.datasets import make_rings
from skmixup.neural_net import MixupNeuralNetClassifier

# The networks are tiny: one thread is faster than several, above all on a busy machine.
torch.set_num_threads(1)

X, y = make_rings(300, n_rings=2, noise=0.1, random_state=0)
settings = {
    "no mixup": None,
    "classic mixup (k = 1, alpha = 1)": KMixupResampler(k=1, alpha=1.0),
    "k-mixup (k = 16, alpha = 1)": KMixupResampler(k=16, alpha=1.0),
}

grid = np.linspace(-3, 3, 200)
xx, yy = np.meshgrid(grid, grid)
grid_rows = np.column_stack([xx.ravel(), yy.ravel()])

fig, axes = plt.subplots(1, 3, figsize=(14, 5), sharex=True, sharey=True, layout="constrained")
for ax, (name, mixer) in zip(axes, settings.items()):
    clf = MixupNeuralNetClassifier(
        mixer=mixer,
        hidden_layer_sizes=(64, 64),
        lr=0.01,
        max_epochs=100,
        batch_size=100,
        random_state=0,
    ).fit(X, y)
    accuracy = clf.score(X, y)
    proba = clf.predict_proba(grid_rows)
    unsure = np.mean(proba.max(axis=1) < 0.9)
    print(f"{name:34s} train accuracy {accuracy:.3f}, unsure area {unsure:.1%}")
    contours = ax.contourf(
        xx, yy, proba[:, 1].reshape(xx.shape), levels=np.linspace(0, 1, 11), cmap="RdBu_r"
    )
    for label, colour in [(0, "white"), (1, "black")]:
        ax.scatter(*X[y == label].T, s=10, c=colour, edgecolors="black", linewidths=0.5)
    ax.set_title(f"{name}\ntrain accuracy {accuracy:.3f}\nunsure area {unsure:.1%}")
    ax.set_aspect("equal")
fig.colorbar(contours, ax=axes, shrink=0.8, label="probability of class 1 (outer ring)")
plt.show()
