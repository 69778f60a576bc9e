"""``skmixup synthesize``: a synthetic table from a real one, with its reports."""

from __future__ import annotations

import sys

from skmixup.cli._columns import column_names

_NAME = "skmixup synthesize"


def add_synthesize_parser(commands) -> None:
    parser = commands.add_parser(
        "synthesize",
        help="write a synthetic table made from a CSV or Parquet table",
        description=(
            "Fit EpBetaSynthesizer on TABLE (.csv or .parquet; a label is just a column) "
            "and write ROWS synthetic rows to OUT, with the same columns and dtypes: "
            "values inside each column's observed range and precision, partners within "
            "the levels of the categorical columns, missing values where the anchor row "
            "has them. Prints how well the structure is kept and how close the new rows "
            "sit to real ones (the privacy report, estimated by refitting on part of the "
            "rows and comparing with the rows held out)."
        ),
    )
    parser.add_argument("table", help="input table (.csv or .parquet)")
    parser.add_argument("out", help="output table (.csv or .parquet)")
    parser.add_argument("--rows", type=int, required=True, help="number of synthetic rows")
    parser.add_argument(
        "--categorical",
        help="comma-separated columns copied from the anchor row (default: the non-numeric ones)",
    )
    parser.add_argument(
        "--within",
        help=(
            "comma-separated categorical columns whose levels partners share "
            "(default: all categorical columns; 'none' for any row)"
        ),
    )
    parser.add_argument(
        "--value-range",
        choices=("clip", "redraw", "dtype"),
        default="clip",
        help="keep values in their observed range by clipping (default) or redrawing weights",
    )
    parser.add_argument("--eps", type=float, default=0.3, help="weight expansion eps0 = eps1 (0.3)")
    parser.add_argument(
        "--holdout",
        type=float,
        default=0.25,
        help="share of rows held out for the privacy report (0.25; 0 skips the report)",
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")


def run_synthesize(args) -> int:
    import numpy as np

    from skmixup import EpBetaSynthesizer
    from skmixup._tables.io import INDEX_ATTRIBUTE, check_paths, read_table, write_table

    if args.rows < 1:
        raise ValueError(f"--rows must be >= 1, got {args.rows}")
    if not 0.0 <= args.holdout < 1.0:
        raise ValueError(f"--holdout must be in [0, 1), got {args.holdout}")
    check_paths(args.table, args.out)
    frame = read_table(args.table)
    columns = list(frame.columns)
    categorical = column_names(args.categorical, columns, "--categorical")
    within = "all"
    if args.within is not None:
        within = None if args.within == "none" else column_names(args.within, columns, "--within")
        if within and categorical is not None:
            categorical = list(dict.fromkeys(categorical + within))
        elif within:
            auto = [c for c in columns if not _is_mixed(frame[c])]
            categorical = list(dict.fromkeys(auto + within))

    def synthesizer(seed):
        return EpBetaSynthesizer(
            eps0=args.eps,
            eps1=args.eps,
            categorical_features="auto" if categorical is None else categorical,
            within_categories=within,
            value_range=args.value_range,
            random_state=seed,
        )

    fitted = synthesizer(args.seed).fit(frame)
    synthetic = fitted.sample(args.rows)
    write_table(synthetic, args.out, index_columns=list(frame.attrs.get(INDEX_ATTRIBUTE, [])))
    if args.quiet:
        return 0
    print(f"{_NAME}: wrote {args.rows:,} synthetic rows of {len(columns)} columns to {args.out}")
    for line in _structure_lines(frame, synthetic, fitted):
        print(line)
    if args.holdout > 0:
        rng = np.random.default_rng(args.seed)
        held = rng.random(frame.shape[0]) < args.holdout
        if held.sum() < 2 or (~held).sum() < 2:
            print("privacy: not estimated (too few rows to hold some out)")
            return 0
        real, holdout = frame[~held], frame[held]
        rows = synthesizer(args.seed).fit(real).sample(real.shape[0])
        for line in _privacy_lines(real, rows, holdout, fitted):
            print(line)
    return 0


def _is_mixed(column) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _structure_lines(frame, synthetic, fitted) -> list[str]:
    from skmixup.metrics import structure_report

    mixed = [c for i, c in enumerate(frame.columns) if i not in set(fitted.categorical_features_)]
    varying = [c for c in mixed if _is_mixed(frame[c]) and frame[c].std() > 0]
    complete = frame[varying].dropna()
    new = synthetic[varying].dropna()
    if len(varying) < 1 or complete.shape[0] < 2 or new.shape[0] < 2:
        return ["structure: not computed (no numeric column with complete rows)"]
    report = structure_report(complete.astype(float), new.astype(float))
    cells = ", ".join(f"{name} {value:.3f}" for name, value in report.items())
    return [f"structure (numeric columns, complete rows; 0 = preserved): {cells}"]


def _privacy_lines(real, synthetic, holdout, fitted) -> list[str]:
    from skmixup.metrics import privacy_report

    keep = [c for c in real.columns if not real[c].isna().any() and not holdout[c].isna().any()]
    categorical = [c for i, c in enumerate(real.columns) if i in set(fitted.categorical_features_)]
    try:
        report = privacy_report(
            real[keep],
            synthetic[keep],
            holdout[keep],
            categorical_features=[c for c in categorical if c in keep] or None,
        )
    except ValueError as error:
        return [f"privacy: not computed ({' '.join(str(error).split())})"]
    return [
        f"privacy ({holdout.shape[0]:,} rows held out): exact copies "
        f"{report['exact_copies']:.3f}, distance to closest real row vs holdout's "
        f"(dcr ratio) {report['dcr_ratio']:.3f}, closer than the holdout's 5th percentile "
        f"{report['closer_than_holdout_p5']:.3f} (fresh data: 0, about 1, about 0.05)",
        "  mixup rows lie between real rows, closer to them than fresh data: treat the "
        "output as derived from the real rows, not as anonymous; a larger --eps moves "
        "them away (at some cost in values clipped to the observed range).",
    ]


def main_synthesize(args) -> int:
    from skmixup._tables.io import TableError

    try:
        return run_synthesize(args)
    except (TableError, ValueError, TypeError) as error:
        print(f"{_NAME}: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
