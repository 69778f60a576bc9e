"""OT block matching against brute force and the theorems of ALGORITHMS.md section 3."""

import itertools

import numpy as np
import pytest

from skmixup.pairing import (
    OTBlockPairing,
    RandomPairing,
    fixed_perturbation_alpha,
    match_blocks,
    mean_min_weight_squared,
    perturbation_size,
)
from skmixup.weights import Beta


def _cost(A, B, perm):
    return float(np.sum((A - B[perm]) ** 2))


@pytest.mark.parametrize("k", [1, 2, 3, 5, 7])
def test_matching_cost_equals_brute_force_minimum(k):
    rng = np.random.default_rng(k)
    A = rng.normal(size=(6, k, 3))
    B = rng.normal(size=(6, k, 3))
    perms = match_blocks(A, B)
    for t in range(6):
        brute = min(_cost(A[t], B[t], list(p)) for p in itertools.permutations(range(k)))
        assert _cost(A[t], B[t], perms[t]) == pytest.approx(brute, rel=1e-12)
        assert sorted(perms[t]) == list(range(k))


@pytest.mark.parametrize("seed", range(5))
def test_cross_cluster_matches_equal_half_the_count_gap(seed):
    rng = np.random.default_rng(seed)
    k, n_clusters = 24, 4
    # Equidistant clusters (simplex vertices): every crossing costs the same,
    # so the optimal plan makes as few crossings as the counts allow.
    centres = 1000.0 * np.eye(n_clusters)
    labels_a = rng.integers(0, n_clusters, k)
    labels_b = rng.integers(0, n_clusters, k)
    A = centres[labels_a] + rng.normal(size=(k, n_clusters))
    B = centres[labels_b] + rng.normal(size=(k, n_clusters))
    perm = match_blocks(A[None], B[None])[0]
    crossings = int(np.sum(labels_a != labels_b[perm]))
    r = np.bincount(labels_a, minlength=n_clusters)
    s = np.bincount(labels_b, minlength=n_clusters)
    assert crossings == np.abs(r - s).sum() // 2


def test_mean_matched_distance_falls_as_k_grows():
    X = np.random.default_rng(0).normal(size=(4096, 2))
    sizes = [perturbation_size(X, k, 1.0, random_state=1) for k in [1, 4, 16, 64]]
    assert all(later < earlier for earlier, later in zip(sizes, sizes[1:]))


def test_k1_distance_is_twice_the_total_variance():
    # Distinct random rows: E||x_i - x_j||^2 = 2 trace(S) (unbiased covariance).
    X = np.random.default_rng(2).normal(size=(3000, 3)) * [1.0, 2.0, 0.5]
    expected = 2 * np.trace(np.cov(X, rowvar=False)) * mean_min_weight_squared(0.7)
    estimates = [perturbation_size(X, 1, 0.7, random_state=s) ** 2 for s in range(20)]
    standard_error = np.std(estimates, ddof=1) / np.sqrt(len(estimates))
    assert abs(np.mean(estimates) - expected) < 5 * standard_error


@pytest.mark.parametrize("alpha", [0.2, 1.0, 3.0])
def test_mean_min_weight_squared_against_monte_carlo(alpha):
    w = Beta(alpha).sample(400_000, random_state=0)
    values = np.minimum(w, 1 - w) ** 2
    standard_error = values.std(ddof=1) / np.sqrt(values.size)
    assert abs(values.mean() - mean_min_weight_squared(alpha)) < 5 * standard_error


def test_pairing_never_self_matches_and_covers_small_groups():
    X = np.random.default_rng(3).normal(size=(30, 2))
    members = np.arange(5, 15)  # a class of 10 rows, k larger than it
    anchors, partners = OTBlockPairing(16).pair(X, members, 25, np.random.default_rng(0))
    assert anchors.shape == partners.shape == (25,)
    assert np.all(anchors != partners)
    assert set(anchors) <= set(members) and set(partners) <= set(members)
    # One full round matches the class with a permutation of itself: each row
    # is a partner exactly once.
    assert sorted(partners[:10]) == sorted(members)


def test_within_group_derangement_is_optimal():
    X = np.random.default_rng(4).normal(size=(6, 2))
    members = np.arange(6)
    anchors, partners = OTBlockPairing(8).pair(X, members, 6, np.random.default_rng(1))
    cost = np.sum((X[anchors] - X[partners]) ** 2)
    best = min(
        np.sum((X[anchors] - X[anchors][list(p)]) ** 2)
        for p in itertools.permutations(range(6))
        if all(i != j for i, j in enumerate(p))
    )
    assert cost == pytest.approx(best)


def test_k1_is_random_pairing():
    X = np.zeros((10, 1))
    a1, p1 = OTBlockPairing(1).pair(X, np.arange(10), 50, np.random.default_rng(5))
    a2, p2 = RandomPairing().pair(X, np.arange(10), 50, np.random.default_rng(5))
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(p1, p2)


def test_fixed_perturbation_search_reaches_the_target():
    X = np.random.default_rng(6).normal(size=(4096, 2))
    alpha_k, capped = fixed_perturbation_alpha(X, 4, 0.2, random_state=0)
    assert not capped and alpha_k > 0.2
    # Independent estimates of both sides, averaged over seeds.
    target = np.mean([perturbation_size(X, 1, 0.2, random_state=s) for s in range(10)])
    reached = np.mean([perturbation_size(X, 4, alpha_k, random_state=s) for s in range(10)])
    assert reached == pytest.approx(target, rel=0.05)


def test_fixed_perturbation_search_reports_its_cap():
    X = np.random.default_rng(7).normal(size=(2000, 2))
    assert fixed_perturbation_alpha(X, 32, 1.0, cap=20.0, random_state=0) == (20.0, True)


def test_torch_blocks_match_numpy():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    A, B = rng.normal(size=(5, 6, 4)), rng.normal(size=(5, 6, 4))
    expected = match_blocks(A, B)
    np.testing.assert_array_equal(match_blocks(torch.from_numpy(A), torch.from_numpy(B)), expected)
    X = torch.from_numpy(rng.normal(size=(40, 3)))
    anchors, partners = OTBlockPairing(8).pair(X, np.arange(40), 40, np.random.default_rng(0))
    again = OTBlockPairing(8).pair(X.numpy(), np.arange(40), 40, np.random.default_rng(0))
    np.testing.assert_array_equal(anchors, again[0])
    np.testing.assert_array_equal(partners, again[1])


@pytest.mark.parametrize("k, error", [(0, ValueError), (2.5, TypeError), ("4", TypeError)])
def test_bad_k(k, error):
    pairing = OTBlockPairing(k)  # stored as given, scikit-learn style
    assert pairing.k is k
    with pytest.raises(error, match="k must be an integer >= 1"):
        pairing.pair(np.zeros((4, 1)), np.arange(4), 4, np.random.default_rng(0))


def test_match_blocks_shape_errors():
    with pytest.raises(ValueError, match="same shape"):
        match_blocks(np.zeros((2, 3, 1)), np.zeros((2, 4, 1)))


def test_torch_tensor_matching_equals_numpy():
    # Tensors are costed with torch's own product (as on CUDA): same matching.
    torch = pytest.importorskip("torch")
    X = np.random.default_rng(9).normal(size=(48, 5))
    on_device = OTBlockPairing(8).pair(
        torch.from_numpy(X), np.arange(48), 48, np.random.default_rng(0)
    )
    on_host = OTBlockPairing(8).pair(X, np.arange(48), 48, np.random.default_rng(0))
    np.testing.assert_array_equal(on_device[0], on_host[0])
    np.testing.assert_array_equal(on_device[1], on_host[1])


@pytest.mark.parametrize("dtype, offset", [(np.float32, 1e4), (np.float64, 1e8)])
def test_matching_survives_a_large_offset(dtype, offset):
    # Two tight clusters far from the origin: the cross-cluster matches of a
    # block pair must still be exactly (1/2) sum_c |r_c - s_c| (the theorem),
    # which a product of uncentred rows loses to rounding.
    rng = np.random.default_rng(3)
    k, n_blocks = 16, 20
    cluster_a = rng.integers(0, 2, size=(n_blocks, k))
    cluster_b = rng.integers(0, 2, size=(n_blocks, k))
    centres = np.zeros((2, 8))
    centres[1, 0] = 1.0  # clusters 1 apart, far from the origin in 8 dimensions

    def rows(cluster):
        return centres[cluster] + rng.normal(scale=0.01, size=(*cluster.shape, 8))

    A = (rows(cluster_a) + offset).astype(dtype)
    B = (rows(cluster_b) + offset).astype(dtype)
    sigma = match_blocks(A, B)
    crossed = (cluster_a != np.take_along_axis(cluster_b, sigma, axis=1)).sum(axis=1)
    expected = np.abs(cluster_a.sum(axis=1) - cluster_b.sum(axis=1))  # (1/2) sum_c |r_c - s_c|
    np.testing.assert_array_equal(crossed, expected)


def test_wide_sparse_matching_equals_the_compacted_dense_matching():
    import scipy.sparse as sp

    rng = np.random.default_rng(4)
    n_rows, width = 64, 2**20
    columns = rng.choice(width, size=40, replace=False)
    dense_used = np.where(rng.random((n_rows, 40)) < 0.3, rng.normal(size=(n_rows, 40)), 0.0)
    wide = sp.csr_matrix((n_rows, width))
    wide = sp.csr_matrix(
        (
            dense_used[dense_used != 0],
            (np.nonzero(dense_used)[0], columns[np.nonzero(dense_used)[1]]),
        ),
        shape=(n_rows, width),
    )
    members = np.arange(n_rows)
    on_sparse = OTBlockPairing(8).pair(wide, members, n_rows, np.random.default_rng(0))
    on_dense = OTBlockPairing(8).pair(dense_used, members, n_rows, np.random.default_rng(0))
    np.testing.assert_array_equal(on_sparse[0], on_dense[0])
    np.testing.assert_array_equal(on_sparse[1], on_dense[1])
