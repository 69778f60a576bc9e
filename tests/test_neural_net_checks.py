"""scikit-learn's estimator checks on the neural-network estimators.

Expected failures, each with its reason, are listed in EXPECTED_FAILED_CHECKS.
"""

import pytest

pytest.importorskip("skorch")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from skmixup import KMixupResampler, MultiMixResampler  # noqa: E402
from skmixup.neural_net import MixupNeuralNetClassifier, MixupNeuralNetRegressor  # noqa: E402

# Small networks and few epochs keep the checks fast; lr is raised to match.
FAST = dict(hidden_layer_sizes=(32,), lr=0.02, max_epochs=25, batch_size=64, random_state=0)

ESTIMATORS = [
    MixupNeuralNetClassifier(**FAST),
    MixupNeuralNetClassifier(mixer=KMixupResampler(k=4, alpha=0.2), **FAST),
    MixupNeuralNetRegressor(**FAST),
    MixupNeuralNetRegressor(mixer=MultiMixResampler(n_interpolations=2, alpha=0.4), **FAST),
]

EXPECTED_FAILED_CHECKS: dict[str, str] = {
    "check_methods_subset_invariance": (
        "float32 network outputs may differ in the last bit (about 2e-7) between a "
        "batch of 20 rows and batches of one row, because the BLAS kernel depends on "
        "the number of rows; scikit-learn asks for 1e-7 absolute agreement. Outputs "
        "are deterministic for a given batch (xfail is not strict: it often passes)."
    ),
    "check_sample_weight_equivalence_on_dense_data": (
        "runs since fit takes sample_weight. A weight of 2 and a repeated row have the "
        "same expected loss but not the same mini-batches: the repeated row lengthens "
        "the epoch, which changes every shuffled batch and the number of optimiser "
        "steps, so the trained networks differ (scikit-learn lists this check for its "
        "own stochastic-gradient estimators). tests/test_neural_net.py checks what "
        "does hold: all-ones weights give exactly the unweighted model, and the loss "
        "is the weighted mean of the per-row losses."
    ),
}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
