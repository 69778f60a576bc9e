"""The ``skmixup`` command: ``demo``, ``resample``, ``check`` and ``synthesize``."""

from __future__ import annotations

import argparse
import sys

from skmixup import __version__
from skmixup.cli.check import add_check_parser, main_check
from skmixup.cli.resample import METHODS, cli_words, run_resample
from skmixup.cli.synthesize import add_synthesize_parser, main_synthesize
from skmixup.resampling._counts import FACTOR_DEFINITION


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skmixup", description="Structure-preserving mixup for tabular data."
    )
    parser.add_argument("--version", action="version", version=f"skmixup {__version__}")
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
    count.add_argument(
        "--factor",
        type=float,
        help=(
            f"{FACTOR_DEFINITION}; the output then holds (1 + factor) * n rows of it "
            "(factor * n with --synthetic-only)"
        ),
    )
    resample.add_argument("--synthetic-only", action="store_true", help="write only the new rows")
    resample.add_argument(
        "--categorical",
        help=(
            "comma-separated columns copied from the anchor row instead of mixed "
            "(default: the non-numeric ones: text, category, bool)"
        ),
    )
    resample.add_argument(
        "--single-row-classes",
        choices=("raise", "skip"),
        default=None,
        help="a class with one row: error (raise, the default) or no new rows (skip)",
    )
    resample.add_argument(
        "--clip",
        choices=("dtype", "observed"),
        default=None,
        help="observed: keep new values inside each column's observed range (default: dtype)",
    )
    resample.add_argument("--seed", type=int, default=None, help="random seed")
    resample.add_argument("--quiet", action="store_true", help="print nothing on success")
    resample.add_argument(
        "--engine",
        choices=("memory", "dask"),
        default="memory",
        help=(
            "dask: INPUT is a Parquet directory or glob, OUTPUT a directory (streams "
            "partitions; no structure diagnostics, which need the whole table in memory)"
        ),
    )
    resample.add_argument(
        "--workers",
        type=int,
        default=None,
        help="dask engine: partitions resampled at once, as threads of this process (1)",
    )
    resample.add_argument(
        "--processes",
        action="store_true",
        help="dask engine: run the workers as a local distributed cluster of processes",
    )
    epbeta = resample.add_argument_group("epbeta")
    epbeta.add_argument("--eps0", type=float, default=None, help="extrapolation below 0 (0.3)")
    epbeta.add_argument("--eps1", type=float, default=None, help="extrapolation above 1 (0.3)")
    epbeta.add_argument("--mean", type=float, default=None, help="mean weight in (0, 1) (0.5)")
    mixing = resample.add_argument_group("kmixup and multimix")
    mixing.add_argument("--k", type=int, default=None, help="block size (kmixup: 16, multimix: 1)")
    mixing.add_argument(
        "--alpha", type=float, default=None, help="Beta(alpha, alpha) weights (1.0)"
    )
    resample.add_argument(
        "--n-interpolations", type=int, default=None, help="rows per pair (multimix: 5, others: 1)"
    )
    add_check_parser(commands)
    add_synthesize_parser(commands)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from skmixup.cli.demo import run_demo

        if args.generations < 1:
            print("skmixup demo: --generations must be >= 1", file=sys.stderr)
            return 2
        run_demo(args.output_dir, generations=args.generations, seed=args.seed)
        return 0
    if args.command == "check":
        return main_check(args)
    if args.command == "synthesize":
        return main_synthesize(args)
    from skmixup._tables.io import TableError

    try:
        return run_resample(args)
    except (TableError, ValueError, TypeError) as error:
        message = cli_words(" ".join(str(error).split()))
        print(f"skmixup resample: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
