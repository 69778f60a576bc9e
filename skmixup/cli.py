"""The ``skmixup`` command: ``skmixup demo``, ``skmixup resample`` and ``skmixup check``."""

from __future__ import annotations

import argparse
import sys
import time

from skmixup._cli_check import add_check_parser, main_check

METHODS = ("epbeta", "kmixup", "multimix")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skmixup", description="Structure-preserving mixup for tabular data."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="compare uniform, Beta and EpBeta mixup on a scikit-learn data set"
    )
    demo.add_argument("--output-dir", default="build/demo", help="where the figure goes")
    demo.add_argument("--generations", type=int, default=20, help="re-syntheses to run")
    demo.add_argument("--seed", type=int, default=0, help="random seed")

    resample = commands.add_parser(
        "resample",
        help="mix the rows of a CSV or Parquet table into new rows",
        description=(
            "Read INPUT (.csv or .parquet), add mixed rows (or keep only them with "
            "--synthetic-only) and write OUTPUT. With --target, a column of class labels "
            "is balanced (or augmented with --factor / --n-samples) and a continuous "
            "column is mixed with the rows; without it, all rows are mixed together."
        ),
    )
    resample.add_argument("input", help="input table (.csv or .parquet)")
    resample.add_argument("output", help="output table (.csv or .parquet)")
    resample.add_argument("--method", choices=METHODS, default="epbeta")
    resample.add_argument("--target", help="target column (class labels or continuous)")
    resample.add_argument(
        "--target-type", choices=("auto", "classification", "regression"), default="auto"
    )
    count = resample.add_mutually_exclusive_group()
    count.add_argument("--n-samples", type=int, help="number of new rows")
    count.add_argument("--factor", type=float, help="new rows per original row (per class)")
    resample.add_argument("--synthetic-only", action="store_true", help="write only the new rows")
    resample.add_argument(
        "--categorical",
        help="comma-separated columns copied from the anchor row instead of mixed",
    )
    resample.add_argument("--seed", type=int, default=None, help="random seed")
    resample.add_argument("--quiet", action="store_true", help="print nothing on success")
    epbeta = resample.add_argument_group("epbeta")
    epbeta.add_argument("--eps0", type=float, default=0.3)
    epbeta.add_argument("--eps1", type=float, default=0.3)
    epbeta.add_argument("--mean", type=float, default=None, help="mean weight in (0, 1)")
    mixing = resample.add_argument_group("kmixup and multimix")
    mixing.add_argument("--k", type=int, default=None, help="block size (kmixup: 16)")
    mixing.add_argument("--alpha", type=float, default=1.0, help="Beta(alpha, alpha) weights")
    mixing.add_argument(
        "--n-interpolations", type=int, default=None, help="rows per pair (multimix: 5)"
    )
    add_check_parser(commands)
    return parser


def _make_resampler(args, categorical):
    from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler

    common = dict(
        n_samples=args.n_samples,
        factor=args.factor,
        synthetic_only=args.synthetic_only,
        categorical_features=categorical,
        target_type=args.target_type,
        random_state=args.seed,
    )
    if args.n_interpolations is not None:
        common["n_interpolations"] = args.n_interpolations
    if args.method == "epbeta":
        return EpBetaMixupResampler(eps0=args.eps0, eps1=args.eps1, mean=args.mean, **common)
    if args.method == "kmixup":
        k = 16 if args.k is None else args.k
        return KMixupResampler(k=k, alpha=args.alpha, **common)
    k = 1 if args.k is None else args.k
    return MultiMixResampler(k=k, alpha=args.alpha, **common)


class _Progress:
    """Stage lines on stderr with elapsed time (silenced by --quiet)."""

    def __init__(self, quiet: bool, n_stages: int):
        self.quiet, self.n_stages, self.stage = quiet, n_stages, 0
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        self.stage += 1
        if not self.quiet:
            elapsed = time.perf_counter() - self.start
            print(f"[{self.stage}/{self.n_stages}] {message} ({elapsed:.1f} s)", file=sys.stderr)


def run_resample(args) -> int:
    import numpy as np
    import pandas as pd

    from skmixup._table_io import read_table, table_format, write_table

    table_format(args.output)
    progress = _Progress(args.quiet, 3)
    frame = read_table(args.input)
    progress(f"read {frame.shape[0]:,} rows x {frame.shape[1]} columns from {args.input}")
    columns = list(frame.columns)
    categorical = None
    if args.categorical:
        categorical = [name.strip() for name in args.categorical.split(",") if name.strip()]
        missing = [name for name in categorical if name not in columns]
        if missing:
            raise ValueError(f"--categorical: unknown column(s) {missing}; columns are {columns}")
    if args.target is not None:
        if args.target not in columns:
            raise ValueError(f"--target: unknown column {args.target!r}; columns are {columns}")
        if categorical and args.target in categorical:
            raise ValueError(f"--target column {args.target!r} cannot also be categorical")
        X, y = frame.drop(columns=[args.target]), frame[args.target]
    else:
        # No target: the whole table is one group of rows, mixed together.
        X, y = frame, pd.Series(np.zeros(frame.shape[0]), name="__none__")
        args.target_type = "regression"
    resampler = _make_resampler(args, categorical)
    X_res, y_res = resampler.fit_resample(X, y)
    result = X_res if args.target is None else X_res.assign(**{args.target: y_res.to_numpy()})
    result = result[columns]
    progress(f"made {resampler.n_synthetic_:,} new rows with {args.method}")
    write_table(result, args.output)
    progress(f"wrote {result.shape[0]:,} rows to {args.output}")
    if not args.quiet:
        synthetic = result if args.synthetic_only else result.iloc[frame.shape[0] :]
        _print_diagnostics(frame, synthetic, resampler, args.target, categorical or [])
    return 0


def _print_diagnostics(original, synthetic, resampler, target, categorical) -> None:
    """Structure of the new rows against the original rows they were mixed from."""
    import pandas as pd

    from skmixup.metrics import structure_report

    numeric = [
        c
        for c in original.columns
        if pd.api.types.is_numeric_dtype(original[c])
        and not pd.api.types.is_bool_dtype(original[c])
        and c not in categorical
    ]
    if resampler.target_type_ == "classification":
        # New rows of a class are mixed from that class only: compare per class.
        features = [c for c in numeric if c != target]
        groups = [
            (
                f"class {label}",
                original[original[target] == label],
                synthetic[synthetic[target] == label],
            )
            for label, count in resampler.sampling_strategy_.items()
            if count
        ]
        report_target = None
    else:
        features = numeric
        groups = [("all rows", original, synthetic)]
        report_target = target if target in numeric and len(numeric) > 1 else None
    print("structure of the new rows vs the original (relative errors; 0 = preserved):")
    for label, before, after in groups:
        if not features or before.shape[0] < 2 or after.shape[0] < 2:
            print(f"  {label}: too few rows or no numeric column to compare")
            continue
        report = structure_report(before[features], after[features], target=report_target)
        cells = ", ".join(f"{name} {value:.3f}" for name, value in report.items())
        print(f"  {label} ({after.shape[0]:,} new rows): {cells}")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from skmixup._demo import run_demo

        if args.generations < 1:
            print("skmixup demo: --generations must be >= 1", file=sys.stderr)
            return 2
        run_demo(args.output_dir, generations=args.generations, seed=args.seed)
        return 0
    if args.command == "check":
        return main_check(args)
    from skmixup._table_io import TableError

    try:
        return run_resample(args)
    except (TableError, ValueError, TypeError) as error:
        message = " ".join(str(error).split()).replace("categorical_features", "--categorical")
        print(f"skmixup resample: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
