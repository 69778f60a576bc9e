"""Random pairing of training batches: no self-pairs, every other row equally likely."""

import numpy as np
import pytest
from scipy import stats

torch = pytest.importorskip("torch")

from skmixup._torch_random import new_generator  # noqa: E402
from skmixup.pairing import RandomPairing  # noqa: E402

N_DRAWS = 3000


def _check_partner_law(counts, groups):
    """No fixed point, nothing across groups, and for each row a chi-square
    test that its partner is uniform over the other members of its group."""
    for group in groups:
        for row in group:
            others = [j for j in group if j != row]
            assert counts[row, row] == 0
            assert counts[row].sum() == counts[row, others].sum() == N_DRAWS
            if len(others) > 1:
                assert stats.chisquare(counts[row, others]).pvalue > 1e-4


def _draw_counts(draw, n_rows):
    counts = np.zeros((n_rows, n_rows), dtype=np.int64)
    for _ in range(N_DRAWS):
        partners = draw()
        assert sorted(partners.tolist()) == list(range(n_rows))  # a permutation
        counts[np.arange(n_rows), partners] += 1
    return counts


@pytest.mark.parametrize("n_rows", [2, 3, 7])
def test_device_batch_partners_are_other_rows_uniformly(n_rows):
    generator = new_generator("cpu", n_rows)
    X = torch.zeros(n_rows, 2)
    counts = _draw_counts(
        lambda: RandomPairing().pair_on_device(X, None, generator).numpy(), n_rows
    )
    _check_partner_law(counts, [list(range(n_rows))])


def test_device_within_class_partners_are_other_class_members_uniformly():
    labels = torch.tensor([0, 1, 0, 2, 1, 0, 2, 0, 3])  # class 3: one row, its own partner
    generator = new_generator("cpu", 0)
    X = torch.zeros(9, 1)
    counts = _draw_counts(lambda: RandomPairing().pair_on_device(X, labels, generator).numpy(), 9)
    groups = [np.flatnonzero(labels.numpy() == c).tolist() for c in range(3)]
    _check_partner_law(counts, groups)
    assert counts[8, 8] == N_DRAWS


@pytest.mark.parametrize("n_rows", [2, 5])
def test_numpy_batch_partners_are_other_rows_uniformly(n_rows):
    rng = np.random.default_rng(n_rows)
    members = np.arange(10, 10 + n_rows)

    def draw():
        anchors, partners = RandomPairing().pair_batch(None, members, rng)
        assert np.array_equal(anchors, members)
        return partners - 10

    _check_partner_law(_draw_counts(draw, n_rows), [list(range(n_rows))])


def test_a_lone_row_is_its_own_partner():
    anchors, partners = RandomPairing().pair_batch(None, np.array([4]), np.random.default_rng(0))
    assert anchors.tolist() == partners.tolist() == [4]
    partners = RandomPairing().pair_on_device(torch.zeros(1, 3), None, new_generator("cpu", 0))
    assert partners.tolist() == [0]
