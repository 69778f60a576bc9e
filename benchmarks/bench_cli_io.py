"""Benchmark the table writer of ``skmixup resample`` against pandas and the mixing.

The command used to write CSV with ``DataFrame.to_csv``, which took ten
times as long as the mixing itself on large tables; it now streams batches
through Arrow's CSV writer (``skmixup._tables.io.write_table``). This script
times, side by side in one run, what the command does on a table of
``n_rows x 20`` float64 standard normal features (``np.random.default_rng(0)``)
and a binary int64 label column whose minority class holds 10% of the rows.

Columns of the table
--------------------
mix s
    ``EpBetaMixupResampler(random_state=0).fit_resample`` on the DataFrame
    (balancing: ``0.8 * n_rows`` new rows), then the label put back, as the
    command does. Its output, ``n_out`` rows, is what the writers write.
fit/mix
    ``EpBetaMixupResampler(random_state=0).fit`` (the command's "checking
    the table and counting new rows" stage, which validates the table a
    first time) as a fraction of the mixing time.
to_csv s
    ``DataFrame.to_csv(path, index=False)``: the previous writer.
write csv s
    ``write_table(frame, "out.csv")``: the current writer, atomic rename
    included.
speedup
    ``to_csv s / write csv s``.
before/mix, after/mix
    The old and new CSV write times as multiples of the mixing time.
write parquet s
    ``write_table(frame, "out.parquet")``, for comparison.
read csv s
    ``pandas.read_csv`` of the input table (the command's first stage).

Every time is the best of ``--repeats`` rounds of :func:`time.perf_counter`;
each round runs the functions one after the other so that they share the
load of the machine.

Examples
--------
Full run (10**6 rows; a few minutes), and a quick one::

    python benchmarks/bench_cli_io.py
    python benchmarks/bench_cli_io.py --sizes 100000 --repeats 3
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from _common import best_times, cpu_line, format_cells

import skmixup
from skmixup import EpBetaMixupResampler
from skmixup._tables.io import write_table

N_FEATURES = 20
MINORITY_FRACTION = 0.1
GOAL = "goal: the CSV write not an order of magnitude slower than the mixing (after/mix < 10)"
COLUMNS = (
    ("n_rows", 10),
    ("n_out", 10),
    ("mix s", 7),
    ("fit/mix", 7),
    ("to_csv s", 9),
    ("write csv s", 11),
    ("speedup", 8),
    ("before/mix", 10),
    ("after/mix", 9),
    ("write parquet s", 15),
    ("read csv s", 10),
)


def make_table(n_rows: int) -> pd.DataFrame:
    """Return ``n_rows`` rows of 20 float64 features and an int64 ``label``."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        rng.standard_normal((n_rows, N_FEATURES)),
        columns=[f"x{index}" for index in range(N_FEATURES)],
    )
    label = np.zeros(n_rows, dtype=np.int64)
    label[rng.permutation(n_rows)[: int(MINORITY_FRACTION * n_rows)]] = 1
    frame["label"] = label
    return frame


def bench_size(n_rows: int, repeats: int, directory: Path) -> dict:
    """Time every column of the table for one size."""
    frame = make_table(n_rows)
    source = directory / "in.csv"
    write_table(frame, source)
    X, y = frame.drop(columns="label"), frame["label"]

    def mix():
        X_res, y_res = EpBetaMixupResampler(random_state=0).fit_resample(X, y)
        return X_res.assign(label=y_res.to_numpy())

    result = mix()
    # The two writers must produce the same table.
    result.iloc[:1000].to_csv(directory / "a.csv", index=False)
    write_table(result.iloc[:1000], directory / "b.csv")
    pd.testing.assert_frame_equal(
        pd.read_csv(directory / "a.csv"), pd.read_csv(directory / "b.csv")
    )
    t_mix, t_fit, t_to_csv, t_csv, t_parquet, t_read = best_times(
        [
            mix,
            lambda: EpBetaMixupResampler(random_state=0).fit(X, y),
            lambda: result.to_csv(directory / "old.csv", index=False),
            lambda: write_table(result, directory / "new.csv"),
            lambda: write_table(result, directory / "new.parquet"),
            lambda: pd.read_csv(source),
        ],
        repeats,
    )
    return {
        "n_rows": n_rows,
        "n_out": result.shape[0],
        "mix": t_mix,
        "fit": t_fit,
        "to_csv": t_to_csv,
        "csv": t_csv,
        "parquet": t_parquet,
        "read": t_read,
    }


def format_row(row: dict) -> str:
    """Format one measured size as a line of the table."""
    cells = (
        f"{row['n_rows']:,}",
        f"{row['n_out']:,}",
        f"{row['mix']:.2f}",
        f"{row['fit'] / row['mix']:.2f}",
        f"{row['to_csv']:.2f}",
        f"{row['csv']:.2f}",
        f"{row['to_csv'] / row['csv']:.1f}x",
        f"{row['to_csv'] / row['mix']:.1f}x",
        f"{row['csv'] / row['mix']:.1f}x",
        f"{row['parquet']:.2f}",
        f"{row['read']:.2f}",
    )
    return format_cells(cells, COLUMNS)


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10**6], help="input rows (default: 1000000)"
    )
    parser.add_argument(
        "--repeats", type=int, default=1, help="rounds per timing, best kept (default: 1)"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv=None) -> None:
    """Run the benchmark and print the table."""
    args = parse_args(argv)
    start = time.perf_counter()
    print("skmixup CLI table I/O benchmark")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"pyarrow {pa.__version__}, skmixup {skmixup.__version__}"
    )
    print(cpu_line())
    print(
        f"data: n_rows x {N_FEATURES} float64 standard normal + int64 label "
        f"({MINORITY_FRACTION:.0%} minority), balanced by EpBetaMixupResampler(random_state=0)"
    )
    print(f"timings: best of {args.repeats} (perf_counter)")
    print()
    header = format_cells([name for name, _ in COLUMNS], COLUMNS)
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as directory:
        for n_rows in args.sizes:
            print(format_row(bench_size(n_rows, args.repeats, Path(directory))), flush=True)
    print()
    print(GOAL)
    print(f"total {time.perf_counter() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
