"""
Class balancing with mixup resamplers and SMOTE
================================================

An imbalanced three-class problem, balanced inside a pipeline (so each
cross-validation fold is resampled from its training part only) by
:class:`skmixup.EpBetaMixupResampler`, :class:`skmixup.KMixupResampler`,
:class:`skmixup.MultiMixResampler` and imbalanced-learn's ``SMOTE``, then
classified by a logistic regression. Scores are balanced accuracy (the mean of
per-class recalls), which plain accuracy would hide behind the majority class.
"""

import matplotlib.pyplot as plt
import numpy as np
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.preprocessing import StandardScaler

from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler

X, y = make_classification(
    n_samples=3000,
    n_features=10,
    n_informative=5,
    n_classes=3,
    n_clusters_per_class=2,
    weights=[0.85, 0.1, 0.05],
    class_sep=0.8,
    random_state=0,
)
print("class counts:", np.bincount(y).tolist())

resamplers = {
    "none": None,
    "SMOTE": SMOTE(random_state=0),
    "EpBeta": EpBetaMixupResampler(mean=0.9, random_state=0),
    "k-mixup": KMixupResampler(k=16, random_state=0),
    "multi-mix": MultiMixResampler(n_interpolations=5, random_state=0),
}
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
scores = {}
for name, resampler in resamplers.items():
    steps = [StandardScaler()] + ([resampler] if resampler is not None else [])
    pipeline = make_pipeline(*steps, LogisticRegression(max_iter=1000))
    scores[name] = cross_val_score(pipeline, X, y, cv=cv, scoring="balanced_accuracy")
    print(f"{name:>10}: balanced accuracy {scores[name].mean():.3f} +/- {scores[name].std():.3f}")

fig, ax = plt.subplots(figsize=(7, 4))
names = list(scores)
means = [scores[n].mean() for n in names]
errors = [scores[n].std() for n in names]
ax.bar(names, means, yerr=errors, capsize=4, color="tab:blue")
ax.set(ylabel="balanced accuracy (5-fold CV)", title="Balancing a 85/10/5 % problem")
ax.set_ylim(min(means) - 0.1, min(1.0, max(means) + 0.1))
fig.tight_layout()
plt.show()
