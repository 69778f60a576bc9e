"""
A small CNN on digit images: ERM, classic mixup and k-mixup
===========================================================

:class:`skmixup.MixupNeuralNetClassifier` takes rows of any shape: here
scikit-learn's 8 x 8 digits as ``(n, 1, 8, 8)`` images, trained by a small
convolutional network (a torch module you write, passed as ``module``).
Each training batch is mixed on the training device as flat vectors:

- ERM: no mixing (``mixer=None``);
- classic mixup: random pairs of the batch, ``Beta(1, 1)`` weights, soft labels;
- k-mixup: rows matched by optimal transport inside blocks of 16 rows of the
  batch (the distance of two images is the Euclidean distance of their
  pixels), same weights.

Each setting is trained with several seeds on a fixed split; the figure
shows the test error of every seed and their mean with its standard error,
and a few mixed images of one training batch. On a data set this small and
a training this short, the three are close: the point of the example is the
workflow (images in, a seed that fixes the whole fit, the mixed batch one can
inspect), not a benchmark.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skmixup import KMixupResampler, MixupNeuralNetClassifier

torch.set_num_threads(1)  # tiny network: one thread is fastest


class SmallCNN(torch.nn.Module):
    """Two convolutions and a linear head; returns logits for 10 classes."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.Conv2d(16, 32, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
        )
        self.head = torch.nn.Linear(32 * 4 * 4, 10)

    def forward(self, X):
        return self.head(self.features(X).flatten(1))


digits = load_digits()
images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]  # (n, 1, 8, 8)
X_train, X_test, y_train, y_test = train_test_split(
    images, digits.target, test_size=0.5, stratify=digits.target, random_state=0
)
settings = {
    "ERM": None,
    "classic mixup": KMixupResampler(k=1, alpha=1.0),
    "k-mixup (k = 16)": KMixupResampler(k=16, alpha=1.0),
}
seeds = range(3)

errors = {}
for name, mixer in settings.items():
    errors[name] = []
    for seed in seeds:
        clf = MixupNeuralNetClassifier(
            SmallCNN, mixer=mixer, lr=3e-3, max_epochs=12, batch_size=64, random_state=seed
        ).fit(X_train, y_train)
        errors[name].append(1.0 - clf.score(X_test, y_test))
    mean, sem = np.mean(errors[name]), np.std(errors[name], ddof=1) / np.sqrt(len(seeds))
    print(f"{name:18s} test error {100 * mean:.2f}% +/- {100 * sem:.2f}% (mean +/- s.e.)")

# %%
# The mixed images of one batch, as the network saw them (k-mixup, seed 0).
clf = MixupNeuralNetClassifier(
    SmallCNN,
    mixer=settings["k-mixup (k = 16)"],
    lr=3e-3,
    max_epochs=1,
    batch_size=64,
    random_state=0,
    iterator_train__shuffle=False,
).fit(X_train[:64], y_train[:64])
mixer = clf.net_.batch_mixer
mixed, soft_labels = mixer(torch.from_numpy(X_train[:64]), torch.from_numpy(y_train[:64]))
plan = mixer.last_plan_

fig = plt.figure(figsize=(10, 4.2))
grid = fig.add_gridspec(3, 7, width_ratios=[3.2, 0.4, 1, 1, 1, 1, 1])
ax = fig.add_subplot(grid[:, 0])
for position, name in enumerate(settings):
    values = 100 * np.asarray(errors[name])
    ax.scatter(np.full(len(values), position), values, color="grey", s=18, zorder=2)
    mean, sem = values.mean(), values.std(ddof=1) / np.sqrt(len(values))
    ax.errorbar(position, mean, yerr=sem, fmt="o", color="C3", capsize=5, zorder=3)
ax.set_xticks(range(len(settings)), list(settings), rotation=15)
ax.set_ylabel("test error (%)")
ax.set_title("seeds (grey), mean +/- s.e. (red)")
for column in range(5):
    row = column
    for line, (image, title) in enumerate(
        [
            (X_train[plan.anchors[row]], f"anchor ({y_train[plan.anchors[row]]})"),
            (X_train[plan.partners[row]], f"partner ({y_train[plan.partners[row]]})"),
            (mixed[row].numpy(), f"w = {float(plan.weights[row]):.2f}"),
        ]
    ):
        cell = fig.add_subplot(grid[line, column + 2])
        cell.imshow(image[0], cmap="gray_r", vmin=0, vmax=1)
        cell.set_title(title, fontsize=8)
        cell.set_axis_off()
fig.suptitle("A small CNN on 8 x 8 digits, with mixed images of one k-mixup batch")
fig.tight_layout()
plt.show()
