"""The ``skmixup`` command: ``skmixup demo``, ``skmixup resample`` and ``skmixup check``."""

from __future__ import annotations

import argparse
import contextlib
import sys

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
    resample.add_argument("--seed", type=int, default=None, help="random seed")
    resample.add_argument("--quiet", action="store_true", help="print nothing on success")
    resample.add_argument(
        "--engine",
        choices=("memory", "dask"),
        default="memory",
        help="dask: INPUT is a Parquet directory or glob, OUTPUT a directory (streams partitions)",
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
    return parser


# Options of one method only, by the Python parameter they set.
METHOD_OPTIONS = {
    "epbeta": ("eps0", "eps1", "mean"),
    "kmixup": ("k", "alpha"),
    "multimix": ("k", "alpha"),
}

# Python parameter -> command-line option, for messages that name parameters.
PARAMETER_OPTIONS = {
    "n_samples": "--n-samples",
    "factor": "--factor",
    "synthetic_only": "--synthetic-only",
    "categorical_features": "--categorical",
    "target_type": "--target-type",
    "random_state": "--seed",
    "eps0": "--eps0",
    "eps1": "--eps1",
    "mean": "--mean",
    "k": "--k",
    "alpha": "--alpha",
    "n_interpolations": "--n-interpolations",
    "single_row_classes": "--single-row-classes",
}


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _inapplicable_options(args) -> str | None:
    """Say which given options the chosen method does not take, or None."""
    own = METHOD_OPTIONS[args.method]
    given = sorted(
        {name for names in METHOD_OPTIONS.values() for name in names}
        - set(own)
        - {name for name in vars(args) if getattr(args, name) is None}
    )
    if not given:
        return None
    options = ", ".join(_option(name) for name in given)
    verb = "does" if len(given) == 1 else "do"
    return (
        f"{options} {verb} not apply to --method {args.method} "
        f"(its options: {', '.join(_option(name) for name in own)})"
    )


def _inapplicable_engine_options(args) -> str | None:
    """Say which given Dask options the in-memory engine would ignore, or None."""
    given = [
        option
        for option, value in (("--workers", args.workers), ("--processes", args.processes))
        if value not in (None, False)
    ]
    if args.engine == "dask" or not given:
        return None
    verb = "applies" if len(given) == 1 else "apply"
    return f"{' and '.join(given)} {verb} to --engine dask only"


def _make_resampler(args, categorical):
    from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler

    classes = {
        "epbeta": EpBetaMixupResampler,
        "kmixup": KMixupResampler,
        "multimix": MultiMixResampler,
    }
    params = dict(
        n_samples=args.n_samples,
        factor=args.factor,
        synthetic_only=args.synthetic_only,
        categorical_features=categorical or "auto",
        target_type=args.target_type,
        random_state=args.seed,
    )
    # Options left out keep the estimator's own defaults.
    for name in (*METHOD_OPTIONS[args.method], "n_interpolations", "single_row_classes"):
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    return classes[args.method](**params)


def cli_words(message: str) -> str:
    """Rewrite Python parameter names in ``message`` as the command's options.

    ``target_type='regression'`` becomes ``--target-type regression``,
    ``synthetic_only=True`` becomes ``--synthetic-only``, ``The 'mean'
    parameter of EpBetaMixupResampler must be`` becomes ``--mean must be``
    and a bare ``categorical_features`` becomes ``--categorical``. Names
    that are not options of the command are left as they are.

    Examples
    --------
    >>> cli_words("use target_type='regression' for a continuous target")
    'use --target-type regression for a continuous target'
    """
    import re

    names = "|".join(sorted(map(re.escape, PARAMETER_OPTIONS), key=len, reverse=True))

    def assignment(match):
        option = PARAMETER_OPTIONS[match["name"]]
        value = next(v for v in (match["single"], match["double"], match["bare"]) if v is not None)
        trail = ""
        if match["bare"] is not None and value.endswith("."):
            value, trail = value[:-1], "."
        if value == "True":
            return option + trail
        if value == "False":
            return f"no {option}{trail}"
        return f"{option} {value}{trail}"

    message = re.sub(
        rf"(?<![\w-])(?P<name>{names})=(?:'(?P<single>[^']*)'|\"(?P<double>[^\"]*)\""
        rf"|(?P<bare>[^\s,;)'\"]+))",
        assignment,
        message,
    )
    message = re.sub(
        rf"\bThe (['\"])(?P<name>{names})\1 parameter of \w+ ",
        lambda match: f"{PARAMETER_OPTIONS[match['name']]} ",
        message,
    )
    message = re.sub(
        rf"(['\"])(?P<name>{names})\1 parameter",
        lambda match: PARAMETER_OPTIONS[match["name"]],
        message,
    )
    underscored = "|".join(re.escape(name) for name in PARAMETER_OPTIONS if "_" in name)
    return re.sub(
        rf"(?<![\w-])({underscored})(?![\w=])",
        lambda match: PARAMETER_OPTIONS[match[1]],
        message,
    )


@contextlib.contextmanager
def _warnings_in_cli_words(quiet: bool):
    """Print the library's warnings once each, as one line in the command's words."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen = set()
            for warning in caught:
                message = cli_words(" ".join(str(warning.message).split()))
                if not quiet and message not in seen:
                    print(f"skmixup resample: warning: {message}", file=sys.stderr)
                seen.add(message)


def run_resample(args) -> int:
    problem = _inapplicable_options(args) or _inapplicable_engine_options(args)
    if problem:
        print(f"skmixup resample: error: {problem}", file=sys.stderr)
        return 2
    if args.engine == "dask":
        from skmixup._cli_dask import run_resample_dask

        return run_resample_dask(args, _make_resampler)
    import numpy as np
    import pandas as pd

    from skmixup._progress import Stages
    from skmixup._table_io import INDEX_ATTRIBUTE, check_paths, read_table, write_table

    check_paths(args.input, args.output)
    stages = Stages(5 if not args.quiet else 4, enabled=not args.quiet)
    with stages.stage(f"reading {args.input}") as stage:
        frame = read_table(args.input)
        index_columns = list(frame.attrs.get(INDEX_ATTRIBUTE, []))
        stage.summary = f"read {frame.shape[0]:,} rows x {frame.shape[1]} columns"
        if index_columns:
            stage.summary += f" (index {', '.join(map(str, index_columns))} read as columns)"
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
    with (
        stages.stage(f"checking the table and counting new rows ({args.method})") as stage,
        _warnings_in_cli_words(args.quiet),
    ):
        resampler.fit(X, y)
        stage.summary = f"{resampler.n_synthetic_:,} new rows to make"
        if args.target is not None:
            how = "class labels" if resampler.target_type_ == "classification" else "continuous"
            stage.summary += f" ({args.target} read as {how})"
    if resampler.n_synthetic_ == 0 and not args.quiet:
        print(
            "skmixup resample: note: no new rows to make (the classes are already "
            "balanced, or those short of rows were skipped); add rows anyway with "
            "--factor F (F new rows per row of each class) or --n-samples N",
            file=sys.stderr,
        )
    with stages.stage(f"mixing {resampler.n_synthetic_:,} new rows with {args.method}") as stage:
        with _warnings_in_cli_words(quiet=True):  # fit has said them already
            X_res, y_res = resampler.fit_resample(X, y)
        result = X_res if args.target is None else X_res.assign(**{args.target: y_res.to_numpy()})
        result = result[columns]
        stage.summary = f"made {resampler.n_synthetic_:,} new rows"
    if not args.quiet:
        with stages.stage("comparing the new rows with the original") as stage:
            synthetic = result if args.synthetic_only else result.iloc[frame.shape[0] :]
            lines = _diagnostics(frame, synthetic, resampler, args.target, categorical or [])
            stage.summary = f"{len(lines) - 1} group(s) compared"
        print("\n".join(lines))
    with stages.stage(
        f"writing {result.shape[0]:,} rows to {args.output}", counts_work=True
    ) as stage:
        write_table(result, args.output, index_columns=index_columns, progress=stage.update)
        stage.summary = f"wrote {result.shape[0]:,} rows to {args.output}"
    return 0


def _diagnostics(original, synthetic, resampler, target, categorical) -> list[str]:
    """Structure of the new rows against the original rows they were mixed from.

    Never raises: a group that cannot be compared gets a line saying why,
    so that a diagnostic never fails a run whose output is good.
    """
    import pandas as pd

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
    lines = ["structure of the new rows vs the original (relative errors; 0 = preserved):"]
    for label, before, after in groups:
        lines.append(f"  {label}{_group_report(before, after, features, report_target)}")
    return lines


def _group_report(before, after, features, target) -> str:
    import warnings

    import numpy as np

    from skmixup.metrics import structure_report

    if not features or before.shape[0] < 2 or after.shape[0] < 2:
        return ": too few rows or no numeric column to compare"
    values = before[features].to_numpy(dtype=np.float64, na_value=np.nan)
    # A column constant in the original stays constant when mixed: nothing to compare.
    varying = [c for c, column in zip(features, values.T) if np.nanstd(column) > 0]
    left_out = len(features) - len(varying)
    note = f"; {left_out} constant column(s) left out" if left_out else ""
    if not varying:
        return f" ({after.shape[0]:,} new rows): every numeric column is constant{note}"
    if target is not None and target not in varying:
        target = None
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            report = structure_report(before[varying], after[varying], target=target)
    except (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError) as error:
        return f" ({after.shape[0]:,} new rows): not computed ({' '.join(str(error).split())})"
    cells = ", ".join(f"{name} {value:.3f}" for name, value in report.items())
    return f" ({after.shape[0]:,} new rows): {cells}{note}"


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
        message = cli_words(" ".join(str(error).split()))
        print(f"skmixup resample: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
