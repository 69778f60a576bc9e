"""Synthetic tables: EpBetaSynthesizer against a bootstrap and SDV's GaussianCopula.

For each scikit-learn table (label as a column) and seed, the table is split
75/25 into the rows given to the synthesizer ("real") and held-out rows
("holdout"); each method makes as many rows as "real" has:

* ``bootstrap``: real rows drawn with replacement (the reference for
  sampling noise; it copies rows, so its privacy figures are the worst);
* ``epbeta``: ``EpBetaSynthesizer()`` with its defaults;
* ``epbeta redraw``: ``value_range='redraw'`` (weights redrawn, not clipped);
* ``epbeta eps=1``: ``eps0=eps1=1`` (weights further from 0 and 1: the
  privacy control);
* ``epbeta dtype``: ``value_range='dtype', precision=None``, no range kept
  and no rounding of floats (what the resamplers do by default);
* ``sdv``: SDV's ``GaussianCopulaSynthesizer`` with detected metadata (the
  label declared categorical), when ``sdv`` is importable; not a test
  dependency (install it in a separate environment).

Columns: ``range%`` cells of numeric columns outside the real table's range;
``whole%`` non-whole values in columns whole in the real table; ``bin#``
largest count of distinct values in a column with 2 values in the real
table; ``cov`` covariance error (``structure_report``, numeric columns) and
``cov/boot`` its ratio to the bootstrap's; ``var`` variance ratio; ``tstr``
train on synthetic, test on the holdout (accuracy of a logistic regression,
or R^2 of a ridge regression for a continuous label); ``copies``, ``dcr``
and ``p5`` the privacy report against the holdout; ``var10`` and ``tstr10``
the variance ratio (against the real table) and TSTR after 10 generations,
each fitted on the previous one's output; ``time`` fit and sample, seconds.
Figures are means over seeds.

Examples
--------
::

    python benchmarks/bench_synthetic.py            # 3 seeds, 10 generations
    python benchmarks/bench_synthetic.py --quick    # 1 seed, 2 tables, 3 generations
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cpu_line  # noqa: E402

from skmixup import EpBetaSynthesizer  # noqa: E402
from skmixup.metrics import privacy_report, structure_report  # noqa: E402


def tables(quick: bool) -> dict:
    diabetes = load_diabetes(scaled=False, as_frame=True).frame
    mixed = diabetes.assign(
        sex=diabetes["sex"].map({1.0: "F", 2.0: "M"}), age=diabetes["age"].astype("int64")
    )
    found = {
        "diabetes": (diabetes, "target", "regression"),
        "breast_cancer": (load_breast_cancer(as_frame=True).frame, "target", "classification"),
        "wine": (load_wine(as_frame=True).frame, "target", "classification"),
        "mixed": (mixed, "target", "regression"),
    }
    return {k: found[k] for k in (["diabetes", "wine"] if quick else found)}


def make_methods(label: str, kind: str):
    categorical = [label] if kind == "classification" else "auto"

    def epbeta(**params):
        def run(real, seed):
            if isinstance(categorical, list):
                auto = [c for c in real.columns if not _is_numeric(real[c])]
                params["categorical_features"] = list(dict.fromkeys(auto + categorical))
            return EpBetaSynthesizer(random_state=seed, **params).fit(real).sample(len(real))

        return run

    def bootstrap(real, seed):
        return real.sample(len(real), replace=True, random_state=seed).reset_index(drop=True)

    methods = {
        "bootstrap": bootstrap,
        "epbeta": epbeta(),
        "epbeta redraw": epbeta(value_range="redraw"),
        "epbeta eps=1": epbeta(eps0=1.0, eps1=1.0),
        "epbeta dtype": epbeta(value_range="dtype", precision=None),
    }
    try:
        from sdv.metadata import Metadata
        from sdv.single_table import GaussianCopulaSynthesizer
    except ImportError:
        return methods

    def sdv(real, seed):
        np.random.seed(seed)  # noqa: NPY002 (SDV draws from numpy's global generator)
        metadata = Metadata.detect_from_dataframes(data={"real": real})
        if kind == "classification":
            metadata.update_column(table_name="real", column_name=label, sdtype="categorical")
        synthesizer = GaussianCopulaSynthesizer(metadata)
        synthesizer.fit({"real": real})
        sample = synthesizer.sample(num_rows=len(real))
        return sample["real"] if isinstance(sample, dict) else sample

    methods["sdv"] = sdv
    return methods


def _is_numeric(column) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def validity(real, synthetic, label, kind):
    numeric = [c for c in real.columns if _is_numeric(real[c]) and c != label]
    low, high = real[numeric].min(), real[numeric].max()
    values = synthetic[numeric].astype(float)
    outside = ((values < low) | (values > high)).to_numpy().mean()
    whole = [c for c in numeric if (real[c] % 1 == 0).all()]
    if kind == "regression" and (real[label] % 1 == 0).all():
        whole.append(label)
    not_whole = (synthetic[whole].astype(float) % 1 != 0).to_numpy().mean() if whole else 0.0
    binary = [c for c in real.columns if real[c].nunique() == 2]
    distinct = max((synthetic[c].nunique() for c in binary), default=0)
    return outside, not_whole, distinct


def tstr(synthetic, holdout, label, kind):
    X, y = synthetic.drop(columns=[label]), synthetic[label]
    X_test, y_test = holdout.drop(columns=[label]), holdout[label]
    X, X_test = pd.get_dummies(X, dtype=float), pd.get_dummies(X_test, dtype=float)
    X_test = X_test.reindex(columns=X.columns, fill_value=0.0)
    if kind == "classification":
        if pd.Series(y).nunique() < 2:
            return float("nan")
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    else:
        model = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    return model.fit(X, y).score(X_test, y_test)


def numeric_part(frame):
    return frame[[c for c in frame.columns if _is_numeric(frame[c])]].astype(float)


def run(args) -> None:
    print(cpu_line())
    seeds = range(1 if args.quick else args.seeds)
    generations = 3 if args.quick else args.generations
    columns = [
        ("table", 13),
        ("method", 13),
        ("range%", 6),
        ("whole%", 6),
        ("bin#", 4),
        ("cov", 5),
        ("cov/boot", 8),
        ("var", 5),
        ("tstr", 5),
        ("copies", 6),
        ("dcr", 5),
        ("p5", 5),
        (f"var{generations}", 6),
        (f"tstr{generations}", 6),
        ("time", 6),
    ]
    header = "  ".join(
        name.rjust(w) if i > 1 else name.ljust(w) for i, (name, w) in enumerate(columns)
    )
    print(header)
    for name, (table, label, kind) in tables(args.quick).items():
        methods = make_methods(label, kind)
        results = {method: [] for method in methods}
        for seed in seeds:
            stratify = table[label] if kind == "classification" else None
            real, holdout = train_test_split(
                table, test_size=0.25, random_state=seed, stratify=stratify
            )
            real, holdout = real.reset_index(drop=True), holdout.reset_index(drop=True)
            for method, make in methods.items():
                start = time.perf_counter()
                synthetic = make(real, seed)
                elapsed = time.perf_counter() - start
                structure = structure_report(numeric_part(real), numeric_part(synthetic))
                privacy = privacy_report(real, synthetic, holdout)
                current = synthetic
                for generation in range(1, generations):
                    current = make(current, seed + 1000 * generation)
                late = structure_report(numeric_part(real), numeric_part(current))
                results[method].append(
                    [
                        *validity(real, synthetic, label, kind),
                        structure["covariance"],
                        structure["variance_ratio"],
                        tstr(synthetic, holdout, label, kind),
                        privacy["exact_copies"],
                        privacy["dcr_ratio"],
                        privacy["closer_than_holdout_p5"],
                        late["variance_ratio"],
                        tstr(current, holdout, label, kind),
                        elapsed,
                    ]
                )
        boot_cov = np.mean([row[3] for row in results["bootstrap"]])
        for method, rows in results.items():
            m = np.nanmean(np.array(rows, dtype=float), axis=0)
            cells = [
                name,
                method,
                f"{100 * m[0]:.2f}",
                f"{100 * m[1]:.1f}",
                f"{m[2]:.0f}",
                f"{m[3]:.3f}",
                f"{m[3] / boot_cov:.2f}",
                f"{m[4]:.3f}",
                f"{m[5]:.3f}",
                f"{m[6]:.3f}",
                f"{m[7]:.2f}",
                f"{m[8]:.2f}",
                f"{m[9]:.3f}",
                f"{m[10]:.3f}",
                f"{m[11]:.3f}",
            ]
            print(
                "  ".join(
                    str(c).rjust(w) if i > 1 else str(c).ljust(w)
                    for i, (c, (_, w)) in enumerate(zip(cells, columns))
                )
            )
    if "sdv" not in make_methods("target", "regression"):
        print("sdv: not importable here (pip install sdv in a separate environment to compare)")
    print(
        "goal: EpBeta keeps range, whole numbers and binary columns like SDV, covariance "
        "error within 1.5x a bootstrap's; privacy figures show how close its rows sit"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--generations", type=int, default=10)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with threadpool_limits(1):
        run(args)


if __name__ == "__main__":
    main()
