"""Searches on a Dask cluster (joblib's dask backend) and estimators across processes."""

import pickle

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

from imblearn.pipeline import Pipeline  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _data(n=90, seed=0):
    return make_classification(
        n_samples=n, n_features=4, n_informative=3, n_redundant=0, weights=[0.7], random_state=seed
    )


def _same_search(make_search, X, y, client):
    serial = make_search(n_jobs=1).fit(X, y)
    with distributed.get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        on_cluster = make_search(n_jobs=-1).fit(X, y)
    # The fits really ran on the cluster's worker processes.
    assert len(stream.data) > 0
    assert on_cluster.best_params_ == serial.best_params_
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(on_cluster.cv_results_[key], serial.cv_results_[key])
    return serial


def test_pipeline_search_on_cluster_matches_serial(client):
    X, y = _data()
    grid = {"mixer__mean": [0.5, 0.9], "model__C": [0.05, 1.0]}

    def make_search(n_jobs):
        pipeline = Pipeline(
            [("mixer", EpBetaMixupResampler(random_state=0)), ("model", LogisticRegression())]
        )
        return GridSearchCV(pipeline, grid, cv=2, scoring="neg_log_loss", n_jobs=n_jobs)

    search = _same_search(make_search, X, y, client)
    # The scores differ between settings, so agreeing on the best one means something.
    assert np.unique(search.cv_results_["mean_test_score"]).shape[0] == 4


def test_neural_net_search_on_cluster_matches_serial(client):
    pytest.importorskip("torch")
    from skmixup.neural_net import MixupNeuralNetClassifier

    X, y = _data(n=80, seed=1)
    X = X.astype(np.float32)
    grid = {"mixer__alpha": [0.2, 2.0]}

    def make_search(n_jobs):
        net = MixupNeuralNetClassifier(
            mixer=MultiMixResampler(),
            hidden_layer_sizes=(8,),
            max_epochs=3,
            batch_size=16,
            random_state=0,
        )
        return GridSearchCV(net, grid, cv=2, scoring="neg_log_loss", n_jobs=n_jobs)

    search = _same_search(make_search, X, y, client)
    assert np.unique(search.cv_results_["mean_test_score"]).shape[0] == 2


def _resample_from_bytes(payload):
    estimator, X, y = pickle.loads(payload)
    return estimator.fit_resample(X, y)


def _fit_predict_from_bytes(payload):
    estimator, X, y = pickle.loads(payload)
    return estimator.fit(X, y).predict_proba(X)


def _predict_from_bytes(payload):
    estimator, X = pickle.loads(payload)
    return estimator.predict_proba(X)


@pytest.mark.parametrize(
    "resampler",
    [
        EpBetaMixupResampler(random_state=3),
        KMixupResampler(k=4, random_state=3, fixed_perturbation=True),
        MultiMixResampler(n_interpolations=3, random_state=3),
    ],
    ids=lambda r: type(r).__name__,
)
def test_resampler_pickles_and_reproduces_in_another_process(client, resampler):
    X, y = _data(seed=2)
    here_X, here_y = pickle.loads(pickle.dumps(resampler)).fit_resample(X, y)
    payload = pickle.dumps((resampler, X, y))
    there_X, there_y = client.submit(_resample_from_bytes, payload, pure=False).result()
    assert client.submit(_pid, pure=False).result() != _pid()
    np.testing.assert_array_equal(there_X, here_X)
    np.testing.assert_array_equal(there_y, here_y)


def _pid():
    import os

    return os.getpid()


def test_networks_pickle_and_reproduce_in_another_process(client):
    pytest.importorskip("torch")
    from skmixup.neural_net import MixupNeuralNetClassifier

    X, y = _data(n=64, seed=4)
    X = X.astype(np.float32)
    net = MixupNeuralNetClassifier(
        mixer=KMixupResampler(k=4), hidden_layer_sizes=(8,), max_epochs=3, random_state=5
    )
    here = pickle.loads(pickle.dumps(net)).fit(X, y)
    there = client.submit(_fit_predict_from_bytes, pickle.dumps((net, X, y)), pure=False)
    np.testing.assert_allclose(there.result(), here.predict_proba(X), rtol=1e-6, atol=1e-7)
    # A fitted network unpickled elsewhere predicts the same.
    fitted = client.submit(_predict_from_bytes, pickle.dumps((here, X)), pure=False)
    np.testing.assert_array_equal(fitted.result(), here.predict_proba(X))
