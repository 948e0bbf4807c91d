"""The speed-ups of the bundled panel build change nothing: memoised frames are returned as
copies (a caller mutating one cannot corrupt the next call), and the vectorised helpers
give what the row-wise code they replaced gave."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from llmflation.normalize import aliases


@pytest.mark.parametrize("fn", [aliases.propagated_first_party_table, aliases.first_party_prices,
                                aliases.first_party_intervals])
def test_memoised_bundled_frames_are_copies(fn):
    a = fn()
    want = a.copy()
    a.iloc[:, 0] = None
    a["extra"] = 1
    assert_frame_equal(fn(), want, check_exact=True)
    assert fn() is not fn()


def test_memoised_intervals_are_those_of_the_table():
    assert_frame_equal(aliases.first_party_intervals(), aliases.first_party_intervals(aliases.first_party_prices()),
                       check_exact=True)


def test_first_party_prices_are_the_propagated_table_typed():
    fp, raw = aliases.first_party_prices(), aliases.propagated_first_party_table()
    assert len(fp) == len(raw) and list(fp.columns) == list(raw.columns)
    assert fp["effective_date"].dtype.kind == "M" and fp["is_alias"].dtype == bool
    assert_frame_equal(fp["effective_date"].dt.strftime("%Y-%m-%d").to_frame(),
                       pd.to_datetime(raw["effective_date"]).dt.strftime("%Y-%m-%d").to_frame(), check_dtype=False)
