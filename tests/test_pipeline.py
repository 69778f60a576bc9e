"""Resamplers as steps of imbalanced-learn pipelines inside GridSearchCV."""

import numpy as np
from imblearn.pipeline import Pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skmixup import EpBetaMixupResampler


class _RowCounter(LogisticRegression):
    """Logistic regression that records how many rows each fit sees."""

    def fit(self, X, y, sample_weight=None):
        self.n_rows_seen_ = X.shape[0]
        return super().fit(X, y, sample_weight)


def test_grid_search_over_eps0_and_mean():
    X, y = make_classification(200, 5, weights=[0.8, 0.2], random_state=0)
    pipeline = Pipeline([("mix", EpBetaMixupResampler(random_state=0)), ("model", _RowCounter())])
    search = GridSearchCV(
        pipeline,
        {"mix__eps0": [0.1, 0.3], "mix__mean": [0.5, 0.9]},
        cv=3,
        scoring="balanced_accuracy",
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    # Refit on all 200 rows: the resampler balanced 160 + 40 to 160 + 160.
    n_major = np.bincount(y).max()
    assert search.best_estimator_["model"].n_rows_seen_ == 2 * n_major
    # The resampler acts in fit only: predict sees the 200 original rows.
    assert search.predict(X).shape == (200,)
    assert search.best_params_["mix__eps0"] in (0.1, 0.3)
