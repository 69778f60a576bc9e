"""
When not to mix across classes: points on a line with alternating classes
=========================================================================

Ten points ``0, 1, ..., 9`` lie on a line and their classes alternate
(:func:`skmixup.datasets.make_alternating_line`). A network trained on the
points themselves fits all of them. A network trained with classic mixup
across classes does not: with ``Beta(alpha, alpha)`` weights and a large
``alpha`` nearly every mixed row lies close to the midpoint of its pair, and
the midpoints of pairs fall on the points themselves and halfway between
them. Point 4, for instance, is the midpoint of points 3 and 5 and of 1 and 7,
of the other class, and of 2 and 6 and of 0 and 8, of its own class; the
rows mixed halfway between two neighbours carry the soft label ``(1/2, 1/2)``.
The mixed training data thus hold both classes, in similar proportions, all
along the middle of the line, and the networks learn a probability near 1/2
there: with ``alpha`` of 0.5, 2 or 8 they classify only 5 to 7 of the 10
points correctly.

Mixing within classes (``within_class=True``) does not help: the two ends of
a same-class pair ``i``, ``i + 2`` sandwich point ``i + 1`` of the other
class, and the mixed rows near it carry the hard label of the wrong class.
k-mixup does not help either: on this line a point's nearest neighbours are
of the other class (with ``alpha = 8``, ``k = 2`` and ``k = 10`` fitted 5 or 6
of the 10 points in our runs).

What to do instead: train without mixing when classes interleave at the
scale of the distances between rows, or keep ``alpha`` small so that most
weights are close to 0 or 1. A small ``alpha`` is not a guarantee: here
``alpha = 0.1`` fits 9 of the 10 points (seeds other than 0 give 8 to 10).
Check the training accuracy.

Each panel shows the probability of class 1 along the line (the inputs are
standardised inside a pipeline) and the ten training points, with the
training accuracy in the title.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmixup import KMixupResampler
from skmixup.datasets import make_alternating_line
from skmixup.neural_net import MixupNeuralNetClassifier

# The networks are tiny: one thread is faster than several, above all on a busy machine.
torch.set_num_threads(1)

X, y = make_alternating_line(10)
settings = {"no mixup": (None, False)}
for alpha in [0.1, 0.5, 2.0, 8.0]:
    settings[f"cross-class mixup, alpha = {alpha:g}"] = (KMixupResampler(k=1, alpha=alpha), False)
settings["within-class mixup, alpha = 8"] = (KMixupResampler(k=1, alpha=8.0), True)

line = np.linspace(-0.5, 9.5, 500)[:, None]
fig, axes = plt.subplots(3, 2, figsize=(12, 9), sharex=True, sharey=True, layout="constrained")
for ax, (name, (mixer, within_class)) in zip(axes.ravel(), settings.items()):
    model = make_pipeline(
        StandardScaler(),
        MixupNeuralNetClassifier(
            mixer=mixer,
            within_class=within_class,
            hidden_layer_sizes=(64, 64),
            lr=0.01,
            max_epochs=600,
            batch_size=-1,
            random_state=0,
        ),
    ).fit(X, y)
    accuracy = model.score(X, y)
    print(f"{name:34s} training accuracy {accuracy:.1f}")
    ax.plot(line[:, 0], model.predict_proba(line)[:, 1], color="black", label="P(class 1)")
    ax.axhline(0.5, color="grey", linestyle=":", linewidth=1)
    for label, colour in [(0, "tab:blue"), (1, "tab:red")]:
        ax.scatter(
            X[y == label, 0], y[y == label], s=50, c=colour, zorder=3, label=f"class {label}"
        )
    ax.set_title(f"{name}: training accuracy {accuracy:.1f}")
    ax.set_ylim(-0.08, 1.08)
axes[0, 0].legend(loc="center left", fontsize="small")
for ax in axes[-1]:
    ax.set_xlabel("position on the line")
for ax in axes[:, 0]:
    ax.set_ylabel("probability of class 1")
plt.show()
