"""The mixup conflict check (ALGORITHMS.md section 7) against brute force and closed forms."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler
from skmixup.datasets import make_alternating_line
from skmixup.metrics import MixupConflicts, mixup_conflicts


def brute_force(X, y, result, X_ref=None, y_ref=None):
    """Distance of every drawn mixed point to its nearest third-class reference
    point, from the full distance matrix (formula written out here)."""
    X_ref = X if X_ref is None else X_ref
    y_ref = y if y_ref is None else y_ref
    plan = result.plan
    w = plan.weights[:, None]
    mixed = w * X[plan.anchors] + (1 - w) * X[plan.partners]
    distances = cdist(mixed, X_ref)
    first, second = y[plan.anchors], y[plan.partners]
    excluded = (y_ref[None, :] == first[:, None]) | (y_ref[None, :] == second[:, None])
    distances[excluded] = np.inf
    return distances.min(axis=1)


def brute_scale(X, y):
    distances = cdist(X, X)
    distances[y[:, None] == y[None, :]] = np.inf
    return np.median(distances.min(axis=1))


def two_arm_spiral(n, noise, seed):
    rng = np.random.default_rng(seed)
    t = rng.uniform(np.pi, 4 * np.pi, n)
    arm = np.arange(n) % 2
    X = np.column_stack([t * np.cos(t), t * np.sin(t)]) * np.where(arm == 0, 1, -1)[:, None]
    return X + noise * rng.standard_normal(X.shape), arm


def test_alternating_line_min_distance_falls_towards_zero_as_alpha_grows():
    X, y = make_alternating_line(40)
    seeds = range(30)
    means, spreads = [], []
    for alpha in [0.1, 1.0, 1024.0]:
        minima = []
        for seed in seeds:
            result = mixup_conflicts(X, y, KMixupResampler(k=1, alpha=alpha), random_state=seed)
            expected = brute_force(X, y, result)
            np.testing.assert_allclose(result.distances, expected, rtol=1e-12, atol=1e-12)
            assert result.min_distance == pytest.approx(expected.min(), abs=1e-12)
            minima.append(result.min_distance)
        minima = np.array(minima)
        means.append(minima.mean())
        spreads.append(minima.std(ddof=1) / np.sqrt(len(minima)))
        if alpha == 1024.0:
            # Midpoints of same-class pairs two apart sit on the other class's points.
            assert minima.max() < 0.05
    for (m_low, s_low), (m_high, s_high) in zip(zip(means, spreads), zip(means[1:], spreads[1:])):
        assert m_low - m_high > 2 * np.hypot(s_low, s_high)


def test_scale_and_fraction_match_brute_force():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 3))
    y = rng.integers(0, 4, 150)
    result = mixup_conflicts(X, y, KMixupResampler(k=1), threshold=0.7, random_state=2)
    expected = brute_force(X, y, result)
    scale = brute_scale(X, y)
    assert result.scale == pytest.approx(scale, rel=1e-12)
    assert result.conflict_fraction == pytest.approx(np.mean(expected < 0.7 * scale))
    finite = expected[np.isfinite(expected)]
    for q, value in result.quantiles.items():
        assert value == pytest.approx(np.quantile(finite, q), rel=1e-12)
    # Conflicts per pair: count of conflicting points of each unordered pair.
    pairs = np.sort(np.column_stack([y[result.plan.anchors], y[result.plan.partners]]), axis=1)
    conflicting = pairs[expected < 0.7 * scale]
    for (first, second), count in result.pair_conflicts.items():
        assert count == np.sum((conflicting[:, 0] == first) & (conflicting[:, 1] == second))
    assert sum(result.pair_conflicts.values()) == conflicting.shape[0]
    counts = list(result.pair_conflicts.values())
    assert counts == sorted(counts, reverse=True)


def test_nearest_rows_are_third_class_points_at_that_distance():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 4))
    y = rng.integers(0, 3, 120)
    result = mixup_conflicts(X, y, KMixupResampler(k=4), random_state=0)
    mixed = result.mixed_points(X)
    found = result.nearest >= 0
    assert found.all()  # three classes: every pair has a third class
    np.testing.assert_allclose(
        np.linalg.norm(mixed - X[result.nearest], axis=1), result.distances, rtol=1e-12
    )
    pair = result.pair_classes
    assert not np.any(y[result.nearest] == pair[:, 0])
    assert not np.any(y[result.nearest] == pair[:, 1])


def test_well_separated_blobs_are_bounded_below_by_the_gap():
    # Three discs of radius r centred on an equilateral triangle of side L:
    # a mix of discs i and j lies within r of the segment between their
    # centres, which is L sqrt(3) / 2 from the third centre.
    rng = np.random.default_rng(0)
    side, radius = 10.0, 1.0
    centres = side * np.array([[0, 0], [1, 0], [0.5, np.sqrt(3) / 2]])
    n = 300
    angle = rng.uniform(0, 2 * np.pi, n)
    length = radius * np.sqrt(rng.uniform(0, 1, n))
    y = np.arange(n) % 3
    X = centres[y] + length[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    gap = side * np.sqrt(3) / 2 - 2 * radius
    for within_class in [False, True]:
        result = mixup_conflicts(
            X, y, KMixupResampler(k=1), within_class=within_class, random_state=0
        )
        assert result.min_distance >= gap
        assert result.conflict_fraction == 0.0 and result.pair_conflicts == {}
    # Without the exclusion of the pair's classes the minimum would be tiny.
    assert brute_force(X, np.zeros(n), result, y_ref=np.ones(n)).min() < 0.5


def test_test_set_variant_matches_brute_force():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(80, 2)), rng.integers(0, 3, 80)
    X_test, y_test = rng.normal(size=(40, 2)), rng.integers(0, 4, 40)  # class 3 unseen in y
    result = mixup_conflicts(
        X, y, KMixupResampler(k=2), X_test=X_test, y_test=y_test, threshold=0.3, random_state=5
    )
    expected = brute_force(X, y, result, X_test, y_test)
    np.testing.assert_allclose(result.test.distances, expected, rtol=1e-12)
    assert result.test.min_distance == pytest.approx(expected.min())
    assert result.test.scale == result.scale == pytest.approx(brute_scale(X, y))
    assert result.test.conflict_fraction == pytest.approx(np.mean(expected < 0.3 * result.scale))
    np.testing.assert_allclose(result.distances, brute_force(X, y, result), rtol=1e-12)
    assert "test: min distance" in result.summary()


def test_spiral_conflicts_fall_with_k():
    differences = []
    for seed in range(10):
        X, y = two_arm_spiral(400, 0.2, seed)
        fractions = [
            mixup_conflicts(
                X, y, KMixupResampler(k=k, alpha=1.0), within_class=True, random_state=seed
            ).conflict_fraction
            for k in (1, 16)
        ]
        differences.append(fractions[0] - fractions[1])
    differences = np.array(differences)
    standard_error = differences.std(ddof=1) / np.sqrt(differences.size)
    assert differences.mean() > 4 * standard_error


def test_within_class_excludes_only_the_pair_class():
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(90, 2)), rng.integers(0, 3, 90)
    result = mixup_conflicts(X, y, KMixupResampler(k=1), within_class=True, random_state=0)
    pair = result.pair_classes
    assert np.array_equal(pair[:, 0], pair[:, 1])
    # Brute force over every class but i: the other two classes are both searched.
    np.testing.assert_allclose(result.distances, brute_force(X, y, result), rtol=1e-12)
    nearest_classes = y[result.nearest]
    assert not np.any(nearest_classes == pair[:, 0])
    for label in range(3):
        others = set(nearest_classes[pair[:, 0] == label].tolist())
        assert others == set(range(3)) - {label}


def test_within_class_batches_mix_exactly_as_training_would():
    # Every batch of the epoch: each row anchors once and its partner is of its class.
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(100, 2)), rng.integers(0, 3, 100)
    result = mixup_conflicts(
        X, y, MultiMixResampler(n_interpolations=3), within_class=True, batch_size=32
    )
    plan = result.plan
    assert len(plan) == 300
    assert np.array_equal(np.sort(plan.anchors[::3]), np.arange(100))
    assert np.array_equal(y[plan.anchors], y[plan.partners])
    batch_of = np.empty(100, dtype=int)
    for position, row in enumerate(plan.anchors[::3]):
        batch_of[row] = position // 32
    assert np.array_equal(batch_of[plan.anchors], batch_of[plan.partners])


def test_reproducible_with_random_state():
    X, y = two_arm_spiral(200, 0.2, 0)
    mixer = KMixupResampler(k=4)
    first = mixup_conflicts(X, y, mixer, random_state=3)
    second = mixup_conflicts(X, y, mixer, random_state=3)
    other = mixup_conflicts(X, y, mixer, random_state=4)
    assert first == second
    np.testing.assert_array_equal(first.distances, second.distances)
    np.testing.assert_array_equal(first.plan.partners, second.plan.partners)
    assert not np.array_equal(first.plan.partners, other.plan.partners)


def test_two_classes_cross_pairs_have_no_third_class():
    X, y = make_alternating_line(10)
    result = mixup_conflicts(X, y, KMixupResampler(k=1), random_state=0)
    cross = result.pair_classes[:, 0] != result.pair_classes[:, 1]
    assert cross.any() and np.all(np.isinf(result.distances[cross]))
    assert np.all(result.nearest[cross] == -1)
    assert np.all(np.isfinite(result.distances[~cross]))


def test_repr_and_summary_are_readable():
    X, y = make_alternating_line(20)
    result = mixup_conflicts(X, y, KMixupResampler(k=1, alpha=1024.0), random_state=0)
    assert isinstance(result, MixupConflicts)
    assert repr(result).startswith("MixupConflicts(min_distance=")
    assert "conflicts by class pair" in result.summary()
    with pytest.raises(AttributeError):
        result.scale = 2.0


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(y=np.zeros(20)), ValueError, "single class"),
        (dict(y=np.arange(19) % 2), ValueError, "inconsistent numbers of rows"),
        (dict(X=np.r_[np.arange(19.0), np.nan][:, None]), ValueError, "NaN"),
        (dict(y=np.r_[np.arange(19.0) % 2, np.nan]), ValueError, "y contains NaN"),
        (dict(y=np.linspace(0, 1, 20)), ValueError, "class labels"),
        (dict(mixer="mixup"), TypeError, "mixer must be a skmixup resampler"),
        (dict(threshold=0.0), ValueError, "threshold"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(quantiles=(0.5, 2.0)), ValueError, "quantiles"),
        (dict(within_class="yes"), TypeError, "within_class"),
        (dict(X_test=np.zeros((3, 1))), ValueError, "X_test and y_test"),
        (dict(X_test=np.zeros((3, 2)), y_test=[0, 1, 0]), ValueError, "X_test has 2 features"),
        (dict(X_test=np.zeros((3, 1)), y_test=[0, 1]), ValueError, "X_test and y_test have"),
        (dict(X_test=np.zeros((2, 1)), y_test=["a", "b"]), TypeError, "labels of one kind"),
        (dict(mixer=KMixupResampler(alpha=-1.0)), ValueError, "alpha"),
        (dict(mixer=KMixupResampler(categorical_features=[0])), ValueError, "categorical"),
    ],
)
def test_bad_input_gives_a_clear_error(kwargs, error, match):
    X, y = make_alternating_line(20)
    arguments = dict(X=X, y=y, mixer=KMixupResampler(k=1))
    arguments.update(kwargs)
    X, y, mixer = arguments.pop("X"), arguments.pop("y"), arguments.pop("mixer")
    with pytest.raises(error, match=match):
        mixup_conflicts(X, y, mixer, **arguments)


def test_string_labels_and_epbeta_weights():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(60, 2))
    y = np.array(["cat", "dog", "emu"])[rng.integers(0, 3, 60)]
    result = mixup_conflicts(X, y, EpBetaMixupResampler(), within_class=True, random_state=0)
    np.testing.assert_allclose(result.distances, brute_force(X, y, result), rtol=1e-12)
    assert set(result.pair_classes.ravel().tolist()) <= {"cat", "dog", "emu"}


@pytest.mark.filterwarnings("ignore:feature scales differ:UserWarning")
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n_rows=st.integers(4, 40),
    n_classes=st.integers(2, 4),
    k=st.integers(1, 5),
    batch_size=st.sampled_from([-1, 3, 8, 128]),
    within_class=st.booleans(),
    separation=st.sampled_from([0.0, 3.0, 30.0]),
    offset=st.sampled_from([0.0, 1e3]),
)
def test_distances_equal_brute_force_for_any_data(
    seed, n_rows, n_classes, k, batch_size, within_class, separation, offset
):
    # Classes apart (separation) let the search skip classes whose ball is
    # farther than the best row found: the result must not change.
    rng = np.random.default_rng(seed)
    y = np.arange(n_rows) % n_classes
    centres = rng.normal(size=(n_classes, 3)) * separation
    X = rng.normal(size=(n_rows, 3)) + centres[y] + offset
    result = mixup_conflicts(
        X,
        y,
        KMixupResampler(k=k, alpha=0.5),
        within_class=within_class,
        batch_size=batch_size,
        random_state=seed,
    )
    expected = brute_force(X, y, result)
    np.testing.assert_allclose(result.distances, expected, rtol=1e-10, atol=1e-12)
    assert np.array_equal(np.sort(result.plan.anchors), np.arange(n_rows))
    assert 0.0 <= result.conflict_fraction <= 1.0


# -- issue 18: distance 0, shared rows, extreme scales, standardize, verdict, advice --


def test_identical_rows_of_three_classes_are_all_conflicts_despite_a_zero_scale():
    # Every row has a copy in the two other classes: the median gap is 0, and
    # every mixed point of two copies of a row sits on the third class's copy.
    X = np.ones((30, 3))
    y = np.arange(30) % 3
    result = mixup_conflicts(X, y, KMixupResampler(k=1), random_state=0)
    assert result.scale == 0.0
    assert np.all(result.distances == 0.0)
    assert result.conflict_fraction == 1.0 and result.is_conflict.all()
    assert (result.shared_rows, result.shared_groups) == (30, 1)
    assert result.verdict == "high"
    text = result.summary()
    assert not re.search(r"(?<!\d)0\.00%", text) and "verdict: none" not in text
    assert "rows shared by several classes: 30 of 30" in text


def test_near_zero_distances_count_as_conflicts_whatever_the_scale():
    # Five rows copied into three classes: the scale is 0, and a mix of two
    # copies of one row lands on (within rounding of) the third copy.
    rng = np.random.default_rng(11)
    base = rng.normal(size=(5, 2)) * 3.0
    X = np.repeat(base, 3, axis=0)
    y = np.tile(np.arange(3), 5)
    result = mixup_conflicts(X, y, KMixupResampler(k=1), batch_size=-1, random_state=1)
    expected = brute_force(X, y, result)
    spread = np.sqrt(np.sum(np.var(X, axis=0)))  # root mean squared distance to the mean
    on_a_point = expected <= 1e-6 * spread
    assert result.scale == 0.0 and on_a_point.any() and not on_a_point.all()
    np.testing.assert_array_equal(result.is_conflict, on_a_point)
    assert result.conflict_fraction == pytest.approx(on_a_point.mean())
    assert result.shared_rows == 15 and result.shared_groups == 5


def test_shared_rows_match_brute_force():
    rng = np.random.default_rng(12)
    X = rng.integers(0, 3, size=(80, 2)).astype(float)
    y = rng.integers(0, 3, 80)
    result = mixup_conflicts(X, y, KMixupResampler(k=1), random_state=0, advise=False)
    same = np.all(X[:, None, :] == X[None, :, :], axis=2)
    shared = np.any(same & (y[:, None] != y[None, :]), axis=1)
    vectors = {tuple(row) for row, s in zip(X.tolist(), shared) if s}
    assert result.shared_rows == shared.sum() > 0
    assert result.shared_groups == len(vectors)
    assert result.verdict != "none"


@pytest.mark.parametrize("unit", [1e300, 1e-300])
def test_extreme_units_give_the_same_result_without_runtime_warnings(unit):
    rng = np.random.default_rng(13)
    X = rng.normal(size=(90, 3))
    y = rng.integers(0, 3, 90)
    plain = mixup_conflicts(X, y, KMixupResampler(k=1), random_state=2)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled = mixup_conflicts(X * unit, y, KMixupResampler(k=1), random_state=2)
    assert scaled.scale == pytest.approx(plain.scale * unit, rel=1e-12)
    np.testing.assert_allclose(scaled.distances, plain.distances * unit, rtol=1e-12)
    assert scaled.conflict_fraction == plain.conflict_fraction > 0
    assert scaled.shared_rows == 0


def test_values_whose_distances_overflow_are_refused_unless_standardized():
    rng = np.random.default_rng(14)
    X = rng.uniform(-1, 1, size=(60, 3)) * 1.7e308
    y = rng.integers(0, 3, 60)
    with pytest.raises(ValueError, match="float64 range.*standardize=True"):
        mixup_conflicts(X, y, KMixupResampler(k=1), random_state=0)
    result = mixup_conflicts(X, y, KMixupResampler(k=1), standardize=True, random_state=0)
    # Standardizing is scale-free: the same as standardizing X / 2**1000.
    from sklearn.preprocessing import StandardScaler

    manual = mixup_conflicts(
        StandardScaler().fit_transform(X / 2.0**1000), y, KMixupResampler(k=1), random_state=0
    )
    np.testing.assert_allclose(result.distances, manual.distances, rtol=1e-12)


def test_standardize_equals_a_manual_standard_scaler_run():
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(15)
    X = rng.normal(size=(120, 3)) * [1000.0, 1.0, 0.01] + [5.0, -2.0, 0.0]
    y = rng.integers(0, 3, 120)
    X_test, y_test = rng.normal(size=(40, 3)) * [1000.0, 1.0, 0.01], rng.integers(0, 3, 40)
    mixer = KMixupResampler(k=4)
    result = mixup_conflicts(
        X, y, mixer, standardize=True, X_test=X_test, y_test=y_test, random_state=6
    )
    scaler = StandardScaler().fit(X)
    manual = mixup_conflicts(
        scaler.transform(X),
        y,
        mixer,
        X_test=scaler.transform(X_test),
        y_test=y_test,
        random_state=6,
    )
    np.testing.assert_allclose(result.distances, manual.distances, rtol=1e-12)
    np.testing.assert_allclose(result.test.distances, manual.test.distances, rtol=1e-12)
    assert result.conflict_fraction == manual.conflict_fraction
    assert result.scale == pytest.approx(manual.scale, rel=1e-12)
    assert result.standardized and not manual.standardized
    assert "measured on: standardized features" in result.summary()
    assert "measured on: the features as given" in manual.summary()


def test_feature_scales_ten_times_apart_are_named_in_a_warning():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(16)
    sds = {"big": 200.0, "mid": 3.0, "small": 0.5, "flat": 0.0}
    X = pd.DataFrame({name: rng.normal(size=90) * sd for name, sd in sds.items()})
    y = rng.integers(0, 3, 90)
    message = r"dominated by big \(SD [\d.]+\) and barely see small \(SD [\d.]+\), mid \(SD"
    with pytest.warns(UserWarning, match=message):
        result = mixup_conflicts(X, y, KMixupResampler(k=1), random_state=0)
    ratio = X["big"].std(ddof=0) / X["small"].std(ddof=0)  # the constant column is left out
    assert result.feature_scale_ratio == pytest.approx(ratio)
    assert "warning: feature scales differ" in result.summary()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        standardized = mixup_conflicts(X, y, KMixupResampler(k=1), standardize=True)
        mixup_conflicts(X[["mid", "small"]], y, KMixupResampler(k=1))  # 6x apart: silent
    assert standardized.scale_warning is None


def test_verdict_grades_the_conflict_fraction():
    from skmixup._conflict_advice import HIGH_FRACTION, grade

    assert HIGH_FRACTION == 0.05
    rng = np.random.default_rng(17)
    seen = set()
    for seed, spread in enumerate([0.0, 0.0, 2.0, 6.0, 30.0]):
        centres = np.array([[0, 0], [1, 0], [0.5, 0.9]]) * spread
        y = np.arange(150) % 3
        X = rng.normal(size=(150, 2)) + centres[y]
        result = mixup_conflicts(X, y, KMixupResampler(k=1), random_state=seed, advise=False)
        fraction = np.mean(brute_force(X, y, result) < 0.5 * result.scale)
        expected = "none" if fraction == 0 else "low" if fraction < 0.05 else "high"
        assert result.verdict == expected
        seen.add(expected)
        assert f"verdict: {expected}." in result.summary()
    assert grade(0.011, 0.0) == "low" and grade(0.12, 0.0) == "high"
    assert {"none", "high"} <= seen


def test_advice_is_measured_on_the_same_data_and_seed():
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the scale warning
        result = mixup_conflicts(X, y, KMixupResampler(k=1), random_state=1)
        changes = {c.change for c in result.advice}
        assert changes == {"within_class", "standardize", "k", "alpha"}
        for candidate in result.advice:
            again = mixup_conflicts(
                X,
                y,
                candidate.mixer,
                within_class=candidate.within_class,
                standardize=candidate.standardize,
                random_state=1,
                advise=False,
            )
            assert candidate.conflict_fraction == again.conflict_fraction
            assert candidate.lowers == (again.conflict_fraction < result.conflict_fraction)
    assert result.suggestions and all(c.lowers for c in result.suggestions)
    fractions = [c.conflict_fraction for c in result.suggestions]
    assert fractions == sorted(fractions)
    assert result.suggestions[0].python == "standardize=True"
    text = result.summary()
    assert "verdict: high." in text and "advice (" in text
    assert all(c.python in text for c in result.advice)


def test_no_advice_without_conflicts_or_when_not_asked():
    X, y = make_alternating_line(20)
    quiet = mixup_conflicts(X, y, KMixupResampler(k=1, alpha=1024.0), advise=False, random_state=0)
    assert quiet.advice == () and "advice" not in quiet.summary()
    rng = np.random.default_rng(18)
    y = np.arange(90) % 3
    X = rng.normal(size=(90, 2)) * 0.1 + 50 * np.array([[0, 0], [1, 0], [0.5, 0.9]])[y]
    calm = mixup_conflicts(X, y, KMixupResampler(k=1), random_state=0)
    assert calm.verdict == "none" and calm.advice == ()


def test_weights_outside_the_unit_interval_need_within_class():
    X, y = make_alternating_line(20)
    with pytest.raises(ValueError, match=r"outside \[0, 1\].*within_class=True"):
        mixup_conflicts(X, y, EpBetaMixupResampler(), random_state=0)
