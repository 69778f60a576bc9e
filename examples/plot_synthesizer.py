"""
Synthetic tables with EpBetaSynthesizer: valid values and what they leak
========================================================================

:class:`skmixup.EpBetaSynthesizer` is fitted on scikit-learn's diabetes table
(unscaled, the target as a column, 75 % of the rows) and samples as many new
rows. The top row of plots shows pairs of columns, real against synthetic:
ages, the target and ``sex`` (coded 1 and 2) keep their whole values and
their observed ranges, and the joint shape follows the real rows.

The bottom plot is the privacy trade-off. :func:`skmixup.metrics.privacy_report`
compares the distance from each synthetic row to its closest real row with
the same distance for the 25 % of real rows held out: a ``dcr_ratio`` of 1
means synthetic rows sit as far from the real rows as fresh data would; a
ratio below 1 that they sit closer. Mixup rows lie between (or just beyond)
two real rows, so the ratio is about 0.5. Wider weights (``eps0 = eps1``,
still variance preserving) move rows away from both rows of their pair and
raise the ratio, but only up to about 0.6: the variance-preserving laws keep
``E[(W - 1/2)^2] = 1/4``, so however wide the support, a typical weight stays
about half a pair's gap from the middle, near one of the two rows. The
covariance error (``structure_report``) stays near a bootstrap's (the jumps
are sampling noise of one seed), and the share of values clipped onto a
column's minimum or maximum grows with eps. ``sex`` is jittered horizontally
for the plot only.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

from skmixup import EpBetaSynthesizer
from skmixup.metrics import privacy_report, structure_report

table = load_diabetes(scaled=False, as_frame=True).frame
real, holdout = train_test_split(table, test_size=0.25, random_state=0)
synthetic = EpBetaSynthesizer(random_state=0).fit(real).sample(len(real))

fig = plt.figure(figsize=(11, 7.5), layout="constrained")
top = fig.subfigures(2, 1)
pairs = [("age", "target"), ("bmi", "s5"), ("sex", "bmi")]
axes = top[0].subplots(1, 3)
for ax, (x, y) in zip(axes, pairs):
    ax.scatter(real[x], real[y], s=8, alpha=0.5, label="real")
    jitter = 0.04 if x == "sex" else 0.0
    offset = np.random.default_rng(0).normal(0, jitter, len(synthetic))
    ax.scatter(synthetic[x] + offset, synthetic[y], s=8, alpha=0.5, label="EpBetaSynthesizer")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
axes[0].legend(loc="upper left", fontsize=8)
axes[2].set_title(f"sex takes {synthetic['sex'].nunique()} values", fontsize=9)

epsilons = [0.1, 0.3, 0.6, 1.0, 2.0]
ratios, errors, clipped = [], [], []
for eps in epsilons:
    rows = EpBetaSynthesizer(eps0=eps, eps1=eps, random_state=0).fit(real).sample(len(real))
    ratios.append(privacy_report(real, rows, holdout)["dcr_ratio"])
    errors.append(structure_report(real, rows)["covariance"])
    wide = [c for c in real.columns if real[c].nunique() > 2]  # sex sits on a bound anyway
    at_bound = (rows[wide] == real[wide].min()) | (rows[wide] == real[wide].max())
    clipped.append(100 * at_bound.to_numpy().mean())
bootstrap = real.sample(len(real), replace=True, random_state=0)
bootstrap_error = structure_report(real, bootstrap)["covariance"]

left, middle, right = top[1].subplots(1, 3)
left.plot(epsilons, ratios, "o-")
left.axhline(1.0, color="grey", linestyle=":", label="fresh data")
left.set(xlabel="eps0 = eps1", ylabel="dcr_ratio (privacy report)")
left.legend(fontsize=8)
middle.plot(epsilons, errors, "o-")
middle.axhline(bootstrap_error, color="grey", linestyle=":", label="bootstrap")
middle.set(xlabel="eps0 = eps1", ylabel="covariance error")
middle.legend(fontsize=8)
right.plot(epsilons, clipped, "o-")
right.set(xlabel="eps0 = eps1", ylabel="% of cells at a column's min or max")
plt.show()
