"""Property-based tests of EpBetaSynthesizer over random tables.

Invariants for any table: the input is unchanged, the count is exact, the
columns and dtypes are the input's, every mixed value is inside its column's
observed range (for every ``value_range`` that keeps it), missing values only
where the anchor could have them, and an int seed repeats itself.
"""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skmixup import EpBetaSynthesizer

SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow], max_examples=30)


@st.composite
def tables(draw):
    n = draw(st.integers(2, 25))
    columns = {}
    columns["f"] = draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=n, max_size=n))
    columns["i"] = draw(st.lists(st.integers(-1000, 1000), min_size=n, max_size=n))
    columns["g"] = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    holes = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    frame = pd.DataFrame(columns).astype({"i": "int16"})
    frame["h"] = np.where(holes, np.nan, np.arange(n) / 4.0)
    if frame["h"].isna().all():
        frame.loc[0, "h"] = 1.0
    return frame


@given(
    table=tables(),
    n_rows=st.integers(1, 60),
    value_range=st.sampled_from(["clip", "redraw"]),
    within=st.sampled_from(["all", None]),
    seed=st.integers(0, 2**16),
)
@SETTINGS
def test_synthesizer_invariants(table, n_rows, value_range, within, seed):
    before = table.copy()
    synthesizer = EpBetaSynthesizer(
        value_range=value_range, within_categories=within, random_state=seed
    )
    new = synthesizer.fit(table).sample(n_rows)
    pd.testing.assert_frame_equal(table, before)
    assert new.shape == (n_rows, table.shape[1])
    assert list(new.dtypes) == list(table.dtypes)
    for column in ("f", "i", "h"):
        values = new[column].dropna()
        assert (values >= table[column].min()).all() and (values <= table[column].max()).all()
    assert set(new["g"]) <= set(table["g"])
    if not table["h"].isna().any():
        assert not new["h"].isna().any()
    pd.testing.assert_frame_equal(new, synthesizer.sample(n_rows))
