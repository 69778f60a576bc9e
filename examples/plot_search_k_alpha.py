"""
Choosing k and alpha with GridSearchCV
======================================

The mixup resamplers are imbalanced-learn samplers, so their parameters are
searched like any other step of a pipeline. Here a grid over k-mixup's block
size ``k`` and Beta parameter ``alpha`` for an imbalanced problem, scored by
balanced accuracy; the heat map shows the mean cross-validated score.
"""

import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from skmixup import KMixupResampler

X, y = make_classification(
    n_samples=1500,
    n_features=8,
    n_informative=4,
    weights=[0.9, 0.1],
    class_sep=0.7,
    random_state=1,
)
pipeline = make_pipeline(
    StandardScaler(), KMixupResampler(random_state=0), LogisticRegression(max_iter=1000)
)
grid = {"kmixupresampler__k": [1, 4, 16], "kmixupresampler__alpha": [0.2, 1.0, 4.0]}
search = GridSearchCV(
    pipeline,
    grid,
    scoring="balanced_accuracy",
    cv=StratifiedKFold(5, shuffle=True, random_state=0),
)
search.fit(X, y)
print("best parameters:", search.best_params_, f"score {search.best_score_:.3f}")

table = np.array(search.cv_results_["mean_test_score"]).reshape(
    len(grid["kmixupresampler__alpha"]), len(grid["kmixupresampler__k"])
)
fig, ax = plt.subplots(figsize=(5.5, 4.5))
image = ax.imshow(table, cmap="viridis")
ax.set_xticks(range(3), [str(k) for k in grid["kmixupresampler__k"]])
ax.set_yticks(range(3), [str(a) for a in grid["kmixupresampler__alpha"]])
ax.set(xlabel="k", ylabel="alpha", title="balanced accuracy (5-fold CV)")
for (i, j), value in np.ndenumerate(table):
    ax.text(j, i, f"{value:.3f}", ha="center", va="center", color="white")
fig.colorbar(image)
fig.tight_layout()
plt.show()
