"""The mixing engine: plans, interpolation, sparse and torch paths."""

import numpy as np
import pytest
import scipy.sparse as sp

from skmixup import _engine
from skmixup._engine import MixPlan, draw_plan, interpolate
from skmixup.pairing import RandomPairing
from skmixup.weights import Beta, EpBeta


def _row_by_row(X, plan):
    """Independent reference: the definition, one row at a time."""
    return np.array(
        [w * X[a] + (1 - w) * X[p] for a, p, w in zip(plan.anchors, plan.partners, plan.weights)]
    )


def _plan(n_source, n_rows, seed=0, law=None, k_interp=1):
    rng = np.random.default_rng(seed)
    groups = [np.arange(n_source)]
    return draw_plan(
        None,
        groups,
        [n_rows],
        law or EpBeta.variance_preserving(),
        RandomPairing(),
        rng,
        n_interpolations=k_interp,
    )


def test_interpolate_matches_definition():
    X = np.random.default_rng(0).normal(size=(50, 4))
    plan = _plan(50, 200)
    np.testing.assert_allclose(interpolate(X, plan), _row_by_row(X, plan), rtol=1e-12)


def test_interpolate_chunks_give_the_same_rows(monkeypatch):
    X = np.random.default_rng(1).normal(size=(40, 3))
    plan = _plan(40, 1000)
    whole = interpolate(X, plan)
    monkeypatch.setattr(_engine, "_CHUNK_BYTES", 3 * 8 * 7)  # 7 rows per chunk
    np.testing.assert_array_equal(interpolate(X, plan), whole)


def test_weight_one_gives_exact_anchor_copy():
    X = np.random.default_rng(2).normal(size=(5, 3)).astype(np.float32)
    plan = MixPlan(np.array([0, 1]), np.array([3, 4]), np.array([1.0, 0.0]))
    mixed = interpolate(X, plan)
    assert mixed.dtype == np.float32
    np.testing.assert_array_equal(mixed[0], X[0])
    np.testing.assert_allclose(mixed[1], X[4], rtol=1e-6)


def test_copy_columns_come_from_the_anchor():
    X = np.random.default_rng(3).normal(size=(30, 4))
    plan = _plan(30, 100)
    mixed = interpolate(X, plan, copy_columns=np.array([1, 3]))
    np.testing.assert_array_equal(mixed[:, [1, 3]], X[plan.anchors][:, [1, 3]])
    np.testing.assert_allclose(mixed[:, [0, 2]], _row_by_row(X, plan)[:, [0, 2]], rtol=1e-12)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_matches_dense(fmt):
    dense = np.random.default_rng(4).normal(size=(30, 6)).astype(np.float32)
    dense[dense < 0.3] = 0
    plan = _plan(30, 80)
    mixed = interpolate(sp.csr_matrix(dense).asformat(fmt), plan, copy_columns=np.array([2]))
    assert sp.issparse(mixed) and mixed.format == fmt and mixed.dtype == np.float32
    expected = interpolate(dense, plan, copy_columns=np.array([2]))
    np.testing.assert_allclose(mixed.toarray(), expected, rtol=1e-5, atol=1e-6)


def test_one_dimensional_input_is_one_column():
    y = np.arange(10.0)
    plan = _plan(10, 30)
    np.testing.assert_allclose(interpolate(y, plan), _row_by_row(y[:, None], plan)[:, 0])


def test_random_pairs_stay_in_their_group_and_never_self_pair():
    rng = np.random.default_rng(5)
    groups = [np.array([0, 4, 9]), np.array([1, 2]), np.arange(10, 60)]
    plan = draw_plan(None, groups, [100, 50, 7], Beta(1.0), RandomPairing(), rng)
    assert len(plan) == 157
    assert np.all(plan.anchors != plan.partners)
    for members, block in zip(groups, np.split(np.arange(157), [100, 150])):
        assert set(plan.anchors[block]) <= set(members.tolist())
        assert set(plan.partners[block]) <= set(members.tolist())


def test_random_pairs_are_uniform():
    # Anchors uniform over the group; partner uniform over the other members:
    # chi-square against the exact expected counts.
    from scipy.stats import chisquare

    rng = np.random.default_rng(6)
    n, draws = 6, 60_000
    plan = draw_plan(None, [np.arange(n)], [draws], Beta(1.0), RandomPairing(), rng)
    counts = np.zeros((n, n))
    np.add.at(counts, (plan.anchors, plan.partners), 1)
    observed = counts[~np.eye(n, dtype=bool)]
    assert chisquare(observed).pvalue > 1e-4
    assert counts.trace() == 0


def test_multiplicity_groups_rows_by_pair():
    plan = _plan(20, 23, k_interp=5)
    assert len(plan) == 23 and plan.n_interpolations == 5
    # 5 pairs: four emit 5 rows, the last one 3; rows of one pair share it.
    for start in range(0, 23, 5):
        block = slice(start, min(start + 5, 23))
        assert len(set(plan.anchors[block])) == 1 and len(set(plan.partners[block])) == 1
    assert len(set(plan.weights)) == 23  # every row draws its own weight


def test_empty_plan():
    plan = draw_plan(None, [np.arange(5)], [0], Beta(1.0), RandomPairing(), np.random.default_rng())
    assert len(plan) == 0
    assert interpolate(np.ones((5, 2)), plan).shape == (0, 2)


def test_torch_tensors_are_mixed_on_their_device():
    torch = pytest.importorskip("torch")
    X = np.random.default_rng(7).normal(size=(25, 3)).astype(np.float32)
    plan = _plan(25, 60)
    tensor = torch.from_numpy(X).to("cpu")
    mixed = interpolate(tensor, plan, copy_columns=np.array([0]))
    assert isinstance(mixed, torch.Tensor) and mixed.dtype == torch.float32
    assert mixed.device == tensor.device
    np.testing.assert_allclose(
        mixed.numpy(), interpolate(X, plan, copy_columns=np.array([0])), rtol=1e-6
    )
