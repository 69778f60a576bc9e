"""
When cross-class mixup fails: the alternating line
==================================================

Ten points on a line with alternating classes. Mixing across classes with
weights concentrated near 1/2 (large ``alpha``) trains the network on
half-way points with soft labels near (1/2, 1/2) — and, because partners are
random, on points that land on top of other training points with labels
that contradict theirs. The mixup-optimal classifier then cannot separate
the points; plain training fits them all.

Mixing within classes does not help here (two points of one class
interpolate across the points of the other class). On such data use plain
training: in this run it is the only setting that fits every point; a small
``alpha`` (weights near 0 or 1, mixed rows close to a real row) hurts less
than a large one but still misclassifies some points.
"""

import matplotlib.pyplot as plt
import numpy as np

from skmixup import KMixupResampler
from skmixup.datasets import make_alternating_line
from skmixup.neural_net import MixupNeuralNetClassifier

X, y = make_alternating_line(10)
X = (X - X.mean()) / X.std()
line = np.linspace(X.min() - 0.2, X.max() + 0.2, 400)[:, None]
settings = {"plain training": None}
settings.update({f"mixup alpha = {a:g}": KMixupResampler(k=1, alpha=a) for a in [0.1, 0.5, 2, 8]})

fig, ax = plt.subplots(figsize=(9, 4.5))
for name, mixer in settings.items():
    clf = MixupNeuralNetClassifier(
        mixer=mixer,
        hidden_layer_sizes=(64, 64),
        lr=0.01,
        max_epochs=600,
        batch_size=-1,
        random_state=0,
    ).fit(X, y)
    accuracy = clf.score(X, y)
    print(f"{name:>18}: training accuracy {accuracy:.1f}")
    ax.plot(line[:, 0], clf.predict_proba(line)[:, 1], label=f"{name} (acc. {accuracy:.1f})")
ax.scatter(X[:, 0], y, c=y, cmap="coolwarm", edgecolor="k", zorder=3, label="training points")
ax.axhline(0.5, color="grey", lw=0.8)
ax.set(xlabel="position (standardised)", ylabel="P(class 1)", title="alternating classes")
ax.legend(fontsize=8, loc="center right")
fig.tight_layout()
fig.savefig("alternating_line_failure.png", dpi=80)
print("wrote alternating_line_failure.png")
