"""``dispersion``: the spread of one model's price across the hosts that sell it, over time.

The same open model sold by many hosts is the natural experiment for demand (issue 21,
point 5): the per-provider offers come from ``llmflation fetch openrouter-endpoints`` (one
price interval per model × provider endpoint), or from any source of the panel that prices
one model at several providers.

For every snapshot date the offers in effect that day give ``n_hosts``, the ``min``,
``median`` and ``max`` blended price (3 input : 1 output, USD per 1M tokens), the
coefficient of variation (sample standard deviation ÷ mean; undefined for one host) and
``max ÷ min``.

A cross-provider, within-model elasticity (hosts' token shares on relative price, as in
NBER w34608) needs each host's volume. No source the project reads publishes tokens per
provider (OpenRouter's rankings are per model, the endpoints list gives prices, context,
quantization and at most latency/throughput/uptime), so ``attrs["elasticity"]`` says *not
identified* with the reason, instead of a number.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from llmflation.errors import InputError, UnknownModelError
from llmflation.normalize import identity as ident
from llmflation.validate import check_frame

#: The source of per-provider offers fetched for this question.
ENDPOINTS = "openrouter-endpoints"
COLUMNS = ["date", "model", "n_hosts", "min", "median", "max", "mean", "cv", "max_over_min", "cheapest", "dearest"]
ELASTICITY_NOT_IDENTIFIED = {
    "status": "not identified",
    "reason": ("a within-model elasticity regresses each host's token share on its relative price; no source "
               "read here publishes tokens per provider (OpenRouter rankings count tokens per model, the "
               "endpoints list gives prices, context and quantization only), so host shares are unobserved."),
}


def _blend(inp: pd.Series, out: pd.Series) -> pd.Series:
    return (3 * inp + out) / 4


def _pick(keys: pd.Series, model: str) -> pd.Series:
    """Rows whose source key is ``model`` (exactly, or by normalised key, or by its slug after the author)."""
    k = keys.astype(str)
    if k.eq(model).any():
        return k.eq(model)
    norm = k.map(ident.normalize_key)
    want = ident.normalize_key(model)
    hit = norm.eq(want)
    if not hit.any():
        hit = norm.str.split("/").str[-1].eq(want.split("/")[-1])
    return hit


def _stats(rows: pd.DataFrame, dates: list[pd.Timestamp], model: str) -> pd.DataFrame:
    out = []
    for d in dates:
        live = rows[(rows["valid_from"] <= d) & (rows["valid_to"] >= d)]
        if live.empty:
            continue
        # one price per host that day: the latest observed
        live = live.sort_values(["valid_from"]).drop_duplicates("provider", keep="last")
        p = _blend(live["input_usd_per_mtok"], live["output_usd_per_mtok"]).to_numpy(dtype=float)
        mean = float(np.mean(p))
        cv = float(np.std(p, ddof=1) / mean) if len(p) > 1 and mean > 0 else float("nan")
        order = np.argsort(p, kind="mergesort")
        out.append({"date": d, "model": model, "n_hosts": len(p), "min": float(p.min()), "median": float(np.median(p)),
                    "max": float(p.max()), "mean": mean, "cv": cv,
                    "max_over_min": float(p.max() / p.min()) if p.min() > 0 else float("nan"),
                    "cheapest": str(live["provider"].iloc[order[0]]), "dearest": str(live["provider"].iloc[order[-1]])})
    return pd.DataFrame(out, columns=COLUMNS)


def dispersion(model: str, *, store: Any = None, panel: pd.DataFrame | None = None, source: str = ENDPOINTS,
               since: Any = None, until: Any = None) -> pd.DataFrame:
    """The spread of ``model``'s price across hosts on each snapshot date.

    Parameters
    ----------
    model : str
        The model as the source lists it (``meta-llama/llama-3.3-70b-instruct``; a
        normalised spelling or the slug alone works when unambiguous); with ``panel``, any
        id of the model the panel knows (its ``model_key`` gathers every host's key).
    store : llmflation.Store, optional
        Read the offers from the store (its fetched ``source`` intervals; dates = the
        source's fetch snapshots). Either ``store`` or ``panel``.
    panel : DataFrame, optional
        Read them from a panel (``load_panel(store)``) instead; dates = the interval edges.
    source : str
        The source of per-provider offers (default ``openrouter-endpoints``).
    since, until : str, optional
        ISO dates bounding the snapshot dates.

    Returns
    -------
    DataFrame
        One row per date: ``date, model, n_hosts, min, median, max, mean, cv,
        max_over_min, cheapest, dearest`` (blended 3:1 USD per 1M tokens). ``attrs`` holds
        ``elasticity`` (status and reason: a within-model elasticity is not identified
        without per-host volumes) and ``notes``.

    Examples
    --------
    >>> p = pd.DataFrame({"source": "openrouter-endpoints", "source_key": "a/m", "provider": ["x", "y", "z"],
    ...     "valid_from": pd.Timestamp("2026-11-01"), "valid_to": pd.Timestamp("2026-12-01"),
    ...     "input_usd_per_mtok": [1.0, 2.0, 4.0], "output_usd_per_mtok": [1.0, 2.0, 4.0]})
    >>> d = dispersion("a/m", panel=p)
    >>> d[["min", "median", "max", "max_over_min"]].iloc[0].tolist(), int(d["n_hosts"].iloc[0])
    ([1.0, 2.0, 4.0, 4.0], 3)
    >>> d.attrs["elasticity"]["status"]
    'not identified'
    """
    if not isinstance(model, str) or not model.strip():
        raise InputError(f"model must be a non-empty string (a model id of the source); got {model!r}.")
    if (store is None) == (panel is None):
        raise InputError("give exactly one of store= (an llmflation.Store with fetched per-provider offers, "
                         "`llmflation fetch openrouter-endpoints`) or panel= (llmflation.load_panel(store)).")
    from llmflation.panel.lookup import parse_iso_date

    lo = parse_iso_date(since, "since") if since is not None else None
    hi = parse_iso_date(until, "until") if until is not None else None
    model = model.strip()
    if not isinstance(source, str) or not source.strip():
        raise InputError(f"source must be a source name (e.g. {ENDPOINTS!r} or 'litellm'); got {source!r}.")
    if store is not None:
        from llmflation.store.db import Store
        from llmflation.store.history import fetched_prices, list_snapshots

        if not isinstance(store, Store):
            raise InputError(f"store must be an llmflation.Store (open one with llmflation.Store('prices.duckdb')); "
                             f"got {store!r} ({type(store).__name__}).")
        rows = fetched_prices(store)
        rows = rows[rows["source"] == source] if len(rows) else rows
        snaps = list_snapshots(store, source)
        dates = sorted(pd.to_datetime(snaps["snapshot_date"]).unique())
    else:
        check_frame(panel, "panel", columns=["source", "source_key", "provider", "valid_from", "valid_to",
                                             "input_usd_per_mtok", "output_usd_per_mtok"],
                    what="a price panel (llmflation.load_panel(store))")
        assert panel is not None
        rows = panel[panel["source"] == source]
        dates = []
    if rows.empty:
        raise InputError(f"no per-provider offers of source {source!r} are recorded; run `llmflation fetch "
                         f"{ENDPOINTS} --db PATH` first (or pass source= another source of the panel).")
    hit = _pick(rows["source_key"], model)
    if not hit.any() and panel is not None and "model_key" in panel.columns:
        # any id of the model (the panel's identity resolution): every host's key of it
        from llmflation.panel.query import resolve_model

        try:
            mid = resolve_model(panel, model)
        except UnknownModelError:
            mid = None
        keys = set(panel.loc[panel["model_id"] == mid, "model_key"].dropna()) if mid is not None else set()
        hit = rows["model_key"].isin(keys)
    if not hit.any():
        import difflib

        known = sorted(rows["source_key"].astype(str).unique())
        raise UnknownModelError(model, difflib.get_close_matches(model, known, n=5, cutoff=0.5))
    rows = rows[hit.to_numpy()]
    if not dates:
        dates = sorted(set(rows["valid_from"]) | set(rows["valid_to"]))
    dates = [pd.Timestamp(d) for d in dates if (lo is None or d >= lo) and (hi is None or d <= hi)]
    res = _stats(rows, dates, model)
    res.attrs["elasticity"] = dict(ELASTICITY_NOT_IDENTIFIED)
    res.attrs["notes"] = (
        "Prices blended 3 input : 1 output, USD per 1M tokens; one offer per host (provider tag, which carries "
        "the quantization where a host serves several).",
        f"Within-model elasticity: {ELASTICITY_NOT_IDENTIFIED['status']} — {ELASTICITY_NOT_IDENTIFIED['reason']}")
    return res
