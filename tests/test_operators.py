"""Mixing operators (CutMix, interpolation) and BatchMixer's plain-PyTorch front end."""

import collections
import contextlib
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402

from skmixup._engine import draw_device_batch_plan, interpolate, mix  # noqa: E402
from skmixup._torch_random import new_generator  # noqa: E402
from skmixup.neural_net import BatchMixer  # noqa: E402
from skmixup.pairing import OTBlockPairing, RandomPairing  # noqa: E402
from skmixup.weights import Beta, EpBeta  # noqa: E402


# -- an independent reading of a CutMix batch ---------------------------------------------
def _check_cutmix_rows(X, X_mixed, plan, y=None, y_soft=None, n_classes=None):
    """Every row is its anchor outside one rectangle and its partner inside, and
    its label weight (and soft label) is 1 - the rectangle's area share.

    Works from the pixels alone (``X`` continuous, so an anchor and a distinct
    partner differ at every pixel); ``plan.boxes`` is only compared at the end.
    """
    X, X_mixed = X.double().numpy(), X_mixed.double().numpy()
    anchors, partners = plan.anchors.numpy(), plan.partners.numpy()
    weights = plan.weights.numpy()
    n, height, width = X_mixed.shape[0], X.shape[-2], X.shape[-1]
    spatial = (n, -1, height, width)
    out = X_mixed.reshape(spatial)
    anchor_rows, partner_rows = X[anchors].reshape(spatial), X[partners].reshape(spatial)
    from_anchor = (out == anchor_rows).all(axis=1)
    from_partner = (out == partner_rows).all(axis=1)
    for r in range(n):
        if anchors[r] == partners[r]:  # a row pasted on itself: the box is invisible
            np.testing.assert_array_equal(out[r], anchor_rows[r])
            inside = _box_masks(plan.boxes[r : r + 1].numpy(), height, width)[0]
            top, left = plan.boxes[r, :, 0].tolist()
        else:
            assert np.all(from_anchor[r] ^ from_partner[r]), "a pixel from neither row"
            inside = from_partner[r]
            rows, cols = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
            top = rows[0] if rows.size else 0
            left = cols[0] if cols.size else 0
            # one rectangle: the pasted pixels are exactly the product of their rows and columns
            rectangle = np.zeros_like(inside)
            if rows.size:
                rectangle[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] = True
            np.testing.assert_array_equal(inside, rectangle)
        area = inside.sum()
        assert weights[r] == 1.0 - area / (height * width)  # exactly
        if area:  # the recorded box is the pasted rectangle
            box = plan.boxes[r].numpy()
            assert (box[0, 0], box[1, 0]) == (top, left)
            assert (box[0, 1] - box[0, 0]) * (box[1, 1] - box[1, 0]) == area
        if y_soft is not None:
            expected = np.zeros(n_classes)
            expected[y[anchors[r]]] += weights[r]
            expected[y[partners[r]]] += 1.0 - weights[r]
            np.testing.assert_allclose(y_soft[r].double().numpy(), expected, atol=1e-6)


def _images(n, *shape, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).normal(size=(n, *shape)))


def test_cutmix_rows_with_random_pairing():
    X, y = _images(16, 3, 8, 8).float(), torch.arange(16) % 5
    mixer = BatchMixer.cutmix(n_classes=5, random_state=0)
    X_mixed, y_soft = mixer(X, y)
    plan = mixer.last_plan_
    assert plan.operator == "cutmix" and X_mixed.dtype == torch.float32
    _check_cutmix_rows(X, X_mixed, plan, y.numpy(), y_soft, 5)
    assert 0 < (plan.weights < 1).sum()  # some rows really were pasted


def _matching_cost(flat, partners):
    return float(np.sum((flat - flat[partners]) ** 2))


def test_cutmix_with_kmixup_pastes_the_optimal_partners():
    # A batch no larger than k is matched as one block: its partners are the
    # derangement of least total squared distance between flattened images.
    n, k, repeats = 5, 5, 2
    X, y = _images(n, 2, 4, 4, seed=3), torch.tensor([0, 1, 2, 0, 1])
    mixer = BatchMixer(
        Beta(1.0), OTBlockPairing(k), repeats, n_classes=3, random_state=1, operator="cutmix"
    )
    X_mixed, y_soft = mixer(X, y)
    plan = mixer.last_plan_
    flat = X.reshape(n, -1).numpy()
    pair_partners = plan.partners.numpy()[::repeats]
    best = min(
        _matching_cost(flat, np.array(perm))
        for perm in itertools.permutations(range(n))
        if all(perm[i] != i for i in range(n))
    )
    assert sorted(pair_partners) == list(range(n)) and np.all(pair_partners != np.arange(n))
    assert _matching_cost(flat, pair_partners) == pytest.approx(best, rel=1e-12)
    _check_cutmix_rows(X, X_mixed, plan, y.numpy(), y_soft, 3)


def test_cutmix_draws_one_box_per_interpolation():
    n, repeats = 12, 4
    X, y = _images(n, 1, 9, 7, seed=1), torch.arange(n) % 3
    mixer = BatchMixer.cutmix(n_classes=3, n_interpolations=repeats, random_state=2)
    X_mixed, y_soft = mixer(X, y)
    plan = mixer.last_plan_
    assert X_mixed.shape == (n * repeats, 1, 9, 7)
    assert torch.equal(plan.anchors, torch.arange(n).repeat_interleave(repeats))
    assert torch.equal(
        plan.partners.reshape(n, repeats), plan.partners[::repeats, None].expand(-1, 4)
    )
    _check_cutmix_rows(X, X_mixed, plan, y.numpy(), y_soft, 3)
    boxes = plan.boxes.reshape(n, repeats, 4)
    # each of a pair's rows has its own box (not one box repeated K times)
    assert sum(len(set(map(tuple, b.tolist()))) > 1 for b in boxes) > n // 2


def test_cutmix_within_class_keeps_labels_hard():
    X, y = _images(20, 1, 6, 6, seed=2), torch.arange(20) % 4
    mixer = BatchMixer(Beta(1.0), RandomPairing(), within_class=True, n_classes=4, random_state=0)
    mixer.operator = "cutmix"
    X_mixed, y_soft = mixer(X, y)
    plan = mixer.last_plan_
    assert torch.equal(y[plan.partners], y[plan.anchors])
    _check_cutmix_rows(X, X_mixed, plan)
    assert torch.equal(y_soft, torch.nn.functional.one_hot(y, 4).to(y_soft.dtype))


@settings(max_examples=40)
@given(
    n=st.integers(1, 6),
    middle=st.lists(st.integers(1, 3), max_size=2),
    height=st.integers(1, 9),
    width=st.integers(1, 9),
    repeats=st.integers(1, 3),
    alpha=st.sampled_from([0.2, 1.0, 5.0]),
    weight_mode=st.sampled_from(["row", "batch"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_cutmix_box_invariants_on_any_shape(
    n, middle, height, width, repeats, alpha, weight_mode, seed
):
    X = _images(n, *middle, height, width, seed=seed % 1000)
    original = X.clone()
    plan = draw_device_batch_plan(
        X, None, Beta(alpha), RandomPairing(), new_generator("cpu", seed), repeats,
        operator="cutmix", weight_mode=weight_mode,
    )  # fmt: skip
    X_mixed = mix(X, plan)
    assert torch.equal(X, original)  # originals unchanged
    assert X_mixed.shape == (n * repeats, *X.shape[1:]) and X_mixed.dtype == X.dtype
    boxes = plan.boxes.numpy()
    assert np.all(boxes[:, :, 0] >= 0) and np.all(boxes[:, :, 0] <= boxes[:, :, 1])
    assert np.all(boxes[:, 0, 1] <= height) and np.all(boxes[:, 1, 1] <= width)
    assert np.all(boxes == np.round(boxes))
    if weight_mode == "batch":
        assert np.all(boxes == boxes[:1]) and len(set(plan.weights.tolist())) == 1
    _check_cutmix_rows(X, X_mixed, plan)
    # uint8 images are pasted, not converted
    images = (original * 40 + 128).clamp(0, 255).to(torch.uint8)
    pasted = mix(images, plan)
    assert pasted.dtype == torch.uint8
    inside = torch.from_numpy(_box_masks(boxes, height, width))
    inside = inside.reshape(len(plan), *([1] * len(middle)), height, width)
    expected = torch.where(inside, images[plan.partners], images[plan.anchors])
    assert torch.equal(pasted, expected)


def _box_masks(boxes, height, width):
    rows, cols = np.arange(height), np.arange(width)
    in_rows = (rows >= boxes[:, 0, :1]) & (rows < boxes[:, 0, 1:])
    in_cols = (cols >= boxes[:, 1, :1]) & (cols < boxes[:, 1, 1:])
    return in_rows[:, :, None] & in_cols[:, None, :]


def test_box_size_and_centre_follow_the_law():
    # Weights concentrated at 1/2: unclipped sides are floor(8 sqrt(1/2)) = 5,
    # centres uniform on 0..7, so the box rows are [max(c - 2, 0), min(c + 3, 8))
    # and the kept share has a closed-form mean.
    n = 4000
    plan = draw_device_batch_plan(
        torch.zeros(n, 1, 8, 8), None, Beta(1e5), RandomPairing(), new_generator("cpu", 0),
        operator="cutmix",
    )  # fmt: skip
    boxes = plan.boxes.numpy()
    heights = np.array([min(c + 3, 8) - max(c - 2, 0) for c in range(8)])
    for axis in range(2):
        tops = boxes[:, axis, 0]
        expected = np.array([max(c - 2, 0) for c in range(8)])
        counts = np.array([np.sum(tops == t) for t in range(6)])
        probs = np.array([np.mean(expected == t) for t in range(6)])
        se = np.sqrt(probs * (1 - probs) / n)
        assert np.all(np.abs(counts / n - probs) < 5 * se + 1e-12)
        assert set(boxes[:, axis, 1] - boxes[:, axis, 0]) <= set(heights)
    mean_kept = 1.0 - heights.mean() ** 2 / 64
    w = plan.weights.numpy()
    assert abs(w.mean() - mean_kept) < 5 * w.std() / np.sqrt(n)


def test_operator_mapping_draws_each_rows_operator():
    n = 2000
    X, y = _images(n, 1, 4, 4), torch.arange(n) % 3
    mixer = BatchMixer(
        Beta(1.0), RandomPairing(), n_classes=3, random_state=0,
        operator={"lerp": 0.3, "cutmix": 0.7},
    )  # fmt: skip
    X_mixed, y_soft = mixer(X, y)
    plan = mixer.last_plan_
    cut = plan.cut.numpy()
    assert abs(cut.mean() - 0.7) < 5 * np.sqrt(0.7 * 0.3 / n)
    boxes = plan.boxes.numpy()
    assert plan.operator == "mixed" and np.all(boxes[~cut, :, 0] == boxes[~cut, :, 1])  # empty
    # interpolated rows: w x_a + (1 - w) x_p with their own Beta weight
    lerp_rows = torch.from_numpy(~cut)
    w = plan.weights[lerp_rows][:, None, None, None]
    expected = w * X[plan.anchors[lerp_rows]] + (1 - w) * X[plan.partners[lerp_rows]]
    torch.testing.assert_close(X_mixed[lerp_rows], expected)
    cut_plan = type(plan)(
        plan.anchors[~lerp_rows], plan.partners[~lerp_rows], plan.weights[~lerp_rows],
        operator="cutmix", boxes=plan.boxes[~lerp_rows],
    )  # fmt: skip
    _check_cutmix_rows(X, X_mixed[~lerp_rows], cut_plan)
    soft = y_soft.double()
    expected_soft = interpolate(torch.nn.functional.one_hot(y, 3).double(), plan)
    torch.testing.assert_close(soft, expected_soft, atol=1e-6, rtol=0)


# -- options ---------------------------------------------------------------------------
@pytest.mark.parametrize("operator", ["lerp", "cutmix"])
def test_label_smoothing_closed_form(operator):
    n, n_classes, e = 32, 6, 0.1
    X, y = _images(n, 1, 5, 5).float(), torch.arange(n) % n_classes
    mixer = BatchMixer.mixup(
        n_classes=n_classes, label_smoothing=e, operator=operator, random_state=0
    )
    _, y_soft = mixer(X, y)
    plan = mixer.last_plan_
    w = plan.weights.numpy()
    anchors, partners = plan.anchors.numpy(), plan.partners.numpy()
    expected = np.full((n, n_classes), e / n_classes)
    np.add.at(expected, (np.arange(n), y.numpy()[anchors]), (1 - e) * w)
    np.add.at(expected, (np.arange(n), y.numpy()[partners]), (1 - e) * (1 - w))
    np.testing.assert_allclose(y_soft.numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(y_soft.sum(dim=1).numpy(), 1.0, atol=1e-6)


@pytest.mark.parametrize("operator", ["lerp", "cutmix", {"lerp": 0.5, "cutmix": 0.5}])
def test_p_zero_returns_the_originals(operator):
    X, y = _images(16, 2, 6, 6).float(), torch.arange(16) % 4
    mixer = BatchMixer.mixup(n_classes=4, p=0.0, operator=operator, random_state=0)
    X_mixed, y_soft = mixer(X, y)
    assert torch.equal(X_mixed, X)
    assert torch.equal(y_soft, torch.nn.functional.one_hot(y, 4).float())
    assert torch.all(mixer.last_plan_.weights == 1.0)


def test_p_mixes_that_share_of_rows():
    n, p = 4000, 0.3
    X, y = _images(n, 4).float(), torch.arange(n) % 2
    mixer = BatchMixer.mixup(n_classes=2, p=p, random_state=0)
    X_mixed, _ = mixer(X, y)
    unmixed = (mixer.last_plan_.weights == 1.0).numpy()
    assert abs(1 - unmixed.mean() - p) < 5 * np.sqrt(p * (1 - p) / n)
    assert torch.equal(X_mixed[torch.from_numpy(unmixed)], X[torch.from_numpy(unmixed)])


@pytest.mark.parametrize("operator", ["lerp", "cutmix"])
def test_weight_mode_batch_draws_one_weight(operator):
    X, y = _images(24, 1, 8, 8).float(), torch.arange(24) % 3
    mixer = BatchMixer.mixup(
        n_classes=3, weight_mode="batch", operator=operator, n_interpolations=2, random_state=4
    )
    mixer(X, y)
    weights = mixer.last_plan_.weights
    assert weights.shape == (48,) and torch.all(weights == weights[0])
    row = BatchMixer.mixup(n_classes=3, operator=operator, random_state=4)
    row(X, y)
    assert len(set(row.last_plan_.weights.tolist())) > 1


def test_integer_images_lerp_in_float32_and_paste_as_integers():
    images = torch.randint(0, 256, (10, 3, 6, 6), dtype=torch.uint8)
    y = torch.arange(10) % 2
    lerped, _ = BatchMixer.mixup(n_classes=2, random_state=0)(images, y)
    again = BatchMixer.mixup(n_classes=2, random_state=0)
    expected, _ = again(images.float(), y)
    assert lerped.dtype == torch.float32 and torch.equal(lerped, expected)
    pasted, _ = BatchMixer.cutmix(n_classes=2, random_state=0)(images, y)
    assert pasted.dtype == torch.uint8


def test_constructors_are_the_long_forms():
    X, y = _images(16, 1, 8, 8).float(), torch.arange(16) % 4
    for short, long in [
        (BatchMixer.mixup(0.4, 4, random_state=3), BatchMixer(Beta(0.4), RandomPairing(), 1)),
        (
            BatchMixer.cutmix(2.0, 4, random_state=3),
            BatchMixer(Beta(2.0), RandomPairing(), 1, operator="cutmix"),
        ),
    ]:
        long.n_classes, long.random_state = 4, 3
        long.reset()
        for got, want in zip(short(X, y), long(X, y)):
            assert torch.equal(got, want)
    assert "operator='cutmix'" in repr(BatchMixer.cutmix())


# -- errors ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, y, message",
    [
        (dict(n_classes=None), torch.arange(8) % 2, "n_classes is None"),
        (dict(n_classes=2), torch.zeros(8), r"y holds floats .* expects class indices"),
        (dict(n_classes=2), torch.arange(9) % 2, "y has 9 rows but the batch X has 8"),
        (dict(n_classes=2), torch.tensor([0, 1, 2, 0, 1, 0, 1, 0]), "class index 2"),
        (dict(n_classes=2), torch.tensor([0, 1, -1, 0, 1, 0, 1, 0]), "class index -1"),
        (dict(n_classes=2), torch.zeros(8, 1, dtype=torch.long), r"shape \(n,\)"),
        (dict(n_classes=2, operator="puzzle"), torch.arange(8) % 2, "operator must be one of"),
        (dict(n_classes=2, operator={"cutmix": 0.5}), None, "sum to 1"),
        (dict(n_classes=2, operator={"cutmix": 1.5, "lerp": -0.5}), None, r"operator\['cutmix'\]"),
        (dict(n_classes=2, operator={"mixup": 1.0}), None, "operator's keys"),
        (dict(n_classes=2, p=1.5), None, r"p must be a float in \[0, 1\]"),
        (dict(n_classes=2, label_smoothing=-0.1), None, "label_smoothing must be"),
        (dict(label_smoothing=0.1, n_classes=None), torch.zeros(8), "label_smoothing applies"),
        (dict(n_classes=2, weight_mode="pair"), None, "weight_mode must be"),
    ],
)
def test_bad_input_is_refused_before_any_draw(kwargs, y, message):
    X, good_y = _images(8, 1, 4, 4).float(), torch.arange(8) % 2
    mixer, reference = (BatchMixer.mixup(n_classes=2, random_state=0) for _ in range(2))
    mixer(X, good_y), reference(X, good_y)
    for name, value in kwargs.items():
        setattr(mixer, name, value)
    with pytest.raises(ValueError, match=message):
        mixer(X, good_y if y is None else y)
    # nothing was drawn: with good options again it continues as the reference does
    mixer.__dict__.update({name: getattr(reference, name) for name in kwargs})
    assert torch.equal(mixer(X, good_y)[0], reference(X, good_y)[0])


def test_cutmix_refuses_weights_outside_the_unit_interval_and_flat_rows():
    X, y = _images(8, 1, 4, 4).float(), torch.arange(8) % 2
    mixer = BatchMixer(EpBeta.variance_preserving(), RandomPairing(), within_class=True,
                       n_classes=2, operator="cutmix")  # fmt: skip
    with pytest.raises(ValueError, match=r"needs weights in \[0, 1\].*EpBeta"):
        mixer(X, y)
    with pytest.raises(ValueError, match=r"needs weights in \[0, 1\]"):
        draw_device_batch_plan(X, None, EpBeta.variance_preserving(), RandomPairing(),
                               new_generator("cpu", 0), operator="cutmix")  # fmt: skip
    with pytest.raises(ValueError, match=r"shape \(n, \.\.\., H, W\)"):
        BatchMixer.cutmix(n_classes=2)(X.reshape(8, 16), y)


# -- seeds: DataLoader workers and process ranks -----------------------------------------
class _Repeated(torch.utils.data.Dataset):
    """The same 8 images in every batch of 8, so batches differ only by their plans."""

    def __init__(self):
        self.X, self.y = _images(8, 1, 4, 4).float(), torch.arange(8) % 2

    def __len__(self):
        return 32

    def __getitem__(self, i):
        return self.X[i % 8], self.y[i % 8]


def _epoch(mixer, seed, num_workers=2):
    loader = torch.utils.data.DataLoader(
        _Repeated(), batch_size=8, num_workers=num_workers, collate_fn=mixer.collate,
        generator=torch.Generator().manual_seed(seed),
        multiprocessing_context="fork" if num_workers else None,
    )  # fmt: skip
    return [x for x, _ in loader]


def test_dataloader_workers_draw_different_plans_and_reruns_repeat():
    mixer = BatchMixer.cutmix(n_classes=2, random_state=0)
    first, rerun, other = _epoch(mixer, 0), _epoch(mixer, 0), _epoch(mixer, 1)
    # batches 0 and 1 come from workers 0 and 1: same images, different plans
    assert not torch.equal(first[0], first[1])
    assert all(torch.equal(a, b) for a, b in zip(first, rerun))
    assert not torch.equal(first[0], other[0])
    # in the main process the draws start from random_state itself
    in_process = _epoch(BatchMixer.cutmix(n_classes=2, random_state=0), 0, num_workers=0)
    fresh = BatchMixer.cutmix(n_classes=2, random_state=0)
    data = _Repeated()
    assert torch.equal(in_process[0], fresh(data.X, data.y)[0])


def test_process_rank_is_folded_into_the_seed(monkeypatch):
    X, y = _images(16, 1, 6, 6).float(), torch.arange(16) % 2

    def draws(rank):
        monkeypatch.setenv("RANK", str(rank))
        return BatchMixer.mixup(n_classes=2, random_state=0)(X, y)[0]

    assert torch.equal(draws(1), draws(1))
    assert not torch.equal(draws(1), draws(2)) and not torch.equal(draws(0), draws(1))
    monkeypatch.delenv("RANK")
    assert torch.equal(BatchMixer.mixup(n_classes=2, random_state=0)(X, y)[0], draws(0))


# -- dispatched ops and values read back to the host ---------------------------------------
class _OpCounter(TorchDispatchMode):
    """Counts dispatched aten ops (and ``_local_scalar_dense``, a read-back)."""

    def __init__(self):
        super().__init__()
        self.ops, self._paused = collections.Counter(), 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if not self._paused:
            self.ops[str(func)] += 1
        return func(*args, **(kwargs or {}))

    @contextlib.contextmanager
    def paused(self):
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1

    @property
    def read_backs(self):
        return self.ops["aten._local_scalar_dense.default"]


def _count(mixer, X, y):
    mixer(X, y)  # generators made, first-call work done
    with _OpCounter() as counter:
        mixer(X, y)
    return counter


@pytest.mark.parametrize("shape", [(64, 1, 8, 8), (256, 3, 16, 12)])
def test_cutmix_operator_ops_and_read_backs(shape):
    # The operator's own work: everything but the weight and partner draws
    # (whose counts belong to the samplers, counted whole below). Budgets: the
    # issue's per-batch goals (30 ops for lerp, 60 for CutMix, no read-back)
    # less 10 and 14 ops left to those draws.
    counter = _OpCounter()

    class CountedBeta(Beta):
        def sample_on_device(self, n, generator):
            with counter.paused():
                return super().sample_on_device(n, generator)

    class CountedPairing(RandomPairing):
        def pair_on_device(self, X, labels, generator):
            with counter.paused():
                return super().pair_on_device(X, labels, generator)

    X, y = _images(*shape).float(), torch.arange(shape[0]) % 10
    for operator, budget in [("lerp", 20), ("cutmix", 46)]:
        mixer = BatchMixer(CountedBeta(1.0), CountedPairing(), n_classes=10, operator=operator)
        mixer(X, y)
        counter.ops.clear()
        with counter:
            mixer(X, y)
        assert counter.read_backs == 0, counter.ops
        assert sum(counter.ops.values()) <= budget, counter.ops


def test_cutmix_batch_ops_and_read_backs():
    X, y = _images(64, 1, 8, 8).float(), torch.arange(64) % 10
    with _OpCounter() as sampler:
        Beta(1.0).sample_on_device(64, new_generator("cpu", 0))
    if sampler.read_backs:
        pytest.skip("the Beta sampler still reads values back to the host")
    counter = _count(BatchMixer.cutmix(n_classes=10, random_state=0), X, y)
    assert counter.read_backs == 0, counter.ops
    assert sum(counter.ops.values()) <= 60, counter.ops


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"operator": "cutmix"},
        {"n_interpolations": 2},
        {"operator": {"lerp": 0.5, "cutmix": 0.5}},
        {"operator": "cutmix", "n_interpolations": 3},
    ],
)
def test_channels_last_batches_stay_channels_last_with_the_same_values(options):
    # The same seed mixes a channels-last batch and its contiguous copy into
    # equal values; the channels-last one comes back in its own layout.
    generator = torch.Generator().manual_seed(0)
    X = torch.rand(12, 3, 6, 5, generator=generator)
    y = torch.randint(0, 4, (12,), generator=generator)
    X_last = X.to(memory_format=torch.channels_last)
    mixed_last, y_last = BatchMixer.mixup(n_classes=4, random_state=1, **options)(X_last, y)
    mixed, y_mixed = BatchMixer.mixup(n_classes=4, random_state=1, **options)(X, y)
    assert mixed_last.is_contiguous(memory_format=torch.channels_last)
    assert not mixed_last.is_contiguous()
    torch.testing.assert_close(mixed_last, mixed, rtol=0, atol=0)
    torch.testing.assert_close(y_last, y_mixed, rtol=0, atol=0)
