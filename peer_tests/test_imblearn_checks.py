"""imbalanced-learn's and scikit-learn's checks on the three resamplers at
non-default settings (issue 17), run by ``make peer-tests``.

The settings: ``KMixupResampler(k=8, alpha=2)``,
``MultiMixResampler(n_interpolations=5)``,
``EpBetaMixupResampler(factor=2, synthetic_only=True)``, each also with
``sampling_strategy='minority'``. Expected failures: the one the default
settings have (tests/test_common.py), for the same reason, and those in
MINORITY_FAILURES, where imbalanced-learn's checks assume the default
``sampling_strategy`` (its own SMOTE and RandomOverSampler fail them too with
``'minority'``, tested below).
"""

import pytest
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_imblearn_checks,
)
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_sklearn_checks,
)

from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler

try:
    from tests.test_common import EXPECTED_FAILED_CHECKS
except ImportError:  # run from another directory
    pytest.skip("run from the repository root", allow_module_level=True)

SETTINGS = [
    KMixupResampler(k=8, alpha=2, random_state=0),
    MultiMixResampler(n_interpolations=5, random_state=0),
    EpBetaMixupResampler(factor=2, synthetic_only=True, random_state=0),
]
RESAMPLERS = SETTINGS + [
    resampler.__class__(**{**resampler.get_params(), "sampling_strategy": "minority"})
    for resampler in SETTINGS
]


MINORITY_FAILURES = {
    "check_samplers_fit_resample": (
        "asserts that every class reaches the majority's count, which only "
        "sampling_strategy='auto'/'not majority' promise: 'minority' resamples one "
        "class of the check's three (imbalanced-learn's SMOTE fails it the same way)"
    ),
}
SYNTHETIC_ONLY_FAILURES = {
    "check_samplers_sampling_strategy_fit_resample": (
        "asserts that class 1, given no new rows, keeps its rows in the output; "
        "synthetic_only=True returns the new rows only, so it has none"
    ),
}


def expected(estimator):
    failures = dict(EXPECTED_FAILED_CHECKS)
    if estimator.get_params().get("sampling_strategy") == "minority":
        failures.update(MINORITY_FAILURES)
        if estimator.get_params().get("synthetic_only"):
            failures.update(SYNTHETIC_ONLY_FAILURES)
    return failures


def test_minority_failure_is_imblearns_own():
    from imblearn.over_sampling import SMOTE
    from imblearn.utils.estimator_checks import check_samplers_fit_resample

    with pytest.raises(AssertionError):
        check_samplers_fit_resample("SMOTE", SMOTE(sampling_strategy="minority"))


@parametrize_with_sklearn_checks(RESAMPLERS, expected_failed_checks=expected)
def test_sklearn_checks(estimator, check):
    check(estimator)


@parametrize_with_imblearn_checks(RESAMPLERS, expected_failed_checks=expected)
def test_imblearn_checks(estimator, check):
    check(estimator)
