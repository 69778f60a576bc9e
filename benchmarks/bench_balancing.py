"""Balancing classes: mixup resamplers against SMOTE and friends, paired by fold.

Problems: imbalanced binary tasks built from scikit-learn tables (breast
cancer with its malignant class thinned to 15% of the rows, wine's class 0
against the rest, diabetes' top quartile of the target against the rest,
digit 0 against the rest) and ``make_classification`` (10 features, 10% and
5% minority). Each is cross-validated with ``RepeatedStratifiedKFold``
(``--splits`` x ``--repeats``, seeded), the resampler fitted inside each
training fold only (imbalanced-learn pipeline), for two classifiers:
logistic regression (standardised features) and
``HistGradientBoostingClassifier``.

Methods: ``none``; ``class_weight`` (the classifier's
``class_weight='balanced'``, no resampling); ``ros`` random oversampling;
``smote``, ``adasyn``, ``borderline`` (imbalanced-learn, defaults);
``epbeta`` (``EpBetaMixupResampler()``: weights on [-0.3, 1.3]);
``epbeta eps=0.1`` (weights on [-0.1, 1.1]); ``kmixup``
(``KMixupResampler()``); ``mixup`` (uniform weights on [0, 1]:
``EpBetaMixupResampler(alpha=1, beta=1, eps0=0, eps1=0)``). All
resamplers balance the classes (``sampling_strategy='auto'``).

Printed: per classifier, the balanced accuracy (``BA``) and average
precision (``AP``) of each method averaged over problems and folds, the
paired difference of BA against SMOTE (mean and standard error over all
problem x fold pairs), the number of problems where the method's mean BA is
the best, and the folds where the method failed (ADASYN refuses classes
that no majority row neighbours; those folds are left out of its figures).

Examples
--------
::

    python benchmarks/bench_balancing.py             # 6 problems, 5 x 2 folds
    python benchmarks/bench_balancing.py --quick     # 2 problems, 3 x 1 folds, LR only
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from imblearn.over_sampling import ADASYN, SMOTE, BorderlineSMOTE, RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_wine,
    make_classification,
)
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, balanced_accuracy_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cpu_line  # noqa: E402

from skmixup import EpBetaMixupResampler, KMixupResampler  # noqa: E402


def problems(quick: bool) -> dict:
    rng = np.random.default_rng(0)
    X, y = load_breast_cancer(return_X_y=True)
    malignant = np.flatnonzero(y == 0)
    keep = np.r_[np.flatnonzero(y == 1), rng.choice(malignant, 63, replace=False)]
    found = {"breast_cancer": (X[keep], (y[keep] == 0).astype(int))}
    X, y = load_wine(return_X_y=True)
    found["wine_0"] = (X, (y == 0).astype(int))
    X, target = load_diabetes(return_X_y=True)
    found["diabetes_q4"] = (X, (target > np.quantile(target, 0.75)).astype(int))
    X, y = load_digits(return_X_y=True)
    found["digits_0"] = (X, (y == 0).astype(int))
    for share in (0.10, 0.05):
        X, y = make_classification(
            n_samples=1000,
            n_features=10,
            n_informative=5,
            weights=[1 - share],
            flip_y=0.02,
            random_state=1,
        )
        found[f"make_{int(share * 100)}%"] = (X, y)
    names = ["breast_cancer", "make_10%"] if quick else list(found)
    return {name: found[name] for name in names}


def methods() -> dict:
    return {
        "none": None,
        "class_weight": "class_weight",
        "ros": RandomOverSampler(random_state=0),
        "smote": SMOTE(random_state=0),
        "adasyn": ADASYN(random_state=0),
        "borderline": BorderlineSMOTE(random_state=0),
        "epbeta": EpBetaMixupResampler(random_state=0),
        "epbeta eps=0.1": EpBetaMixupResampler(eps0=0.1, eps1=0.1, random_state=0),
        "kmixup": KMixupResampler(random_state=0),
        "mixup": EpBetaMixupResampler(alpha=1.0, beta=1.0, eps0=0.0, eps1=0.0, random_state=0),
    }


def classifiers(quick: bool) -> dict:
    found = {
        "logistic": LogisticRegression(max_iter=2000),
        "hist_gb": HistGradientBoostingClassifier(random_state=0),
    }
    return {"logistic": found["logistic"]} if quick else found


def scores(method, model, X_train, y_train, X_test, y_test):
    model = clone(model)
    if method == "class_weight":
        model.set_params(class_weight="balanced")
        steps = [StandardScaler(), model]
    elif method is None:
        steps = [StandardScaler(), model]
    else:
        steps = [StandardScaler(), clone(method), model]
    try:
        pipeline = make_pipeline(*steps).fit(X_train, y_train)
    except RuntimeError:  # ADASYN refuses folds where no neighbour is of the majority
        return np.nan, np.nan
    predicted = pipeline.predict(X_test)
    probability = pipeline.predict_proba(X_test)[:, 1]
    return balanced_accuracy_score(y_test, predicted), average_precision_score(y_test, probability)


def run(args) -> None:
    print(cpu_line())
    splits, repeats = (3, 1) if args.quick else (args.splits, args.repeats)
    tasks = problems(args.quick)
    print(
        f"{len(tasks)} problems ({', '.join(tasks)}), {splits} x {repeats} folds; "
        "BA balanced accuracy, AP average precision; diff vs smote: paired BA difference"
    )
    start = time.perf_counter()
    for model_name, model in classifiers(args.quick).items():
        ba, ap = {}, {}
        for task, (X, y) in tasks.items():
            folds = RepeatedStratifiedKFold(n_splits=splits, n_repeats=repeats, random_state=0)
            for train, test in folds.split(X, y):
                for name, method in methods().items():
                    b, a = scores(method, model, X[train], y[train], X[test], y[test])
                    ba.setdefault(name, {}).setdefault(task, []).append(b)
                    ap.setdefault(name, {}).setdefault(task, []).append(a)
        best = {name: 0 for name in ba}
        for task in tasks:
            means = {name: np.nanmean(ba[name][task]) for name in ba}
            best[max(means, key=lambda name: np.nan_to_num(means[name], nan=-1.0))] += 1
        print(f"\n{model_name}")
        print(f"{'method':16}{'BA':>7}{'AP':>7}{'diff vs smote':>22}{'best on':>9}{'failed':>8}")
        reference = np.concatenate([ba["smote"][task] for task in tasks])
        for name in ba:
            values = np.concatenate([ba[name][task] for task in tasks])
            precision = np.concatenate([ap[name][task] for task in tasks])
            failed = int(np.isnan(values).sum())
            diff = (values - reference)[~np.isnan(values)]
            se = diff.std(ddof=1) / np.sqrt(diff.size)
            print(
                f"{name:16}{np.nanmean(values):7.3f}{np.nanmean(precision):7.3f}"
                f"{diff.mean():+13.3f} +- {se:.3f}{best[name]:6d}/{len(tasks)}{failed:8d}"
            )
    print(f"\ntime: {time.perf_counter() - start:.0f} s")
    print(
        "goal: say when mixup balancing pays (BA vs SMOTE with each classifier) and "
        "what it costs (AP, eps)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with threadpool_limits(1):
        run(args)


if __name__ == "__main__":
    main()
