"""
A small CNN on digit images: mixing methods, test error and calibration
=======================================================================

:class:`skmixup.MixupNeuralNetClassifier` takes rows of any shape: here
scikit-learn's 8 x 8 digits as ``(n, 1, 8, 8)`` images, trained by a small
convolutional network (a torch module you write, passed as ``module``).
Each training batch is mixed on the training device:

- ERM: no mixing (``mixer=None``);
- mixup: random pairs of the batch, ``Beta(1, 1)`` weights, soft labels;
- k-mixup: rows matched by optimal transport inside blocks of 16 rows of the
  batch (Euclidean distance of the pixels), same weights;
- CutMix: a box of the partner's pixels pasted into each image, the label
  weight being the share of pixels the image keeps (``operator="cutmix"``
  of :class:`~skmixup.neural_net.BatchMixer`, through the plain skorch route);
- manifold mixup: ``mix_layers=["input", "block1", "block2"]`` mixes each
  batch at one of the input, the first block's or the second block's output,
  drawn uniformly;
- k-manifold mixup: k-mixup matching (k = 16) at the input or after the
  first block, a coin flip per batch (the k-mixup paper's setting);
- within-class EpBeta: pairs inside each class with structure-preserving
  weights (labels stay hard).

Each method is trained with several seeds on a fixed split. Besides the test
error, the figure shows calibration: the expected calibration error (ECE)
and a reliability diagram per method (accuracy against confidence; the
diagonal is perfect calibration). Temperature scaling, one scalar fitted on a
held-out calibration split, is applied after training to show how much of
the miscalibration a post-hoc fix removes. On data this small and a training
this short, the errors are close; the calibration is not: networks trained
on soft mixed labels come out underconfident (their reliability curve lies
above the diagonal).
"""

import inspect

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.optimize import minimize_scalar
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from skorch import NeuralNetClassifier

from skmixup import EpBetaMixupResampler, KMixupResampler, MixupNeuralNetClassifier
from skmixup.metrics import calibration_bins, expected_calibration_error
from skmixup.neural_net import BatchMixer, MixupMixin
from skmixup.pairing import RandomPairing
from skmixup.weights import Beta

torch.set_num_threads(1)  # tiny network: one thread is fastest


class SmallCNN(torch.nn.Module):
    """Two convolution blocks and a linear head; returns logits for 10 classes."""

    def __init__(self):
        super().__init__()
        self.block1 = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU())
        self.block2 = torch.nn.Sequential(
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2)
        )
        self.head = torch.nn.Linear(32 * 4 * 4, 10)

    def forward(self, X):
        return self.head(self.block2(self.block1(X)).flatten(1))


digits = load_digits()
images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]  # (n, 1, 8, 8)
X_train, X_test, y_train, y_test = train_test_split(
    images, digits.target, test_size=0.5, stratify=digits.target, random_state=0
)
# a quarter of the training half is held out to fit the temperature
X_train, X_cal, y_train, y_cal = train_test_split(
    X_train, y_train, test_size=0.25, stratify=y_train, random_state=0
)
TRAINING = {"lr": 3e-3, "max_epochs": 10, "batch_size": 64}


def estimator(mixer=None, **params):
    def fit(seed):
        clf = MixupNeuralNetClassifier(SmallCNN, mixer=mixer, random_state=seed, **TRAINING)
        return clf.set_params(**params).fit(X_train, y_train)

    return fit


class CutMixNet(MixupMixin, NeuralNetClassifier):
    """The plain skorch route: any skorch net, a BatchMixer of your choice."""


def cutmix(seed):
    torch.manual_seed(seed)
    mixer = BatchMixer(
        Beta(1.0), RandomPairing(), n_classes=10, random_state=seed, operator="cutmix"
    )
    net = CutMixNet(
        SmallCNN,
        criterion=torch.nn.CrossEntropyLoss,  # takes soft labels; predict_proba is a softmax
        batch_mixer=mixer,
        optimizer=torch.optim.Adam,
        train_split=None,
        verbose=0,
        iterator_train__shuffle=True,
        **TRAINING,
    )
    return net.fit(X_train, y_train.astype(np.int64))


methods = {
    "ERM": estimator(),
    "mixup": estimator(KMixupResampler(k=1, alpha=1.0)),
    "k-mixup (k=16)": estimator(KMixupResampler(k=16, alpha=1.0)),
    "CutMix": cutmix,
    "manifold mixup": estimator(
        KMixupResampler(k=1, alpha=1.0), mix_layers=["input", "block1", "block2"]
    ),
    "k-manifold (k=16)": estimator(
        KMixupResampler(k=16, alpha=1.0), mix_layers=["input", "block1"]
    ),
    "within-class EpBeta": estimator(EpBetaMixupResampler(), within_class=True),
}
if "operator" not in inspect.signature(BatchMixer).parameters:
    print("CutMix skipped: this version of BatchMixer has no `operator`.")
    del methods["CutMix"]
seeds = range(3)


def temperature(logits, y):
    """The temperature minimising the negative log-likelihood of held-out rows."""

    def nll(log_t):
        scaled = torch.log_softmax(torch.from_numpy(logits) / np.exp(log_t), dim=1)
        return -float(scaled[np.arange(len(y)), y].mean())

    return float(np.exp(minimize_scalar(nll, bounds=(-3, 3), method="bounded").x))


def softmax(logits):
    return torch.softmax(torch.from_numpy(logits), dim=1).numpy()


results = {}
for name, fit in methods.items():
    runs = []
    for seed in seeds:
        clf = fit(seed)
        # log-probabilities are logits up to a constant per row
        logits_test = np.log(np.clip(clf.predict_proba(X_test), 1e-12, None))
        logits_cal = np.log(np.clip(clf.predict_proba(X_cal), 1e-12, None))
        t = temperature(logits_cal, y_cal)
        proba, proba_scaled = softmax(logits_test), softmax(logits_test / t)
        runs.append(
            {
                "error": np.mean(proba.argmax(1) != y_test),
                "ece": expected_calibration_error(y_test, proba),
                "ece_scaled": expected_calibration_error(y_test, proba_scaled),
                "temperature": t,
                "proba": proba,
            }
        )
    results[name] = runs

print(f"{'':20s} {'test error %':>14s} {'ECE %':>12s} {'ECE % at T':>12s} {'T':>10s}")
for name, runs in results.items():

    def spread(key, scale=100.0, runs=runs):
        values = scale * np.array([run[key] for run in runs])
        return f"{values.mean():.2f} +- {values.std(ddof=1):.2f}"

    print(
        f"{name:20s} {spread('error'):>14s} {spread('ece'):>12s} {spread('ece_scaled'):>12s} "
        f"{spread('temperature', 1.0):>10s}"
    )

# %%
# Test error and ECE of every seed (grey) with their mean and standard
# deviation (red); ECE before and after temperature scaling.
fig, (ax_error, ax_ece) = plt.subplots(1, 2, figsize=(11, 4))
names = list(results)
for position, name in enumerate(names):
    for ax, key, colour in [(ax_error, "error", "C3"), (ax_ece, "ece", "C3")]:
        values = 100 * np.array([run[key] for run in results[name]])
        ax.scatter(np.full(len(values), position), values, color="grey", s=14, zorder=2)
        ax.errorbar(
            position,
            values.mean(),
            yerr=values.std(ddof=1),
            fmt="o",
            color=colour,
            capsize=4,
            zorder=3,
        )
    scaled = 100 * np.array([run["ece_scaled"] for run in results[name]])
    ax_ece.errorbar(
        position + 0.25,
        scaled.mean(),
        yerr=scaled.std(ddof=1),
        fmt="s",
        color="C0",
        capsize=4,
        label="after temperature scaling" if not position else None,
    )
for ax, label in [(ax_error, "test error (%)"), (ax_ece, "expected calibration error (%)")]:
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_ylabel(label)
ax_ece.legend()
fig.suptitle(f"A small CNN on 8 x 8 digits, {len(seeds)} seeds per method")
fig.tight_layout()

# %%
# Reliability diagrams, the test predictions of all seeds pooled: the share
# of right answers in each confidence bin against the bin's mean confidence.
# Points above the diagonal are underconfident.
fig, axes = plt.subplots(1, len(names), figsize=(2.3 * len(names), 2.8), sharey=True)
for ax, name in zip(axes, names):
    proba = np.concatenate([run["proba"] for run in results[name]])
    bins = calibration_bins(np.tile(y_test, len(seeds)), proba, n_bins=10)
    filled = bins.counts > 0
    ax.plot([0, 1], [0, 1], color="grey", lw=1)
    ax.bar(
        bins.edges[:-1][filled],
        bins.accuracy[filled],
        width=0.1,
        align="edge",
        color="C0",
        alpha=0.6,
        edgecolor="C0",
    )
    ax.plot(bins.confidence[filled], bins.accuracy[filled], "o-", color="C3", ms=3)
    ax.set_title(
        f"{name}\nECE {100 * expected_calibration_error(np.tile(y_test, len(seeds)), proba):.1f}%",
        fontsize=8,
    )
    ax.set_xlabel("confidence")
axes[0].set_ylabel("accuracy")
fig.tight_layout()
plt.show()
