"""``skmixup resample`` on a table in memory (``--engine dask`` hands over to
:mod:`skmixup.cli.resample_dask`)."""

from __future__ import annotations

import contextlib
import sys

from skmixup.cli._columns import check_target, column_names

METHODS = ("epbeta", "kmixup", "multimix")

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
    "clip": "--clip",
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
    for name in (*METHOD_OPTIONS[args.method], "n_interpolations", "single_row_classes", "clip"):
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


def _refuse_partitioned_input(path: str) -> None:
    """A Parquet directory or glob is for ``--engine dask``: say so, naming the option."""
    from pathlib import Path

    from skmixup._tables.io import TableError

    if Path(path).is_dir():
        raise TableError(
            f"{path}: is a directory; the in-memory engine reads one .csv or .parquet "
            "file. For a directory of Parquet files add --engine dask (OUTPUT is then a "
            "directory)"
        )
    if not Path(path).exists() and any(character in str(path) for character in "*?["):
        raise TableError(
            f"{path}: no such file; a glob of Parquet files needs --engine dask (OUTPUT is "
            "then a directory)"
        )


def run_resample(args) -> int:
    problem = _inapplicable_options(args) or _inapplicable_engine_options(args)
    if problem:
        print(f"skmixup resample: error: {problem}", file=sys.stderr)
        return 2
    if args.engine == "dask":
        from skmixup.cli.resample_dask import run_resample_dask

        return run_resample_dask(args, _make_resampler)
    import numpy as np
    import pandas as pd

    from skmixup._tables.io import INDEX_ATTRIBUTE, check_paths, read_table, write_table
    from skmixup.cli.progress import Stages

    _refuse_partitioned_input(args.input)
    check_paths(args.input, args.output)
    stages = Stages(5 if not args.quiet else 4, enabled=not args.quiet)
    with stages.stage(f"reading {args.input}") as stage:
        frame = read_table(args.input)
        index_columns = list(frame.attrs.get(INDEX_ATTRIBUTE, []))
        stage.summary = f"read {frame.shape[0]:,} rows x {frame.shape[1]} columns"
        if index_columns:
            stage.summary += f" (index {', '.join(map(str, index_columns))} read as columns)"
    columns = list(frame.columns)
    categorical = column_names(args.categorical, columns, "--categorical")
    if args.target is not None:
        check_target(args.target, columns, categorical)
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
