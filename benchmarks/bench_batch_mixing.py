"""Mixing one image batch, and a small CNN's epochs, against their floors.

The machine this runs on is shared and noisy, so the script reports ratios
of timings taken side by side in one run: inside each round every
configuration runs once, in turn, and the best round of each is kept.
Threads are pinned (torch to ``--threads``, numpy's BLAS to one thread via
threadpoolctl) so that a busy machine cannot multiply a tiny product's cost.

Part 1: mixing one batch
------------------------
A batch of ``256 x 3 x 32 x 32`` float32 images with 10 classes, already on
``--device``. Each configuration mixes the rows and the one-hot labels.

floor (torch.lerp)
    ``torch.distributions.Beta(0.4, 0.4)`` weights, one per row, a
    ``torch.randperm`` partner, and ``torch.lerp`` of the rows and of the
    one-hot labels: what any training-time mixup pays.
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

With ``--load`` the whole table is measured a second time while one busy
process per core runs beside it, and the ratios of the two runs are
compared (goal: unchanged within 1.5x).

Part 2: seconds per epoch of a small CNN
----------------------------------------
``--epoch-rows`` random 3 x 32 x 32 images (10 classes), a two-layer CNN,
Adam, batches of 256, one epoch per call: plain ``skorch.NeuralNetClassifier``
against ``MixupNeuralNetClassifier`` with random pairing and with k = 16.

Goals: random pairing within 1.5x of the floor, k = 16 within 3x; epochs
within 1.10x (random pairing) and 1.25x (k = 16) of plain skorch.

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

import numpy as np
import skorch
import torch
from _common import best_times, cpu_line, format_cells
from threadpoolctl import threadpool_limits

import skmixup
from skmixup import KMixupResampler, MultiMixResampler
from skmixup.neural_net import BatchMixer, MixupNeuralNetClassifier

ALPHA = 0.4
N_CLASSES = 10
ROW_SHAPE = (3, 32, 32)
MIXING_GOALS = {"random pairing": 1.5, "k-mixup k=16": 3.0}
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


def mixing_configs(batch: int, device: str):
    generator = torch.Generator(device=device).manual_seed(0)
    X = torch.randn((batch, *ROW_SHAPE), generator=generator, device=device)
    y = torch.randint(0, N_CLASSES, (batch,), generator=generator, device=device)
    beta = torch.distributions.Beta(
        torch.tensor(ALPHA, device=device), torch.tensor(ALPHA, device=device)
    )

    def floor():
        w = beta.sample((batch,))
        partners = torch.randperm(batch, device=device)
        one_hot = torch.nn.functional.one_hot(y, N_CLASSES).to(X.dtype)
        rows = torch.lerp(X[partners], X, w[:, None, None, None])
        labels = torch.lerp(one_hot[partners], one_hot, w[:, None])
        return rows, labels

    def mixer_of(resampler):
        mixer = BatchMixer.from_resampler(resampler, n_classes=N_CLASSES, random_state=0)
        return lambda: mixer(X, y)

    return {
        "floor (torch.lerp)": (floor, 1),
        "random pairing": (mixer_of(KMixupResampler(k=1, alpha=ALPHA)), 1),
        "k-mixup k=16": (mixer_of(KMixupResampler(k=16, alpha=ALPHA)), 1),
        "multi-mix K=5": (mixer_of(MultiMixResampler(n_interpolations=5, alpha=ALPHA)), 5),
    }


def time_mixing(batch: int, device: str, repeats: int, calls: int) -> dict:
    configs = mixing_configs(batch, device)

    def many(func):
        def run():
            for _ in range(calls):
                func()
            if device.startswith("cuda"):
                torch.cuda.synchronize()

        return run

    for func, _ in configs.values():  # warm-up (first-call allocations)
        func()
    times = best_times([many(func) for func, _ in configs.values()], repeats)
    return {name: t / calls for name, t in zip(configs, times)}


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


def mixing_table(times: dict, title: str) -> list[str]:
    floor = times["floor (torch.lerp)"]
    configs = mixing_configs(2, "cpu")  # only for the rows-per-pair column
    columns = [("mixing of one batch", 22), ("ms", 8), ("vs floor", 9), ("per row", 8)]
    lines = [title, format_cells([n for n, _ in columns], columns, left=1)]
    for name, seconds in times.items():
        rows = configs[name][1]
        ratio = seconds / floor
        per_row = f"{ratio / rows:.2f}x" if rows > 1 else ""
        cells = [name, f"{1e3 * seconds:.3f}", f"{ratio:.2f}x", per_row]
        lines.append(format_cells(cells, columns, left=1))
    for name, goal in MIXING_GOALS.items():
        ratio = times[name] / floor
        verdict = "met" if ratio <= goal else "NOT met"
        lines.append(f"goal {name} <= {goal:.1f}x floor: {ratio:.2f}x ({verdict})")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=20, help="batches per timed call")
    parser.add_argument("--epoch-rows", type=int, default=2048)
    parser.add_argument("--load", action="store_true", help="repeat under a CPU load")
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    args = parser.parse_args(argv)
    if args.quick:
        args.batch, args.calls, args.epoch_rows = 64, 2, 256
    torch.set_num_threads(args.threads)
    print(f"skmixup {skmixup.__version__}, torch {torch.__version__}, skorch {skorch.__version__}")
    print(f"Python {platform.python_version()}; {cpu_line()}; device {args.device}")
    print(f"torch threads {args.threads}, numpy BLAS threads 1; best of {args.repeats} rounds")
    print(f"batch {args.batch} x {' x '.join(map(str, ROW_SHAPE))} float32, {N_CLASSES} classes")
    print()
    with threadpool_limits(limits=1, user_api="blas"):
        quiet = time_mixing(args.batch, args.device, args.repeats, args.calls)
        for line in mixing_table(quiet, f"idle machine, {args.calls} batches per call"):
            print(line)
        if args.load:
            with Load():
                loaded = time_mixing(args.batch, args.device, args.repeats, args.calls)
            print()
            for line in mixing_table(loaded, "every core loaded by another process"):
                print(line)
            floor_quiet, floor_loaded = quiet["floor (torch.lerp)"], loaded["floor (torch.lerp)"]
            for name in MIXING_GOALS:
                change = (loaded[name] / floor_loaded) / (quiet[name] / floor_quiet)
                verdict = "met" if 1 / LOAD_GOAL <= change <= LOAD_GOAL else "NOT met"
                print(
                    f"goal {name}: ratio under load / idle ratio within {LOAD_GOAL}x: "
                    f"{change:.2f}x ({verdict})"
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
