"""Mixing one image batch, and a small CNN's epochs, against their floors.

The machine this runs on is shared and noisy, so the script reports ratios
of timings taken side by side in one run: inside each round every
configuration runs once, in turn, and the best round of each is kept.
Threads are pinned (torch to ``--threads``, numpy's BLAS to one thread via
threadpoolctl) so that a busy machine cannot multiply a tiny product's cost.

Part 1: mixing one batch
------------------------
Batches of ``64 x 1 x 8 x 8`` and ``256 x 3 x 32 x 32`` float32 images with
10 classes, already on ``--device``. Each configuration mixes the rows and
the one-hot labels. Every configuration runs once per round, in turn, for
``--repeats`` rounds (interleaved), the best round kept; torch runs one
thread and numpy's BLAS one thread for the whole run.

floor (torch.lerp)
    ``torch.distributions.Beta(0.4, 0.4)`` weights, one per row, a
    ``torch.randperm`` partner, and ``torch.lerp`` of the rows and of the
    one-hot labels: what any training-time mixup pays.
floor (box paste)
    CutMix written plainly and vectorised: one ``Beta(1, 1)`` area share per
    row, a box of that share at a uniform centre, clipped, pasted from a
    ``torch.randperm`` partner by one ``torch.where`` over a broadcast mask;
    labels mixed by the pasted area.
random pairing
    ``BatchMixer`` of ``KMixupResampler(k=1, alpha=0.4)``: partner and
    weights drawn on the device from its own generator, one fused lerp
    for rows and one for labels.
k-mixup k=16
    ``KMixupResampler(k=16, alpha=0.4)``: optimal-transport matching of
    16-row blocks (costs on the device, the 16 x 16 blocks solved on the host).
multi-mix K=5
    ``MultiMixResampler(n_interpolations=5, alpha=0.4)``: five times as many
    rows out; also reported per output row.
CutMix
    ``BatchMixer(Beta(1.0), RandomPairing(), operator="cutmix")``; ``n/a``
    where this version's ``BatchMixer`` has no ``operator``.

Beside the times: torch ops dispatched per batch (kernel launches on a GPU)
and values read back to the host (each stalls a GPU stream), counted by
``tests/_op_counts.py``.

Goals: random pairing within 2.5x of the lerp floor at 64 x 1 x 8 x 8 and
1.3x at 256 x 3 x 32 x 32; CutMix within 2.5x / 1.5x of the box-paste floor;
k-mixup k = 16 within 3x of the lerp floor at 256 x 3 x 32 x 32.

With ``--load`` the whole table is measured a second time while one busy
process per core runs beside it, and the ratios of the two runs are
compared (goal: unchanged within 1.5x).

Part 2: seconds per epoch of a small CNN
----------------------------------------
``--epoch-rows`` random 3 x 32 x 32 images (10 classes), a two-layer CNN,
Adam, batches of 256, one epoch per call: plain ``skorch.NeuralNetClassifier``
against ``MixupNeuralNetClassifier`` with random pairing and with k = 16.

Goals: epochs within 1.10x (random pairing) and 1.25x (k = 16) of plain skorch.

Examples
--------
::

    python benchmarks/bench_batch_mixing.py
    python benchmarks/bench_batch_mixing.py --load
    python benchmarks/bench_batch_mixing.py --quick --repeats 1
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import sys
from pathlib import Path

import numpy as np
import skorch
import torch
from _common import best_times, cpu_line, format_cells
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import skmixup
from skmixup import KMixupResampler, MultiMixResampler
from skmixup.neural_net import BatchMixer, MixupNeuralNetClassifier  # noqa: E402
from skmixup.pairing import RandomPairing  # noqa: E402
from skmixup.weights import Beta  # noqa: E402
from tests._op_counts import count_ops  # noqa: E402

ALPHA = 0.4
CUTMIX_ALPHA = 1.0
N_CLASSES = 10
ROW_SHAPE = (3, 32, 32)
BATCH_SHAPES = ((64, 1, 8, 8), (256, 3, 32, 32))
LERP_FLOOR, BOX_FLOOR = "floor (torch.lerp)", "floor (box paste)"
# (configuration, batch shape) -> (goal, floor it is measured against)
MIXING_GOALS = {
    ("random pairing", (64, 1, 8, 8)): (2.5, LERP_FLOOR),
    ("random pairing", (256, 3, 32, 32)): (1.3, LERP_FLOOR),
    ("CutMix", (64, 1, 8, 8)): (2.5, BOX_FLOOR),
    ("CutMix", (256, 3, 32, 32)): (1.5, BOX_FLOOR),
    ("k-mixup k=16", (256, 3, 32, 32)): (3.0, LERP_FLOOR),
}
EPOCH_GOALS = {"random pairing": 1.10, "k-mixup k=16": 1.25}
LOAD_GOAL = 1.5


def _busy(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


class Load:
    """One busy process per core while the block runs."""

    def __enter__(self):
        self.stop = multiprocessing.Event()
        self.workers = [
            multiprocessing.Process(target=_busy, args=(self.stop,), daemon=True)
            for _ in range(multiprocessing.cpu_count())
        ]
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for worker in self.workers:
            worker.join()


def _box_paste_floor(X, one_hot, beta, device):
    """CutMix written plainly: one box per row, pasted by a broadcast mask."""
    n, height, width = X.shape[0], X.shape[-2], X.shape[-1]
    share = beta.sample((n,))  # area share kept from the anchor
    cut = torch.sqrt(1.0 - share)
    centre_y = torch.rand(n, device=device) * height
    centre_x = torch.rand(n, device=device) * width
    top = (centre_y - cut * height / 2).clamp(0, height).round()
    bottom = (centre_y + cut * height / 2).clamp(0, height).round()
    left = (centre_x - cut * width / 2).clamp(0, width).round()
    right = (centre_x + cut * width / 2).clamp(0, width).round()
    ys = torch.arange(height, device=device)
    xs = torch.arange(width, device=device)
    inside_y = (ys >= top[:, None]) & (ys < bottom[:, None])
    inside_x = (xs >= left[:, None]) & (xs < right[:, None])
    mask = (inside_y[:, :, None] & inside_x[:, None, :])[:, None]
    partners = torch.randperm(n, device=device)
    rows = torch.where(mask, X[partners], X)
    kept = 1.0 - (bottom - top) * (right - left) / (height * width)
    labels = torch.lerp(one_hot[partners], one_hot, kept[:, None].to(one_hot.dtype))
    return rows, labels


def _cutmix_mixer():
    """BatchMixer with operator="cutmix", or None where it has no such operator."""
    try:
        mixer = BatchMixer(
            Beta(CUTMIX_ALPHA), RandomPairing(), n_classes=N_CLASSES, operator="cutmix"
        )
        X = torch.zeros(4, 1, 4, 4)
        mixer(X, torch.zeros(4, dtype=torch.int64))
    except (TypeError, ValueError):
        return None
    return mixer


def mixing_configs(shape: tuple, device: str):
    """name -> (function mixing one batch or None, rows out per row in)."""
    generator = torch.Generator(device=device).manual_seed(0)
    batch = shape[0]
    X = torch.randn(shape, generator=generator, device=device)
    y = torch.randint(0, N_CLASSES, (batch,), generator=generator, device=device)

    def beta_of(alpha):
        return torch.distributions.Beta(
            torch.tensor(alpha, device=device), torch.tensor(alpha, device=device)
        )

    beta, cutmix_beta = beta_of(ALPHA), beta_of(CUTMIX_ALPHA)
    weight_shape = (batch,) + (1,) * (len(shape) - 1)

    def lerp_floor():
        w = beta.sample((batch,))
        partners = torch.randperm(batch, device=device)
        one_hot = torch.nn.functional.one_hot(y, N_CLASSES).to(X.dtype)
        rows = torch.lerp(X[partners], X, w.reshape(weight_shape))
        labels = torch.lerp(one_hot[partners], one_hot, w[:, None])
        return rows, labels

    def box_floor():
        one_hot = torch.nn.functional.one_hot(y, N_CLASSES).to(X.dtype)
        return _box_paste_floor(X, one_hot, cutmix_beta, device)

    def mixer_of(resampler):
        mixer = BatchMixer.from_resampler(resampler, n_classes=N_CLASSES, random_state=0)
        return lambda: mixer(X, y)

    cutmix = _cutmix_mixer()
    return {
        LERP_FLOOR: (lerp_floor, 1),
        BOX_FLOOR: (box_floor, 1),
        "random pairing": (mixer_of(KMixupResampler(k=1, alpha=ALPHA)), 1),
        "k-mixup k=16": (mixer_of(KMixupResampler(k=16, alpha=ALPHA)), 1),
        "multi-mix K=5": (mixer_of(MultiMixResampler(n_interpolations=5, alpha=ALPHA)), 5),
        "CutMix": (None if cutmix is None else (lambda: cutmix(X, y)), 1),
    }


def time_mixing(shape: tuple, device: str, repeats: int, calls: int) -> dict:
    """name -> (seconds per batch or None, ops per batch, read-backs per batch)."""
    configs = mixing_configs(shape, device)
    runnable = {name: func for name, (func, _) in configs.items() if func is not None}

    def many(func):
        def run():
            for _ in range(calls):
                func()
            if device.startswith("cuda"):
                torch.cuda.synchronize()

        return run

    counts = {}
    for name, func in runnable.items():  # warm-up (first-call allocations), then count
        func()
        counted, _ = count_ops(func)
        counts[name] = (counted.n_ops, len(counted.read_backs))
    times = best_times([many(func) for func in runnable.values()], repeats)
    seconds = dict(zip(runnable, (t / calls for t in times)))
    return {name: (seconds.get(name), *counts.get(name, (None, None))) for name in configs}


def mixing_table(results: dict, title: str) -> list[str]:
    """results: shape -> time_mixing's dict."""
    columns = [
        ("mixing of one batch", 22),
        ("batch", 16),
        ("ms", 8),
        ("vs floor", 9),
        ("per row", 8),
        ("ops", 5),
        ("read-backs", 10),
    ]
    lines = [title, format_cells([n for n, _ in columns], columns, left=2)]
    for shape, times in results.items():
        configs = mixing_configs((2, *shape[1:]), "cpu")  # rows-per-pair column only
        for name, (seconds, n_ops, reads) in times.items():
            floor_name = BOX_FLOOR if name == "CutMix" else LERP_FLOOR
            batch = " x ".join(map(str, shape))
            if seconds is None:
                cells = [name, batch, "n/a", "n/a", "", "n/a", "n/a"]
            else:
                rows = configs[name][1]
                ratio = seconds / times[floor_name][0]
                per_row = f"{ratio / rows:.2f}x" if rows > 1 else ""
                floor_cell = "" if name.startswith("floor") else f"{ratio:.2f}x"
                cells = [name, batch, f"{1e3 * seconds:.3f}", floor_cell, per_row, n_ops, reads]
            lines.append(format_cells(cells, columns, left=2))
    for (name, shape), (goal, floor_name) in MIXING_GOALS.items():
        seconds = results[shape][name][0]
        label = f"goal {name} at {' x '.join(map(str, shape))} <= {goal:.1f}x {floor_name}"
        if seconds is None:
            lines.append(f"{label}: n/a")
            continue
        ratio = seconds / results[shape][floor_name][0]
        lines.append(f"{label}: {ratio:.2f}x ({'met' if ratio <= goal else 'NOT met'})")
    return lines


def measure_all(device: str, repeats: int, calls: int) -> dict:
    return {shape: time_mixing(shape, device, repeats, calls) for shape in BATCH_SHAPES}


class SmallCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 16, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
        )
        self.head = torch.nn.Linear(32 * 8 * 8, N_CLASSES)

    def forward(self, X):
        return self.head(self.features(X).flatten(1))


def time_epochs(n_rows: int, device: str, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_rows, *ROW_SHAPE)).astype(np.float32)
    y = rng.integers(0, N_CLASSES, n_rows)
    common = dict(lr=1e-3, max_epochs=1, batch_size=256, train_split=None, device=device)

    def plain():
        torch.manual_seed(0)
        skorch.NeuralNetClassifier(
            SmallCNN, criterion=torch.nn.CrossEntropyLoss, verbose=0, **common
        ).fit(X, y.astype(np.int64))

    def mixup(resampler):
        return lambda: MixupNeuralNetClassifier(
            SmallCNN, mixer=resampler, random_state=0, **common
        ).fit(X, y)

    configs = {
        "plain skorch": plain,
        "random pairing": mixup(KMixupResampler(k=1, alpha=ALPHA)),
        "k-mixup k=16": mixup(KMixupResampler(k=16, alpha=ALPHA)),
    }
    times = best_times(list(configs.values()), repeats)
    return dict(zip(configs, times))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=20, help="batches per timed call")
    parser.add_argument("--epoch-rows", type=int, default=2048)
    parser.add_argument("--load", action="store_true", help="repeat under a CPU load")
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.epoch_rows = 2, 256
    torch.set_num_threads(args.threads)
    print(f"skmixup {skmixup.__version__}, torch {torch.__version__}, skorch {skorch.__version__}")
    print(f"Python {platform.python_version()}; {cpu_line()}; device {args.device}")
    print(f"torch threads {args.threads}, numpy BLAS threads 1; best of {args.repeats} rounds")
    print(f"float32 image batches, {N_CLASSES} classes")
    print()
    with threadpool_limits(limits=1, user_api="blas"):
        quiet = measure_all(args.device, args.repeats, args.calls)
        for line in mixing_table(quiet, f"idle machine, {args.calls} batches per call"):
            print(line)
        if args.load:
            with Load():
                loaded = measure_all(args.device, args.repeats, args.calls)
            print()
            for line in mixing_table(loaded, "every core loaded by another process"):
                print(line)
            for (name, shape), (_, floor_name) in MIXING_GOALS.items():
                if quiet[shape][name][0] is None:
                    continue
                change = (loaded[shape][name][0] / loaded[shape][floor_name][0]) / (
                    quiet[shape][name][0] / quiet[shape][floor_name][0]
                )
                verdict = "met" if 1 / LOAD_GOAL <= change <= LOAD_GOAL else "NOT met"
                print(
                    f"goal {name} at {' x '.join(map(str, shape))}: ratio under load / idle "
                    f"ratio within {LOAD_GOAL}x: {change:.2f}x ({verdict})"
                )
        print()
        epochs = time_epochs(args.epoch_rows, args.device, max(1, args.repeats // 2))
    plain = epochs["plain skorch"]
    columns = [("one epoch, small CNN", 22), ("s", 8), ("vs skorch", 10)]
    print(f"{args.epoch_rows} images of {' x '.join(map(str, ROW_SHAPE))}, batches of 256")
    print(format_cells([n for n, _ in columns], columns, left=1))
    for name, seconds in epochs.items():
        print(format_cells([name, f"{seconds:.3f}", f"{seconds / plain:.2f}x"], columns, left=1))
    for name, goal in EPOCH_GOALS.items():
        ratio = epochs[name] / plain
        print(
            f"goal {name} epoch <= {goal:.2f}x skorch: {ratio:.2f}x "
            f"({'met' if ratio <= goal else 'NOT met'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
