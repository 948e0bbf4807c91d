"""Collapse dated price observations into price intervals (pure pandas).

An unchanged price re-observed in the next snapshot extends its interval; a changed
price, or a gap in which the key was not listed, starts a new one. ``valid_from`` and
``valid_to`` are the first and last dates the price was actually seen, never invented.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRICE_COLS = ["input_usd_per_mtok", "output_usd_per_mtok"]


def observations_to_intervals(obs: pd.DataFrame, *, key: list[str], snapshot_col: str = "observed_date",
                              snapshots: pd.Series | None = None,
                              price_cols: list[str] = PRICE_COLS,
                              carry: list[str] | None = None, hold: bool = False) -> pd.DataFrame:
    """Run-length encode observations of each key into intervals.

    Parameters
    ----------
    obs : DataFrame
        One row per (key, snapshot) with the price columns.
    key : list of str
        Columns identifying one priced offer (e.g. source, source_key, provider).
    snapshots : Series of dates, optional
        Every snapshot date of the source. When given, a key missing from an intermediate
        snapshot closes its interval (a model that disappears is closed, not extended).
    carry : list of str
        Extra columns to keep (their value on the last observation of the interval).
    hold : bool
        When the next snapshot shows the same key at a new price, the old price holds
        until the day before it (the change is dated to the first snapshot showing it);
        without ``hold`` an interval ends on the last day it was seen. A key missing from
        a snapshot still closes its interval on its last observation.

    Returns
    -------
    DataFrame with ``key`` columns, prices, ``valid_from``, ``valid_to``, ``n_obs``.

    Examples
    --------
    >>> obs = pd.DataFrame({"k": ["a"] * 4, "observed_date": pd.to_datetime(
    ...     ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
    ...     "input_usd_per_mtok": [1, 1, 2, 2.0], "output_usd_per_mtok": [3, 3, 3, 3.0]})
    >>> observations_to_intervals(obs, key=["k"])[["valid_from", "valid_to", "input_usd_per_mtok"]]
      valid_from   valid_to  input_usd_per_mtok
    0 2024-01-01 2024-01-02                 1.0
    1 2024-01-03 2024-01-04                 2.0
    """
    carry = carry or []
    if obs.empty:
        return pd.DataFrame(columns=[*key, *price_cols, "valid_from", "valid_to", "n_obs", *carry])
    df = obs.sort_values([*key, snapshot_col], kind="mergesort").reset_index(drop=True)
    if snapshots is not None:
        uniq = pd.DatetimeIndex(pd.to_datetime(snapshots).unique()).sort_values()
        snap_idx = pd.Series(np.arange(len(uniq)), index=uniq)
        idx = snap_idx.reindex(pd.DatetimeIndex(df[snapshot_col])).to_numpy()
    else:
        idx = None
    same_key = np.ones(len(df), dtype=bool)
    for k in key:
        col = df[k].astype("string").fillna("\x00")
        same_key &= (col == col.shift()).fillna(False).to_numpy(dtype=bool)
    same_price = np.ones(len(df), dtype=bool)
    for c in price_cols:
        v = df[c].to_numpy(dtype="float64")
        prev = np.roll(v, 1)
        same_price &= (v == prev) | (np.isnan(v) & np.isnan(prev))
    contiguous = np.ones(len(df), dtype=bool)
    if idx is not None:
        contiguous = (idx - np.roll(idx, 1)) == 1
    new = ~(same_key & same_price & contiguous)
    new[0] = True
    run = np.cumsum(new)
    df["_run"] = run
    agg: dict[str, tuple[str, str]] = {k: (k, "first") for k in key}
    agg |= {c: (c, "first") for c in price_cols}
    agg |= {"valid_from": (snapshot_col, "min"), "valid_to": (snapshot_col, "max"),
            "n_obs": (snapshot_col, "size")}
    agg |= {c: (c, "last") for c in carry}
    df["_changed"] = same_key & contiguous & ~same_price
    agg["_changed"] = ("_changed", "first")
    out = df.groupby("_run", sort=False).agg(**agg).reset_index(drop=True)
    if hold:
        nxt_changed = out["_changed"].shift(-1, fill_value=False).astype(bool)
        nxt_from = out["valid_from"].shift(-1)
        out.loc[nxt_changed, "valid_to"] = nxt_from[nxt_changed] - pd.Timedelta(days=1)
    return out.drop(columns="_changed")


def coalesce_intervals(iv: pd.DataFrame, key: tuple[str, ...] = ("source", "source_key", "provider"),
                       price_cols: list[str] = PRICE_COLS) -> pd.DataFrame:
    """Merge overlapping or adjacent intervals of one key that carry the same price.

    Used when fetched history is merged with the bundled one: two copies of the same
    OpenRouter history, recorded from different snapshots, start on different days.

    Examples
    --------
    >>> iv = pd.DataFrame({"source": "s", "source_key": "k", "provider": "p",
    ...     "valid_from": pd.to_datetime(["2024-01-01", "2024-01-05"]),
    ...     "valid_to": pd.to_datetime(["2024-01-10", "2024-01-20"]),
    ...     "observed_at": pd.to_datetime(["2024-01-10", "2024-01-20"]),
    ...     "input_usd_per_mtok": [1.0, 1.0], "output_usd_per_mtok": [2.0, 2.0], "n_obs": [3, 4]})
    >>> coalesce_intervals(iv)[["valid_from", "valid_to"]].astype(str).values.tolist()
    [['2024-01-01', '2024-01-20']]
    """
    if iv.empty:
        return iv.copy()
    keys = list(key)
    d = iv.sort_values([*keys, *price_cols, "valid_from", "valid_to"], kind="mergesort").reset_index(drop=True)
    # one integer label per key and price (the columns compared as text, missing values alike)
    cols = [d[c].astype("string").fillna("\x00") for c in keys + price_cols]
    text = cols[0]
    for c in cols[1:]:
        text = text + "\x01" + c
    grp = pd.Series(pd.factorize(text)[0], index=d.index)
    end = d.groupby(grp, sort=False)["valid_to"].cummax()
    prev_end = end.groupby(grp, sort=False).shift()
    new_grp = grp != grp.shift()
    run = (new_grp | prev_end.isna() | (d["valid_from"] > prev_end + pd.Timedelta(days=1))).cumsum()
    agg = {c: "first" for c in d.columns if c not in ("valid_to", "observed_at", "n_obs")}
    agg |= {"valid_to": "max", "observed_at": "max"}
    if "n_obs" in d:
        agg["n_obs"] = "max"
    out = d.groupby(run, sort=False).agg(agg).reset_index(drop=True)
    return out.sort_values([*keys, "valid_from"], kind="mergesort").reset_index(drop=True)
