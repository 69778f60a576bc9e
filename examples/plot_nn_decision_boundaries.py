"""
Decision boundaries of networks trained with and without mixup
==============================================================

:class:`skmixup.neural_net.MixupNeuralNetClassifier` trains the same MLP on
two interleaved half moons with no mixup, classic mixup (random partners,
``alpha = 1``) and k-mixup (partners matched within blocks of 16 rows). Mixup
smooths the boundary between the classes; the colour is the predicted
probability of the second class.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

from skmixup import KMixupResampler
from skmixup.neural_net import MixupNeuralNetClassifier

X, y = make_moons(400, noise=0.2, random_state=0)
X = StandardScaler().fit_transform(X)
settings = {
    "no mixup": None,
    "mixup (k = 1)": KMixupResampler(k=1, alpha=1.0),
    "k-mixup (k = 16)": KMixupResampler(k=16, alpha=1.0),
}
grid_x, grid_y = np.meshgrid(np.linspace(-2.5, 2.5, 150), np.linspace(-2.5, 2.5, 150))
grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])

fig, axes = plt.subplots(1, 3, figsize=(13, 4.3), sharey=True)
for ax, (name, mixer) in zip(axes, settings.items()):
    clf = MixupNeuralNetClassifier(
        mixer=mixer,
        hidden_layer_sizes=(64, 64),
        lr=0.01,
        max_epochs=150,
        batch_size=64,
        random_state=0,
    ).fit(X, y)
    proba = clf.predict_proba(grid)[:, 1].reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
    ax.scatter(*X.T, c=y, cmap="RdBu_r", edgecolor="white", linewidth=0.4, s=16)
    accuracy = clf.score(X, y)
    ax.set_title(f"{name}: train accuracy {accuracy:.3f}")
    print(f"{name:>18}: train accuracy {accuracy:.3f}")
fig.tight_layout()
fig.savefig("nn_decision_boundaries.png", dpi=80)
print("wrote nn_decision_boundaries.png")
