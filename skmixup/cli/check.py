"""``skmixup check``: will cross-class mixup conflict with the data of a table?"""

from __future__ import annotations

import sys
import warnings

CHECK_METHODS = ("mixup", "kmixup", "multimix", "epbeta")


def add_check_parser(commands) -> None:
    """Add the ``check`` sub-command to the ``skmixup`` sub-parsers."""
    check = commands.add_parser(
        "check",
        help="will mixup put mixed rows on rows of a third class? (conflict check)",
        description=(
            "Draw one epoch of mixed rows from DATA (.csv or .parquet) as network "
            "training would, and measure how close they come to rows of a class other "
            "than the two that were mixed. Close mixed rows ask the network for two "
            "labels at almost the same input. Features are all columns but --target; "
            "they must be numeric, and distances are Euclidean on them as they are "
            "(or standardized with --standardize). The verdict is graded (none, low, "
            "high from 5%%), and other settings are measured on the same data and seed: "
            "only those with fewer conflicts are suggested."
        ),
    )
    check.add_argument("data", help="table (.csv or .parquet)")
    check.add_argument("--target", required=True, help="column of class labels")
    check.add_argument(
        "--method",
        choices=CHECK_METHODS,
        default="mixup",
        help="mixup: classic (random pairs); kmixup: optimal-transport pairs (default mixup)",
    )
    check.add_argument("--k", type=int, default=None, help="block size (kmixup: 16)")
    check.add_argument("--alpha", type=float, default=1.0, help="Beta(alpha, alpha) weights")
    check.add_argument(
        "--n-interpolations", type=int, default=None, help="rows per pair (multimix: 5)"
    )
    check.add_argument(
        "--within-class",
        action="store_true",
        help="pair rows within classes only (required by --method epbeta, as in the classifier)",
    )
    check.add_argument(
        "--standardize",
        action="store_true",
        help="measure on standardized features (each column centred, divided by its SD)",
    )
    check.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        help="conflict when closer than THRESHOLD x the median gap between classes (0.5)",
    )
    check.add_argument("--batch-size", type=int, default=128, help="training batch size (128)")
    check.add_argument("--test", help="held-out table with the same columns, also measured")
    check.add_argument("--seed", type=int, default=None, help="random seed")


def _make_mixer(args):
    from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler

    common = {}
    if args.n_interpolations is not None:
        common["n_interpolations"] = args.n_interpolations
    if args.method == "epbeta":
        return EpBetaMixupResampler(**common)
    if args.method == "mixup":
        if args.k not in (None, 1):
            raise ValueError("--k applies to kmixup and multimix; mixup pairs at random")
        return KMixupResampler(k=1, alpha=args.alpha, **common)
    if args.method == "kmixup":
        return KMixupResampler(k=16 if args.k is None else args.k, alpha=args.alpha, **common)
    return MultiMixResampler(k=1 if args.k is None else args.k, alpha=args.alpha, **common)


def _features(frame, target: str, path: str):
    """Numeric feature matrix and labels of a table, or a one-line error."""
    import numpy as np
    import pandas as pd

    columns = list(frame.columns)
    if target not in columns:
        raise ValueError(f"--target: unknown column {target!r} in {path}; columns are {columns}")
    features = frame.drop(columns=[target])
    if features.shape[1] == 0:
        raise ValueError(f"{path}: no feature column besides the target {target!r}")
    text = [
        c
        for c in features.columns
        if not pd.api.types.is_numeric_dtype(features[c]) or pd.api.types.is_bool_dtype(features[c])
    ]
    if text:
        raise ValueError(
            f"{path}: column(s) {text} are not numeric; encode them as numbers (distances "
            "are Euclidean) or drop them"
        )
    missing = [c for c in features.columns if features[c].isna().any()]
    if frame[target].isna().any():
        missing.append(target)
    if missing:
        raise ValueError(f"{path}: column(s) {missing} have missing values; fill or drop them")
    return features.astype(np.float64), frame[target].to_numpy(), list(features.columns)


def _describe(candidate, args) -> str:
    """A measured setting as the options that select it."""
    if candidate.change == "within_class":
        return "--within-class"
    if candidate.change == "standardize":
        return "--standardize"
    if candidate.change == "alpha":
        return f"--alpha {candidate.value:g}"
    if candidate.change == "k" and args.method != "mixup":
        return f"--k {candidate.value}"
    return f"--method kmixup --k {candidate.value}"


def _options(message: str) -> str:
    """Python argument names in an error as the command's options."""
    for python, option in [
        ("within_class=True", "--within-class"),
        ("standardize=True", "--standardize"),
    ]:
        message = message.replace(python, option)
    return message


def run_check(args) -> int:
    """Run ``skmixup check``; raises ``ValueError``/``TypeError``/``TableError`` on bad input."""
    from skmixup._tables.io import read_table
    from skmixup.metrics import mixup_conflicts

    mixer = _make_mixer(args)
    frame = read_table(args.data)
    X, y, columns = _features(frame, args.target, args.data)
    test = {}
    if args.test is not None:
        test_frame = read_table(args.test)
        X_test, y_test, test_columns = _features(test_frame, args.target, args.test)
        if test_columns != columns:
            raise ValueError(f"--test: {args.test} has columns {test_columns}, not {columns}")
        test = dict(X_test=X_test, y_test=y_test)
    with warnings.catch_warnings():
        # The scale warning is printed with the summary, as one line.
        warnings.simplefilter("ignore", UserWarning)
        result = mixup_conflicts(
            X,
            y,
            mixer,
            within_class=args.within_class,
            standardize=args.standardize,
            threshold=args.threshold,
            batch_size=args.batch_size,
            random_state=args.seed,
            **test,
        )
    pairs = "within classes" if args.within_class else "across classes"
    print(
        f"mixup conflict check: {args.data}, {X.shape[0]:,} rows x {X.shape[1]} features, "
        f"{len(set(y.tolist()))} classes; {args.method} ({mixer!r}), pairs {pairs}"
    )
    print(_options(result._format(lambda candidate: _describe(candidate, args))))
    if result.suggestions:
        print("then run this check again with the option(s) you choose.")
    return 0


def main_check(args) -> int:
    """``run_check`` with errors as one line on stderr and exit status 2."""
    from skmixup._tables.io import TableError

    try:
        return run_check(args)
    except (TableError, ValueError, TypeError) as error:
        message = _options(" ".join(str(error).split()))
        print(f"skmixup check: error: {message}", file=sys.stderr)
        return 2
