"""Benchmark the cost of mixing batches in ``MixupNeuralNetClassifier`` against plain skorch.

The machine this runs on is shared and noisy, so absolute seconds mean
little; what the script reports are ratios of timings taken side by side in
one run. Inside each of the ``--repeats`` rounds every configuration is
trained epoch by epoch in turn with the others, so all of them see the
same load; the best round of each is kept.

Data
----
``sklearn.datasets.make_classification(n_samples=20000, n_features=64,
n_informative=32, n_classes=4, random_state=0)``, ``X`` cast to float32 and
``y`` to int64 (``--quick``: 4000 rows).

Network
-------
The same architecture everywhere: an MLP 64 -> 256 -> 256 -> 4 with ReLU
activations returning logits (:class:`skmixup.neural_net.MLP`), trained by
Adam with ``lr=1e-3`` on batches of 256 shuffled rows, without a validation
split, for ``--epochs`` epochs on ``--device``.

Configurations
--------------
plain skorch
    The reference: ``skorch.NeuralNetClassifier`` with
    ``criterion=torch.nn.CrossEntropyLoss``, ``train_split=None``,
    ``iterator_train__shuffle=True`` and ``verbose=0``.
no mixer
    ``MixupNeuralNetClassifier(mixer=None, hidden_layer_sizes=(256, 256),
    batch_size=256, lr=1e-3, train_split=None, random_state=0)``; the
    configurations below add a mixer to it.
Beta mixup
    ``KMixupResampler(k=1, alpha=0.4)``: random pairing of the batch,
    ``Beta(0.4, 0.4)`` weights, soft labels.
EpBeta within class
    ``EpBetaMixupResampler()`` with ``within_class=True``.
k-mixup k=16
    ``KMixupResampler(k=16, alpha=0.4)``: optimal-transport matching of
    16-row blocks of the batch.
multi-mix K=5
    ``MultiMixResampler(n_interpolations=5, alpha=0.4)``: the mixed batch
    has 5 times as many rows, so its ratio is also reported per processed
    row (divided by 5).

Timing
------
Every round builds each configuration afresh and trains them all epoch by
epoch in turn: epoch 1 of each, then epoch 2 of each, and so on (the order
rotates by one from an epoch to the next), so that epochs compared run
under the same load. skorch's nets are trained on by ``partial_fit``,
``MixupNeuralNetClassifier`` by refitting with ``warm_start=True``; either
way the epochs pile up in one skorch history. Each refit seeds again from
``random_state=0``, so the epochs of one configuration repeat the same
batch order and mixing draws; that is the same amount of work as fresh
draws, and the refit's own checks of the data and the mixer run outside
the timed ``'dur'``. Seconds per epoch is the median of the per-epoch
``'dur'``, leaving out the first epoch when there are at least 3
(warm-up); the best such median over the rounds is kept.

vs skorch
    Seconds per epoch over those of plain skorch (the goals apply to it).
vs no mixer
    Over those of ``MixupNeuralNetClassifier`` without a mixer: the cost
    of mixing alone.
per row
    multi-mix's ratio to plain skorch divided by 5, its rows per batch row.
spread
    Slowest round over fastest round of the configuration: how much the
    load of the machine moved its timing (1.00 with ``--repeats 1``). A
    large spread means some rounds ran under load (with 2 torch threads on
    2 busy cores an epoch can take 10-30 times longer); more ``--repeats``
    then give steadier ratios.

Goals: at most 1.10x for random pairing (Beta mixup, EpBeta within class)
and at most 1.25x for k-mixup with ``k = 16``.

Examples
--------
::

    python benchmarks/bench_neural_net.py
    python benchmarks/bench_neural_net.py --quick --epochs 2 --repeats 1
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time

import numpy as np
import skorch
import torch
from _common import cpu_line, format_cells
from sklearn.datasets import make_classification

import skmixup
from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler
from skmixup.neural_net import MLP, MixupNeuralNetClassifier

N_ROWS = 20_000
QUICK_N_ROWS = 4_000
N_FEATURES = 64
N_INFORMATIVE = 32
N_CLASSES = 4
HIDDEN = (256, 256)
BATCH_SIZE = 256
LR = 1e-3
ALPHA = 0.4
N_INTERPOLATIONS = 5
N_THREADS = 2
RANDOM_PAIRING_GOAL = 1.10
KMIXUP_GOAL = 1.25

REFERENCE = "plain skorch"
NO_MIXER = "no mixer"
# (label, keyword arguments of MixupNeuralNetClassifier, rows per batch row)
MIXUP_CONFIGS = (
    (NO_MIXER, {"mixer": None}, 1),  # explicit: the estimators mix by default
    ("Beta mixup (k=1)", {"mixer": KMixupResampler(k=1, alpha=ALPHA)}, 1),
    ("EpBeta within class", {"mixer": EpBetaMixupResampler(), "within_class": True}, 1),
    ("k-mixup k=16", {"mixer": KMixupResampler(k=16, alpha=ALPHA)}, 1),
    (
        f"multi-mix K={N_INTERPOLATIONS}",
        {"mixer": MultiMixResampler(n_interpolations=N_INTERPOLATIONS, alpha=ALPHA)},
        N_INTERPOLATIONS,
    ),
)
RANDOM_PAIRING = ("Beta mixup (k=1)", "EpBeta within class")
KMIXUP = "k-mixup k=16"


def make_data(n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The classification data: float32 ``X`` and int64 ``y``."""
    X, y = make_classification(
        n_samples=n_rows,
        n_features=N_FEATURES,
        n_informative=N_INFORMATIVE,
        n_classes=N_CLASSES,
        random_state=0,
    )
    return X.astype(np.float32), y.astype(np.int64)


class PlainSkorch:
    """The reference ``skorch.NeuralNetClassifier``, trained one epoch per call."""

    def __init__(self, X, y, device: str):
        self.X, self.y, self.device = X, y, device
        self.net = None

    def epoch(self) -> None:
        """Train one more epoch (the first call builds and fits the net)."""
        if self.net is None:
            torch.manual_seed(0)
            self.net = skorch.NeuralNetClassifier(
                module=MLP,
                module__n_features=self.X.shape[1],
                module__n_outputs=N_CLASSES,
                module__hidden_layer_sizes=HIDDEN,
                criterion=torch.nn.CrossEntropyLoss,
                optimizer=torch.optim.Adam,
                lr=LR,
                max_epochs=1,
                batch_size=BATCH_SIZE,
                train_split=None,
                iterator_train__shuffle=True,
                verbose=0,
                device=self.device,
            )
            self.net.fit(self.X, self.y)
        else:
            self.net.partial_fit(self.X, self.y)

    @property
    def history(self):
        return self.net.history


class Mixup:
    """One ``MixupNeuralNetClassifier`` configuration, trained one epoch per call.

    The first call fits a fresh network for one epoch; the next ones refit
    it with ``warm_start=True``, which trains one more epoch on mixed
    batches and appends it to the same skorch history.
    """

    def __init__(self, X, y, device: str, params: dict):
        self.X, self.y = X, y
        self.clf = MixupNeuralNetClassifier(
            hidden_layer_sizes=HIDDEN,
            batch_size=BATCH_SIZE,
            lr=LR,
            max_epochs=1,
            train_split=None,
            device=device,
            random_state=0,
            **params,
        )

    def epoch(self) -> None:
        """Train one more epoch."""
        self.clf.fit(self.X, self.y)
        self.clf.set_params(warm_start=True)

    @property
    def history(self):
        return self.clf.history_


def seconds_per_epoch(history) -> float:
    """Median of the per-epoch ``'dur'``, without the first epoch when there are >= 3."""
    durations = list(history[:, "dur"])
    if len(durations) >= 3:
        durations = durations[1:]
    return statistics.median(durations)


def seconds_per_epoch_by_round(factories: dict, epochs: int, repeats: int) -> dict:
    """Seconds per epoch of every configuration in each of ``repeats`` rounds.

    Each round builds every configuration afresh and trains them all epoch
    by epoch in turn (epoch 1 of each, then epoch 2 of each, ...), so
    epochs compared see the same load; the order rotates by one from an
    epoch to the next.
    """
    labels = list(factories)
    by_round = {label: [] for label in labels}
    for round_index in range(repeats):
        runs = {label: factory() for label, factory in factories.items()}
        for epoch in range(epochs):
            shift = (round_index + epoch) % len(labels)
            for label in labels[shift:] + labels[:shift]:
                gc.collect()
                runs[label].epoch()
        for label, run in runs.items():
            history = run.history
            if len(history) != epochs:
                raise RuntimeError(f"{label}: {len(history)} epochs recorded, not {epochs}")
            by_round[label].append(seconds_per_epoch(history))
        del runs
        print(f"  round {round_index + 1}/{repeats} done")
        sys.stdout.flush()
    return by_round


COLUMNS = (
    ("configuration", 22),
    ("s/epoch", 8),
    ("vs skorch", 9),
    ("vs no mixer", 11),
    ("per row", 8),
    ("goal", 7),
    ("result", 7),
    ("spread", 6),
)


def print_header(args, n_rows: int) -> None:
    """Print versions, CPUs, threads and the settings of the run."""
    print("skmixup neural-net benchmark" + (" (--quick)" if args.quick else ""))
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
        f"skorch {skorch.__version__}, skmixup {skmixup.__version__}"
    )
    print(cpu_line())
    print(f"torch threads: {torch.get_num_threads()}, device: {args.device}")
    n_batches = -(-n_rows // BATCH_SIZE)
    print(
        f"data: {n_rows:,} x {N_FEATURES} float32, {N_CLASSES} classes; MLP {N_FEATURES} -> "
        f"{' -> '.join(map(str, HIDDEN))} -> {N_CLASSES}, Adam lr={LR:g}, "
        f"batch {BATCH_SIZE} ({n_batches} batches/epoch)"
    )
    skipped = "first epoch left out" if args.epochs >= 3 else "all epochs"
    print(
        f"timings: {args.epochs} epochs per fit, median of skorch 'dur' ({skipped}), "
        f"best of {args.repeats} rounds, configurations interleaved epoch by epoch"
    )
    print()


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per fit (default: 3)")
    parser.add_argument(
        "--repeats", type=int, default=2, help="rounds of fits, best kept (default: 2)"
    )
    parser.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_N_ROWS} rows instead of {N_ROWS:,}"
    )
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv=None) -> None:
    """Time every configuration and print the table and the goals."""
    args = parse_args(argv)
    start = time.perf_counter()
    torch.set_num_threads(N_THREADS)
    n_rows = QUICK_N_ROWS if args.quick else N_ROWS
    print_header(args, n_rows)
    X, y = make_data(n_rows)

    factories = {REFERENCE: lambda: PlainSkorch(X, y, args.device)}
    for label, params, _ in MIXUP_CONFIGS:
        factories[label] = lambda params=params: Mixup(X, y, args.device, params)
    by_round = seconds_per_epoch_by_round(factories, args.epochs, args.repeats)
    best = {label: min(times) for label, times in by_round.items()}
    spread = {label: max(times) / min(times) for label, times in by_round.items()}
    print()

    goals = dict.fromkeys(RANDOM_PAIRING, RANDOM_PAIRING_GOAL)
    goals[KMIXUP] = KMIXUP_GOAL
    header = format_cells([name for name, _ in COLUMNS], COLUMNS, left=1)
    print(header)
    print("-" * len(header))
    reference = best[REFERENCE]
    no_mixer = best[NO_MIXER]
    cells = (REFERENCE, f"{reference:.3f}", "1.00x", f"{reference / no_mixer:.2f}x")
    cells += ("", "", "", f"{spread[REFERENCE]:.2f}")
    print(format_cells(cells, COLUMNS, left=1))
    verdicts = {}
    for label, _, rows_per_row in MIXUP_CONFIGS:
        ratio = best[label] / reference
        per_row = f"{ratio / rows_per_row:.2f}x" if rows_per_row > 1 else ""
        goal, verdict = "", ""
        if label in goals:
            goal = f"<={goals[label]:.2f}x"
            verdicts[label] = ratio <= goals[label]
            verdict = "met" if verdicts[label] else "NOT met"
        cells = (
            label,
            f"{best[label]:.3f}",
            f"{ratio:.2f}x",
            f"{best[label] / no_mixer:.2f}x",
            per_row,
            goal,
            verdict,
            f"{spread[label]:.2f}",
        )
        print(format_cells(cells, COLUMNS, left=1))
    print()
    worst_random = max(best[label] / reference for label in RANDOM_PAIRING)
    met_random = all(verdicts[label] for label in RANDOM_PAIRING)
    print(
        f"goal: <= {RANDOM_PAIRING_GOAL:.2f}x for random pairing (Beta mixup, EpBeta within "
        f"class) (worst: {worst_random:.2f}x, {'met' if met_random else 'NOT met'})"
    )
    print(
        f"goal: <= {KMIXUP_GOAL:.2f}x for k = 16 ({best[KMIXUP] / reference:.2f}x, "
        f"{'met' if verdicts[KMIXUP] else 'NOT met'})"
    )
    print(f"total run time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
