"""
Model collapse: re-synthesising synthetic data, generation after generation
===========================================================================

Generation 0 is a real training table; generation ``g`` is a table of the same
size mixed, with ``synthetic_only=True``, from generation ``g - 1`` alone (the
real data is never seen again). Each synthesis multiplies the covariance of
the table by ``1 - 2 E[W] + 2 E[W^2]``: 2/3 for uniform weights, 7/9 for
Beta(0.4), so after 20 generations uniform mixup keeps about ``(2/3)^20``,
0.03 %, of the variance. The EpBeta law of
:class:`skmixup.EpBetaMixupResampler` has factor 1: its variance wanders
around the original by finite-sample noise but does not shrink.

Downstream, a model is trained on each generation and scored (R^2) on real
rows held out before generation 0. A tree ensemble (here extremely randomised
trees, a random forest variant) cannot extrapolate: trained on a shrunken
table it predicts only a shrunken range of targets, and its R^2 falls with the
variance. A linear model is blind to the shrinkage (rows and target shrink
together towards the mean, and least-squares coefficients are a ratio of
covariances), so it stays good for every law here. What no law prevents is the
accumulation of sampling error: every generation re-estimates the data from a
finite sample, so the fitted relationship drifts like a random walk; here it
slowly erodes the trees' R^2 under EpBeta too. The drift grows as the table
gets smaller: trained on 331 rows of the diabetes data, a linear model goes
from R^2 0.36 to a median near or below 0 within 20 generations under every
law, EpBeta included.

The data is ``make_regression`` (linear target, 1600 rows, 1200 for training);
three independent chains per law, lines show the median and the bands the
range over chains.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_regression
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split

from skmixup import EpBetaMixupResampler
from skmixup.metrics import total_variance

X, y = make_regression(n_samples=1600, n_features=8, n_informative=5, noise=30.0, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

mixers = {
    "uniform": dict(eps0=0.0, eps1=0.0, alpha=1.0, beta=1.0),
    "Beta(0.4)": dict(eps0=0.0, eps1=0.0, alpha=0.4, beta=0.4),
    "EpBeta": dict(eps0=0.3, eps1=0.3),
}
models = {
    "extra trees": lambda: ExtraTreesRegressor(n_estimators=15, min_samples_leaf=5, random_state=0),
    "linear regression": LinearRegression,
}
n_generations = 20
n_chains = 3

base_variance = total_variance(np.column_stack([X_train, y_train]))
variance = {name: np.ones((n_chains, n_generations + 1)) for name in mixers}
scores = {
    (name, model): np.empty((n_chains, n_generations + 1)) for name in mixers for model in models
}
factors = {}
for name, params in mixers.items():
    for chain in range(n_chains):
        X_gen, y_gen = X_train, y_train
        for generation in range(n_generations + 1):
            if generation:
                resampler = EpBetaMixupResampler(
                    **params,
                    synthetic_only=True,
                    target_type="regression",
                    random_state=1000 * chain + generation,
                )
                X_gen, y_gen = resampler.fit_resample(X_gen, y_gen)
                factors[name] = resampler.weight_law_.covariance_factor
                table = np.column_stack([X_gen, y_gen])
                variance[name][chain, generation] = total_variance(table) / base_variance
            for model, make_model in models.items():
                fitted = make_model().fit(X_gen, y_gen)
                scores[name, model][chain, generation] = fitted.score(X_test, y_test)

print("Median over chains at generations 0, 5, 10, 15, 20:")
shown = slice(0, n_generations + 1, 5)
for name in mixers:
    ratios = "  ".join(f"{value:9.3g}" for value in np.median(variance[name], axis=0)[shown])
    print(f"{name:<10} {'variance ratio':<23}{ratios}")
    for model in models:
        values = "  ".join(f"{value:9.3f}" for value in np.median(scores[name, model], 0)[shown])
        print(f"{'':<10} R^2 {model:<18}{values}")

generations = np.arange(n_generations + 1)
fig, (ax_var, ax_score) = plt.subplots(1, 2, figsize=(13, 4.8))
for index, name in enumerate(mixers):
    color = f"C{index}"
    ax_var.fill_between(
        generations, variance[name].min(0), variance[name].max(0), color=color, alpha=0.2
    )
    ax_var.semilogy(
        generations, np.median(variance[name], 0), color=color, marker="o", ms=3, label=name
    )
    ax_var.semilogy(generations, factors[name] ** generations, color=color, ls=":")
    for model, style in zip(models, ["-", "--"]):
        values = scores[name, model]
        ax_score.fill_between(generations, values.min(0), values.max(0), color=color, alpha=0.15)
        ax_score.plot(generations, np.median(values, 0), color=color, ls=style)
    ax_score.plot([], [], color=color, lw=6, label=name)
ax_var.axhline(1.0, color="grey", lw=0.8)
ax_var.plot([], [], color="black", ls=":", label="expected: (1 - 2E[W] + 2E[W²])^g")
ax_var.set(
    xlabel="generation g",
    ylabel="total variance / original",
    title="variance of the synthetic table",
    xticks=generations[::2],
)
ax_var.legend(loc="lower left", fontsize=9)
ax_score.set(
    xlabel="generation g",
    ylabel="R² on held-out real rows",
    title="model trained on generation g",
    ylim=(-0.05, 1.0),
    xticks=generations[::2],
)
for model, style in zip(models, ["-", "--"]):
    ax_score.plot([], [], color="black", ls=style, label=model)
ax_score.legend(loc="lower left", fontsize=9)
fig.tight_layout()
plt.show()
