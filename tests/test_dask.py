"""skmixup.dask: exact global counts, structure, determinism across workers, dtypes, CLI."""

import subprocess

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import skmixup.dask
from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler
from skmixup.dask import _all_float_frame, _allocate, _chunk_quotas, fit_resample
from tests._mixcheck import is_pair_mixture

# Dask's own Parquet reader calls a deprecated pandas keyword.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")

RESAMPLERS = [EpBetaMixupResampler, KMixupResampler, MultiMixResampler]


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=4, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _labelled(sizes_per_partition, n_features=3, seed=0):
    """Frame and labels whose partition p holds sizes_per_partition[p][c] rows of class c."""
    rng = np.random.default_rng(seed)
    frames, labels, bounds = [], [], [0]
    for p, sizes in enumerate(sizes_per_partition):
        y = np.repeat(np.arange(len(sizes)), sizes)
        rng.shuffle(y)
        frames.append(rng.normal(p, 1 + p, size=(y.shape[0], n_features)))
        labels.append(y)
        bounds.append(bounds[-1] + y.shape[0])
    X = pd.DataFrame(np.vstack(frames), columns=[f"x{i}" for i in range(n_features)])
    y = pd.Series(np.concatenate(labels), name="label")
    divisions = tuple(bounds[:-1]) + (bounds[-1] - 1,)
    X_d = dd.from_pandas(X, npartitions=1).repartition(divisions=divisions)
    y_d = dd.from_pandas(y, npartitions=1).repartition(divisions=divisions)
    return X, y, X_d, y_d


def _largest_remainder_bounds(total, sizes):
    """Each share lies between floor and ceil of its exact proportional value."""
    exact = total * np.asarray(sizes, dtype=float) / np.sum(sizes)
    return np.floor(exact), np.ceil(exact)


SIZES = [[30, 5, 2], [50, 20, 0], [10, 10, 7], [40, 1, 3]]


@pytest.mark.parametrize("cls", RESAMPLERS)
@pytest.mark.parametrize(
    "params, expected",
    [
        # auto: every class up to the majority (130 rows).
        ({}, {0: 0, 1: 130 - 36, 2: 130 - 12}),
        ({"sampling_strategy": {1: 100, 2: 20}}, {0: 0, 1: 64, 2: 8}),
        # factor 0.5: round(0.5 * size) per class.
        ({"factor": 0.5}, {0: 65, 1: 18, 2: 6}),
        # n_samples 101 over sizes 130, 36, 12 (178 rows): 73.76, 20.43, 6.81 -> 74, 20, 7.
        ({"n_samples": 101}, {0: 74, 1: 20, 2: 7}),
    ],
)
def test_exact_global_counts_and_proportional_allocation(cls, params, expected):
    X, y, X_d, y_d = _labelled(SIZES)
    X_res, y_res = fit_resample(cls(random_state=0, **params), X_d, y_d)
    parts_X = [p.compute() for p in X_res.partitions]
    parts_y = [p.compute() for p in y_res.partitions]
    totals = {c: 0 for c in expected}
    sizes = np.asarray(SIZES)
    for p, (part_X, part_y) in enumerate(zip(parts_X, parts_y)):
        n_p = sizes[p].sum()
        original = slice(int(sizes[:p].sum()), int(sizes[: p + 1].sum()))
        # Originals first, unchanged, then the partition's new rows.
        np.testing.assert_array_equal(part_X.iloc[:n_p].to_numpy(), X.iloc[original].to_numpy())
        np.testing.assert_array_equal(part_y.iloc[:n_p].to_numpy(), y.iloc[original].to_numpy())
        new = part_y.iloc[n_p:].value_counts()
        for c in expected:
            got = int(new.get(c, 0))
            totals[c] += got
            mixable = np.where(sizes[:, c] >= 2, sizes[:, c], 0)
            low, high = _largest_remainder_bounds(expected[c], mixable)
            assert low[p] <= got <= high[p], (p, c)
    assert totals == expected
    # Index 0..n-1 with known divisions, as in memory.
    assert X_res.known_divisions
    full = X_res.compute()
    np.testing.assert_array_equal(full.index, np.arange(len(y) + sum(expected.values())))


def test_single_row_partition_hands_its_quota_over():
    # Class 1 has one row in partition 3: that partition cannot mix it.
    X, y, X_d, y_d = _labelled(SIZES)
    _, y_res = fit_resample(EpBetaMixupResampler(random_state=0, factor=1.0), X_d, y_d)
    last = y_res.partitions[3].compute()
    assert (last.iloc[sum(SIZES[3]) :] == 1).sum() == 0
    assert (y_res.compute() == 1).sum() == 2 * 36


def test_synthetic_only_and_regression_counts():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(90, 2)), columns=["a", "b"])
    y = pd.Series(rng.normal(size=90), name="t")
    X_d, y_d = dd.from_pandas(X, npartitions=3), dd.from_pandas(y, npartitions=3)
    resampler = EpBetaMixupResampler(random_state=0, n_samples=50, synthetic_only=True)
    X_res, y_res = fit_resample(resampler, X_d, y_d)
    X_c, y_c = dask.compute(X_res, y_res, scheduler="synchronous")
    assert X_c.shape == (50, 2) and y_c.shape == (50,)
    # Rows 30, 30, 30: 50 shared as 17, 17, 16.
    assert [len(p) for p in X_res.partitions] == [17, 17, 16]
    # y is mixed with the rows' weight: new y lies within the partition's range.
    assert y_c.dtype == np.float64


def test_float_frames_take_the_array_path_with_identical_rows():
    # All-float frames skip the frame codec; declaring no categorical column
    # explicitly ([]) forces the codec: both must give the same rows.
    X, y, X_d, y_d = _labelled(SIZES, seed=8)
    assert _all_float_frame(X, KMixupResampler()) is X  # the default 'auto' takes it
    assert _all_float_frame(X, KMixupResampler(categorical_features=[])) is None
    fast = fit_resample(KMixupResampler(k=3, random_state=1), X_d, y_d)
    codec = fit_resample(KMixupResampler(k=3, random_state=1, categorical_features=[]), X_d, y_d)
    fast, codec = dask.compute(fast, codec)
    pd.testing.assert_frame_equal(fast[0], codec[0])
    pd.testing.assert_series_equal(fast[1], codec[1])


def test_auto_target_type_is_decided_over_all_partitions():
    rng = np.random.default_rng(9)
    X = pd.DataFrame(rng.normal(size=(100, 2)), columns=["a", "b"])
    # 25 distinct integer-valued floats, at most 20 in any partition of 25 rows.
    y_many = pd.Series(np.repeat(np.arange(25.0), 4), name="t")
    y_two = pd.Series((np.arange(100) % 4 == 0).astype(float), name="t")
    X_d = dd.from_pandas(X, npartitions=4)
    for y, expected in [(y_many, 100), (y_two, 75 - 25)]:
        y_d = dd.from_pandas(y, npartitions=4)
        assert max(y_d.map_partitions(lambda p: p.nunique()).compute()) <= 20
        _, y_res = fit_resample(EpBetaMixupResampler(random_state=0), X_d, y_d)
        y_c = y_res.compute()
        assert len(y_c) - 100 == expected
        if expected == 100:  # continuous: the new targets are mixed, not copied labels
            assert not np.isin(y_c.iloc[100:], np.arange(25.0)).all()


def test_arrays_in_arrays_out():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = np.repeat([0, 1], [90, 30])
    X_d = da.from_array(X, chunks=(40, 2))
    y_d = da.from_array(y, chunks=40)
    X_res, y_res = fit_resample(KMixupResampler(k=4, random_state=0), X_d, y_d)
    assert X_res.dtype == np.float32 and X_res.chunks[0] == y_res.chunks[0]
    X_c, y_c = dask.compute(X_res, y_res, scheduler="synchronous")
    assert X_c.shape == (180, 4) and np.bincount(y_c).tolist() == [90, 90]
    np.testing.assert_array_equal(X_c[:40], X[:40])


@given(
    total=st.integers(0, 10_000),
    sizes=st.lists(st.integers(0, 500), min_size=1, max_size=12).filter(
        lambda sizes: any(size >= 2 for size in sizes)
    ),
)
def test_allocation_is_exact_proportional_and_skips_single_rows(total, sizes):
    shares = _allocate(total, np.asarray(sizes))
    assert shares.sum() == total
    mixable = np.where(np.asarray(sizes) >= 2, sizes, 0)
    low, high = _largest_remainder_bounds(total, mixable)
    assert np.all((low <= shares) & (shares <= high))
    assert np.all(shares[mixable == 0] == 0)


def _covariance_case(seed=3):
    rng = np.random.default_rng(seed)
    sizes = [30, 50, 40, 80]
    parts = []
    for p, n in enumerate(sizes):
        A = rng.normal(size=(3, 3)) * (0.5 + p)
        parts.append(rng.normal(size=(n, 3)) @ A + rng.normal(0, 3, size=3))
    X = np.vstack(parts)
    bounds = np.cumsum([0, *sizes])
    divisions = tuple(bounds[:-1].tolist()) + (int(bounds[-1]) - 1,)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    X_d = dd.from_pandas(frame, npartitions=1).repartition(divisions=divisions)
    y_d = dd.from_pandas(pd.Series(np.zeros(len(X)), name="t"), npartitions=1).repartition(
        divisions=divisions
    )
    return X, sizes, bounds, X_d, y_d


def _closed_form(X, sizes, bounds, f):
    """E[(z - m)(z - m)^T] for new rows drawn in proportion to the partition sizes.

    Within partition p (n rows, mean m_p, unbiased covariance S_p), anchor i
    uniform and partner j uniform among the other rows, W independent of
    them: E[z] = m_p and Cov(z) = S_p (f - 1/n) with f = 1 - 2E[W] + 2E[W^2]
    (E[a a^T] = (n-1)/n S_p, E[a b^T] = -S_p/n for centred rows a != b).
    """
    m = X.mean(axis=0)
    total = np.zeros((X.shape[1], X.shape[1]))
    for n, lo, hi in zip(sizes, bounds[:-1], bounds[1:]):
        part = X[lo:hi]
        gap = part.mean(axis=0) - m
        total += n / X.shape[0] * (np.cov(part, rowvar=False) * (f - 1 / n) + np.outer(gap, gap))
    return total


def _monte_carlo(X, X_res_parts, sizes):
    """Mean of (z - m)(z - m)^T over new rows and its standard error, entry by entry."""
    m = X.mean(axis=0)
    q = np.asarray([len(part) for part in X_res_parts], dtype=float)
    mean = np.zeros((X.shape[1], X.shape[1]))
    var = np.zeros_like(mean)
    for part, q_p in zip(X_res_parts, q):
        centred = part - m
        g = centred[:, :, None] * centred[:, None, :]
        pi = q_p / q.sum()
        mean += pi * g.mean(axis=0)
        var += pi**2 * g.var(axis=0, ddof=1) / q_p
    return mean, np.sqrt(var)


def test_epbeta_keeps_global_covariance_classic_keeps_within_part_only():
    X, sizes, bounds, X_d, y_d = _covariance_case()
    n_new = 200 * len(X)  # 200 new rows per original row, exactly proportional
    global_cov = np.cov(X, rowvar=False, bias=True)

    epbeta = EpBetaMixupResampler(
        target_type="regression", n_samples=n_new, synthetic_only=True, random_state=0
    )
    X_res, _ = fit_resample(epbeta, X_d, y_d)
    parts = [p.compute().to_numpy() for p in X_res.partitions]
    assert [len(p) for p in parts] == [200 * n for n in sizes]
    expected = _closed_form(X, sizes, bounds, f=1.0)
    # Law of total covariance: f = 1 gives back the global (population) covariance.
    np.testing.assert_allclose(expected, global_cov, rtol=1e-10, atol=1e-12)
    mean, se = _monte_carlo(X, parts, sizes)
    assert np.all(np.abs(mean - expected) <= 5 * se), (mean - expected) / se

    alpha = 1.0
    classic = MultiMixResampler(
        alpha=alpha, target_type="regression", n_samples=n_new, synthetic_only=True, random_state=0
    )
    X_res, _ = fit_resample(classic, X_d, y_d)
    parts = [p.compute().to_numpy() for p in X_res.partitions]
    f = (alpha + 1) / (2 * alpha + 1)
    expected = _closed_form(X, sizes, bounds, f=f)
    mean, se = _monte_carlo(X, parts, sizes)
    assert np.all(np.abs(mean - expected) <= 5 * se), (mean - expected) / se
    # ... and it is far from the global covariance on the diagonal.
    assert np.all(np.abs(np.diag(mean - global_cov)) > 10 * np.diag(se))


def test_same_result_for_one_and_four_workers(client):
    X, y, X_d, y_d = _labelled(SIZES, seed=4)
    resampler = KMixupResampler(k=3, random_state=7, factor=0.7)
    X_res, y_res = fit_resample(resampler, X_d, y_d)
    one_X, one_y = dask.compute(X_res, y_res, scheduler="synchronous")
    workers = list(client.scheduler_info()["workers"])
    assert len(workers) == 4
    single = client.compute([X_res, y_res], workers=workers[:1])
    four_X, four_y = client.gather(single)
    pd.testing.assert_frame_equal(one_X, four_X)
    pd.testing.assert_series_equal(one_y, four_y)
    all_X, all_y = client.compute([X_res, y_res], sync=True)
    pd.testing.assert_frame_equal(one_X, all_X)
    pd.testing.assert_series_equal(one_y, all_y)
    # A different seed gives different rows.
    other, _ = fit_resample(KMixupResampler(k=3, random_state=8, factor=0.7), X_d, y_d)
    assert not np.allclose(other.compute().to_numpy(), one_X.to_numpy())


def test_dtypes_and_categorical_values_survive():
    rng = np.random.default_rng(5)
    n = 80
    frame = pd.DataFrame(
        {
            "f32": rng.normal(size=n).astype(np.float32),
            "f64": rng.normal(size=n),
            "count": rng.integers(0, 50, n).astype(np.int16),
            "city": pd.Categorical(rng.choice(["Lyon", "Oslo", "Rome"], n)),
            "code": rng.choice(["a", "b"], n).astype(object),
        }
    )
    y = pd.Series(np.where(np.arange(n) % 4 == 0, "rare", "common"), name="label")
    X_d, y_d = dd.from_pandas(frame, npartitions=3), dd.from_pandas(y, npartitions=3)
    resampler = EpBetaMixupResampler(random_state=0, categorical_features=["city", "code"])
    X_res, y_res = fit_resample(resampler, X_d, y_d)
    # Dask may store object columns as strings: compare with the Dask input.
    assert (X_res.dtypes == X_d.dtypes).all() and y_res.dtype == y_d.dtype
    X_c, y_c = dask.compute(X_res, y_res, scheduler="synchronous")
    assert list(X_c.columns) == list(frame.columns)
    assert (X_c.dtypes == X_d.dtypes).all() and X_c["f32"].dtype == np.float32
    assert X_c["count"].dtype == np.int16 and X_c["city"].dtype == "category"
    assert list(X_c["city"].cat.categories) == ["Lyon", "Oslo", "Rome"]
    assert set(X_c["code"]) <= {"a", "b"} and y_c.value_counts().to_dict() == {
        "common": 60,
        "rare": 60,
    }


def test_bad_input_is_refused_before_work():
    X, y, X_d, y_d = _labelled(SIZES)
    with pytest.raises(TypeError, match="resampler"):
        fit_resample(object(), X_d, y_d)
    with pytest.raises(TypeError, match="X must be"):
        fit_resample(EpBetaMixupResampler(), X, y_d)
    with pytest.raises(TypeError, match="y must be"):
        fit_resample(EpBetaMixupResampler(), X_d, X_d)
    with pytest.raises(ValueError, match="partitioned alike"):
        fit_resample(EpBetaMixupResampler(), X_d, y_d.repartition(npartitions=2))
    with pytest.raises(ValueError, match="callable"):
        fit_resample(EpBetaMixupResampler(sampling_strategy=lambda y: {}), X_d, y_d)
    with pytest.raises(ValueError, match="partitioned alike"):
        fit_resample(EpBetaMixupResampler(), da.ones((10, 2), chunks=5), da.ones(10, chunks=(4, 6)))
    with pytest.raises(ValueError, match="numeric y"):
        fit_resample(EpBetaMixupResampler(target_type="regression"), X_d, y_d.astype(str))
    bad = y.astype(float)
    bad.iloc[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        bad_d = dd.from_pandas(bad, npartitions=1).repartition(divisions=y_d.divisions)
        fit_resample(EpBetaMixupResampler(), X_d, bad_d)
    # Class 2 of two rows split over two partitions: nobody can mix it.
    X2, y2, X2_d, y2_d = _labelled([[5, 1], [5, 1]])
    with pytest.raises(ValueError, match="no partition holds 2"):
        fit_resample(EpBetaMixupResampler(), X2_d, y2_d)


def _cli(*args, cwd, capsys, monkeypatch):
    """``skmixup resample ... --engine dask`` in this process (saves an interpreter start)."""
    from skmixup.cli import main

    monkeypatch.chdir(cwd)
    code = main(["resample", *map(str, args), "--engine", "dask"])
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, captured.out, captured.err)


@pytest.fixture
def parquet_dir(tmp_path):
    rng = np.random.default_rng(6)
    source = tmp_path / "data"
    source.mkdir()
    parts = []
    for p, n in enumerate([40, 60, 50]):
        part = pd.DataFrame(
            {
                "height": rng.normal(170, 10, n),
                "weight": rng.normal(70, 8, n).astype(np.float32),
                "city": rng.choice(["Lyon", "Oslo"], n),
                "label": rng.choice([0, 1], n, p=[0.75, 0.25]),
            }
        )
        part.to_parquet(source / f"part{p}.parquet", index=False)
        parts.append(part)
    return source, parts


def test_cli_writes_partitioned_directory(parquet_dir, tmp_path, capsys, monkeypatch):
    # Several chunks of new rows a partition, written as they are drawn.
    monkeypatch.setattr(skmixup.dask, "_MIN_CHUNK_ROWS", 8)
    source, parts = parquet_dir
    result = _cli(
        source,
        "out",
        "--target",
        "label",
        "--categorical",
        "city",
        "--seed",
        "0",
        cwd=tmp_path,
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert result.returncode == 0, result.stderr
    assert "3/3 partitions" in result.stderr
    files = sorted((tmp_path / "out").iterdir())
    assert [f.name for f in files] == [f"part.{i:05d}.parquet" for i in range(3)]
    sizes = pd.concat(parts)["label"].value_counts()
    out = [pd.read_parquet(f) for f in files]
    for part, written in zip(parts, out):
        assert list(written.columns) == list(part.columns)
        np.testing.assert_array_equal(written.iloc[: len(part)]["height"], part["height"])
        assert written["weight"].dtype == np.float32
    everything = pd.concat(out)
    assert everything["label"].value_counts().to_dict() == {0: sizes[0], 1: sizes[0]}
    assert set(everything["city"]) <= {"Lyon", "Oslo"}
    # The same call through the library gives the same rows.
    frame = dd.read_parquet(source)
    X_res, y_res = fit_resample(
        EpBetaMixupResampler(categorical_features=["city"], random_state=0),
        frame.drop(columns="label"),
        frame["label"],
    )
    # In this process, where the chunk size is patched (not on a cluster).
    X_c, y_c = dask.compute(X_res, y_res, scheduler="synchronous")
    np.testing.assert_allclose(everything["height"].to_numpy(), X_c["height"].to_numpy())
    np.testing.assert_array_equal(everything["label"].to_numpy(), y_c.to_numpy())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


def test_cli_leaves_nothing_behind_on_bad_input(parquet_dir, tmp_path, capsys, monkeypatch):
    source, parts = parquet_dir
    result = _cli(
        source, "out", "--target", "nope", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch
    )
    assert result.returncode == 1 and "--target: unknown column 'nope'" in result.stderr
    result = _cli(
        tmp_path / "missing",
        "out",
        "--target",
        "label",
        cwd=tmp_path,
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert result.returncode == 1 and "no such file" in result.stderr
    # A NaN in the last partition fails after the first ones were written.
    broken = parts[2].copy()
    broken.loc[3, "height"] = np.nan
    broken.to_parquet(source / "part2.parquet", index=False)
    result = _cli(
        source,
        "out",
        "--target",
        "label",
        "--categorical",
        "city",
        cwd=tmp_path,
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert result.returncode == 1 and "partition 2" in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


@pytest.mark.parametrize("extra", [["--workers", "2"], ["--workers", "2", "--processes"]])
def test_cli_threads_and_processes_write_the_same_files_as_one_worker(
    parquet_dir, tmp_path, capsys, monkeypatch, extra
):
    source, _ = parquet_dir
    options = ["--target", "label", "--seed", "3", "--factor", "0.5"]
    one = _cli(source, "one", *options, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    many = _cli(
        source, "many", *options, *extra, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch
    )
    assert one.returncode == 0 and many.returncode == 0, many.stderr
    assert "3/3 partitions" in many.stderr
    names = sorted(f.name for f in (tmp_path / "one").iterdir())
    assert names == sorted(f.name for f in (tmp_path / "many").iterdir()) and len(names) == 3
    for name in names:
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "one" / name), pd.read_parquet(tmp_path / "many" / name)
        )


@given(
    counts=st.lists(st.integers(0, 300_000), min_size=1, max_size=5),
    regression=st.booleans(),
)
def test_chunk_quotas_cut_the_quota_in_order_without_loss(counts, regression):
    quota = sum(counts) if regression else {f"c{i}": n for i, n in enumerate(counts)}
    chunks = _chunk_quotas(quota, "regression" if regression else "classification")
    totals = [c if regression else sum(c.values()) for c in chunks]
    assert sum(totals) == sum(counts) and all(totals)
    assert len(chunks) <= skmixup.dask._CHUNKS
    assert len(chunks) <= 1 or max(totals) - min(totals) <= 1  # even cuts
    if len(chunks) > 1:
        assert min(totals) >= skmixup.dask._MIN_CHUNK_ROWS
    if not regression:
        # Classes keep their order and their counts across the cuts.
        flat = [(label, n) for chunk in chunks for label, n in chunk.items()]
        merged = {}
        for label, n in flat:
            merged[label] = merged.get(label, 0) + n
        assert merged == {label: n for label, n in quota.items() if n}
        order = [label for label, _ in flat]
        assert order == sorted(order, key=list(quota).index)


def test_new_rows_drawn_in_chunks_keep_counts_and_mixtures(monkeypatch):
    monkeypatch.setattr(skmixup.dask, "_MIN_CHUNK_ROWS", 4)
    X, y, X_d, y_d = _labelled(SIZES, seed=5)
    resampler = EpBetaMixupResampler(random_state=2, synthetic_only=True, factor=1.5)
    X_res, y_res = dask.compute(*fit_resample(resampler, X_d, y_d), scheduler="synchronous")
    sizes = y.value_counts()
    assert y_res.value_counts().to_dict() == {c: round(1.5 * n) for c, n in sizes.items()}
    support = EpBetaMixupResampler().fit(X, y).weight_law_.support
    ok = is_pair_mixture(
        X_res.to_numpy(),
        X.to_numpy(),
        groups=y.to_numpy(),
        new_groups=y_res.to_numpy(),
        support=support,
    )
    assert ok.all()
    again = dask.compute(*fit_resample(resampler, X_d, y_d), scheduler="synchronous")
    pd.testing.assert_frame_equal(X_res, again[0])
    # Several chunks draw other rows than one chunk would: the cut is real.
    monkeypatch.setattr(skmixup.dask, "_MIN_CHUNK_ROWS", 10**6)
    single = dask.compute(*fit_resample(resampler, X_d, y_d), scheduler="synchronous")
    assert not np.array_equal(single[0].to_numpy(), X_res.to_numpy())


def test_cli_refuses_options_of_another_method_before_reading(
    parquet_dir, tmp_path, capsys, monkeypatch
):
    source, _ = parquet_dir
    result = _cli(
        source,
        "out",
        "--method",
        "epbeta",
        "--k",
        "4",
        cwd=tmp_path,
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert result.returncode == 2 and "--k does not apply to --method epbeta" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
