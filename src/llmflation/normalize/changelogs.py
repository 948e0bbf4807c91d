"""Per-commit price change logs → price intervals (pure pandas).

A change log has one row per event of a key: ``added`` (the key appears), ``changed``
(a price differs from the previous commit read) and ``removed`` (the key is gone). A
price holds from the commit that first shows it until the day before the key's next
event, or — if none follows — until the source's last commit (its last observation).
Dates are the commit's UTC day (``date_basis = "commit"``, ``date_precision = "day"``),
not the day the vendor's price took effect; mirrors lag vendors by hours to months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)
#: Events that end the key's current price.
EVENTS = ("added", "changed", "removed")


def commit_day(values: pd.Series) -> pd.Series:
    """UTC calendar day of ISO timestamps (``2024-01-31T05:24:04Z`` → 2024-01-31)."""
    return pd.to_datetime(values.astype("string").str.slice(0, 10), errors="coerce", format="%Y-%m-%d")


def events_to_intervals(ev: pd.DataFrame, *, key: list[str], end: pd.Timestamp,
                        date_col: str = "date", event_col: str = "event") -> pd.DataFrame:
    """Intervals from change events: each non-``removed`` event opens a price that holds
    until the day before the key's next event, or until ``end`` (the source's last commit).

    Several events of one key on one day keep the day's last one. Returns the event rows
    that open a price with ``valid_from``, ``valid_to`` and ``valid_to_basis``
    (``next_event``, ``removed`` or ``last_observation``).

    Examples
    --------
    >>> ev = pd.DataFrame({"k": ["a", "a", "a", "b"], "event": ["added", "changed", "removed", "added"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-15"]), "p": [1, 2, 2, 5]})
    >>> iv = events_to_intervals(ev, key=["k"], end=pd.Timestamp("2024-06-30"))
    >>> iv[["k", "p", "valid_from", "valid_to", "valid_to_basis"]].astype(str).values.tolist()
    [['a', '1', '2024-01-01', '2024-01-31', 'next_event'], ['a', '2', '2024-02-01', '2024-02-29', 'removed'], \
['b', '5', '2024-01-15', '2024-06-30', 'last_observation']]
    """
    if ev.empty:
        return ev.assign(valid_from=pd.NaT, valid_to=pd.NaT, valid_to_basis=pd.Series(dtype=object))
    d = ev.copy()
    d["_order"] = np.arange(len(d))
    d = d.sort_values([*key, date_col, "_order"], kind="mergesort")
    d = d.drop_duplicates([*key, date_col], keep="last")
    g = d.groupby(key, sort=False, dropna=False)
    nxt = g[date_col].shift(-1)
    nxt_ev = g[event_col].shift(-1)
    d["valid_from"] = d[date_col]
    d["valid_to"] = (nxt - DAY).where(nxt.notna(), pd.Timestamp(end))
    d["valid_to"] = d[["valid_to", "valid_from"]].max(axis=1)
    d["valid_to_basis"] = np.where(nxt.isna(), "last_observation", np.where(nxt_ev.eq("removed"), "removed",
                                                                                 "next_event"))
    out = d[d[event_col] != "removed"].drop(columns="_order")
    return out.reset_index(drop=True)


def fill_missing_provider(df: pd.DataFrame, *, key: str = "model_key", provider: str = "provider") -> pd.Series:
    """Providers for rows that have none, from the same key's rows that have one (its most
    common provider). Used for tokencost's 2024-01-31 copy of the LiteLLM map, which
    dropped ``litellm_provider``.

    Examples
    --------
    >>> df = pd.DataFrame({"model_key": ["gpt-4", "gpt-4", "x"], "provider": [None, "openai", None]})
    >>> fill_missing_provider(df).tolist()
    ['openai', 'openai', None]
    """
    prov = df[provider].astype("string").replace("", pd.NA)
    known = prov.notna()
    # most common provider of each key; a tie goes to the provider the key shows first
    counts = pd.DataFrame({"k": df.loc[known, key], "p": prov[known]}).groupby(["k", "p"], sort=False).size()
    best = counts.groupby(level="k", sort=False).idxmax()
    mode = pd.Series([p for _, p in best], index=best.index, dtype="string")
    filled = prov.fillna(df[key].map(mode).astype("string"))
    return filled.astype(object).where(filled.notna(), None)


def hold_until_next(iv: pd.DataFrame, *, key: list[str], end_by: list[str] | None = None,
                    ends: pd.Series | None = None, last_basis: str = "last_observation") -> pd.DataFrame:
    """Sparse quotes (Epoch, milestones): a price holds until the day before the offer's
    next quote, else until the last quote date of its ``end_by`` group (e.g. the source's
    last check of that vendor; without ``end_by``, the source's last quote: its vintage).
    Sets ``valid_to`` and ``valid_to_basis`` (``next_event`` or ``last_basis``).

    Examples
    --------
    >>> iv = pd.DataFrame({"k": ["a", "a", "b"], "v": ["x", "x", "x"],
    ...     "valid_from": pd.to_datetime(["2023-01-01", "2023-06-01", "2023-09-01"]),
    ...     "valid_to": pd.to_datetime(["2023-01-01", "2023-06-01", "2023-09-01"])})
    >>> hold_until_next(iv, key=["k"], end_by=["v"])["valid_to"].astype(str).tolist()
    ['2023-05-31', '2023-09-01', '2023-09-01']
    """
    if iv.empty:
        return iv
    d = iv.sort_values([*key, "valid_from"], kind="mergesort").copy()
    nxt = d.groupby(key, sort=False, dropna=False)["valid_from"].shift(-1)
    last = (d.groupby(end_by, dropna=False)["valid_to"].transform("max") if end_by
            else pd.Series(d["valid_to"].max(), index=d.index))
    if ends is not None:
        last = ends.reindex(d.index).fillna(last)
    vt = (nxt - DAY).where(nxt.notna(), last)
    d["valid_to"] = pd.concat([vt, d["valid_to"]], axis=1).max(axis=1)
    d["valid_to_basis"] = np.where(nxt.notna(), "next_event", last_basis)
    return d
