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


# -- k-mixup on the device --------------------------------------------------------
def _optimal_derangement_cost(rows):
    import itertools

    n = rows.shape[0]
    return min(
        sum(np.sum((rows[i] - rows[perm[i]]) ** 2) for i in range(n))
        for perm in itertools.permutations(range(n))
        if all(perm[i] != i for i in range(n))
    )


def test_device_kmixup_within_class_matches_each_small_class_optimally():
    from skmixup.pairing import OTBlockPairing

    rng = np.random.default_rng(4)
    labels = torch.tensor([2, 0, 1, 2, 1, 0, 2, 1, 2, 1, 0, 2, 2, 9])  # sizes 3, 4, 6 and 1
    X = torch.from_numpy(rng.normal(size=(14, 2, 2)))
    partners = OTBlockPairing(6).pair_on_device(X, labels, new_generator("cpu", 1)).numpy()
    assert sorted(partners.tolist()) == list(range(14))
    assert partners[13] == 13  # alone in its class
    flat = X.reshape(14, -1).numpy()
    for label in (0, 1, 2):
        members = np.flatnonzero(labels.numpy() == label)
        assert set(partners[members]) == set(members)
        assert np.all(partners[members] != members)
        chosen = np.sum((flat[members] - flat[partners[members]]) ** 2)
        assert chosen == pytest.approx(_optimal_derangement_cost(flat[members]), rel=1e-12)


@pytest.mark.parametrize("within_class", [False, True])
def test_device_kmixup_of_bfloat16_and_autocast_equals_float32(within_class):
    from skmixup.pairing import OTBlockPairing

    generator = torch.Generator().manual_seed(0)
    X = torch.randn(40, 3, 4, 4, generator=generator).to(torch.bfloat16)
    labels = torch.randint(0, 3, (40,), generator=generator) if within_class else None

    def partners(rows):
        return OTBlockPairing(8).pair_on_device(rows, labels, new_generator("cpu", 5))

    expected = partners(X.float())
    assert torch.equal(partners(X), expected)
    assert torch.equal(partners(X.half()), expected)  # exact in float16 too
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert torch.equal(partners(X.float()), expected)


def test_float16_raw_pixels_do_not_overflow():
    from skmixup.pairing import OTBlockPairing

    pixels = torch.randint(0, 256, (32, 3, 16, 16), generator=torch.Generator().manual_seed(1))
    half = OTBlockPairing(16).pair_on_device(pixels.half(), None, new_generator("cpu", 2))
    full = OTBlockPairing(16).pair_on_device(pixels.double(), None, new_generator("cpu", 2))
    assert torch.equal(half, full)


def test_rows_near_float32_overflow_are_matched_as_their_scaled_copy():
    from skmixup.pairing import OTBlockPairing, match_blocks

    rng = np.random.default_rng(6)
    small = rng.normal(size=(48, 5))
    huge = (small * 1e20).astype(np.float32)
    with np.errstate(over="ignore"):
        assert np.isfinite(huge).all() and not np.isfinite(huge[:2] @ huge[:2].T).all()
    expected = OTBlockPairing(8).pair_on_device(
        torch.from_numpy(small), None, new_generator("cpu", 3)
    )
    got = OTBlockPairing(8).pair_on_device(torch.from_numpy(huge), None, new_generator("cpu", 3))
    assert torch.equal(got, expected)
    A, B = huge[:24].reshape(3, 8, 5), huge[24:].reshape(3, 8, 5)
    np.testing.assert_array_equal(
        match_blocks(A, B), match_blocks(small[:24].reshape(3, 8, 5), small[24:].reshape(3, 8, 5))
    )


def test_blocks_without_features_are_matched():
    # (a sparse matrix densified over its used columns may have none)
    from skmixup.pairing import match_blocks

    sigma = match_blocks(np.zeros((3, 4, 0)), np.zeros((3, 4, 0)))
    assert np.array_equal(np.sort(sigma, axis=1), np.tile(np.arange(4), (3, 1)))
