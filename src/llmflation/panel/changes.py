"""``changes``: every price change of one offer between two dates (bundle and store alike).

An *offer* is one model (``model_key``) sold by one provider under one tariff. A *change*
follows the change rule of the analysis series (issue 18; CONTRIBUTING "The analysis
series", ``study.trends``), applied per offer instead of per model:

* the offer's price in one source differs from that source's previous price of the same
  offer (same source key) by more than :data:`CHANGE_TOLERANCE` (input or output price);
* that source covered the offer up to (about) the date of the change: the previous
  interval ended at most :data:`CHANGE_MAX_GAP_DAYS` before. A catalogue's first sighting,
  a switch of source or host and a gap in coverage are never changes;
* where the curated first-party table covers a model, only it dates the developer's own
  offer up to the table's last date (catalogues copy list prices late); after that date
  the fetched catalogues date it (issue 21, point 1);
* the same change seen by several sources (or source keys) within
  :data:`CHANGE_MERGE_DAYS` at the same new price is one change, dated by the earliest and
  listing every source.

Each change says how it was dated (``dated_by``: the curated row's basis — vendor
announcement, archive capture, a catalogue's first listing — or the first observation of
the new price in a catalogue or a fetch).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.validate import check_frame

# The rules of the analysis series (issue 18), defined once here and read by ``study.trends``
# (which may import the panel layer) and ``panel.validate``.
#: Relative price move below which two dated prices are the same price (catalogues round:
#: $0.0375 → $0.04 is 6.7%, so 2% only absorbs float and per-1K rounding).
CHANGE_TOLERANCE = 0.02
#: Largest gap (days) between an offer's consecutive intervals in one source for the second to
#: count as a change of the first: monthly catalogue snapshots leave up to about two months.
CHANGE_MAX_GAP_DAYS = 62
#: Changes of one offer seen by several sources within this many days, at the same price, are
#: one change, dated by the earliest.
CHANGE_MERGE_DAYS = 30
#: A model's first observed price counts as its launch price only if seen within this many
#: days of its release: a catalogue that starts covering a model later (OpenRouter's first
#: snapshot, genai-prices' first commit) sees a price that may have been cut since.
LAUNCH_WINDOW_DAYS = 90.0
#: Two new prices within this relative distance are the same price when merging sources.
SAME_PRICE = 0.05
#: Columns of :func:`changes`.
COLUMNS = ["date", "model_key", "model_id", "developer", "provider", "tariff", "first_party",
           "old_input", "new_input", "old_output", "new_output", "factor", "direction", "dated_by", "source",
           "sources", "source_key"]
_DATED = {
    "announced": "vendor announcement (effective date)",
    "archive": "archived capture of the vendor page",
    "observed_first": "first listing in a catalogue (curated)",
    "commit": "commit of the catalogue that changed the price",
    "snapshot": "first snapshot of the catalogue showing the new price",
    "fetch": "first fetch showing the new price",
}


def _dated_by(basis: pd.Series, source: pd.Series) -> pd.Series:
    b = basis.astype("string").fillna("")
    txt = b.map(lambda x: _DATED.get(x, x.replace("_", " ") if x else "first observation of the new price"))
    return txt.astype(str) + " (" + source.astype(str) + ")"


def offer_changes(panel: pd.DataFrame) -> pd.DataFrame:
    """Every change of every offer in a panel (the rule of the module docstring), oldest first.

    Parameters
    ----------
    panel : DataFrame
        A canonical panel (``load_panel()``), or any frame with ``model_key, provider,
        source, source_key, valid_from, valid_to, input_usd_per_mtok,
        output_usd_per_mtok`` (``tariff``, ``first_party``, ``model_id``, ``developer``,
        ``date_basis`` optional).

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: ``factor`` is new ÷ old blended (3:1) price, ``direction`` cut /
        increase / mixed.

    Examples
    --------
    >>> p = pd.DataFrame({"model_key": "m", "provider": "acme", "source": "cat", "source_key": "m",
    ...     "valid_from": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-09-01"]),
    ...     "valid_to": pd.to_datetime(["2025-02-28", "2025-05-01", "2025-10-01"]),
    ...     "input_usd_per_mtok": [2.0, 1.0, 0.5], "output_usd_per_mtok": [8.0, 4.0, 2.0]})
    >>> c = offer_changes(p)
    >>> c[["date", "old_input", "new_input", "factor"]].astype(str).values.tolist()
    [['2025-03-01', '2.0', '1.0', '0.5']]
    """
    need = ["model_key", "provider", "source", "source_key", "valid_from", "valid_to", "input_usd_per_mtok",
            "output_usd_per_mtok"]
    check_frame(panel, "panel", columns=need, what="a price panel (llmflation.load_panel())")
    p = panel.copy()
    for c, default in (("tariff", "standard"), ("first_party", False), ("date_basis", ""), ("model_id", pd.NA),
                       ("developer", pd.NA)):
        if c not in p:
            p[c] = default
    p["tariff"] = p["tariff"].astype("string").fillna("standard")
    p["first_party"] = p["first_party"].fillna(False).astype(bool)
    p = p.dropna(subset=["model_key", "valid_from", "input_usd_per_mtok", "output_usd_per_mtok"])
    p = p[(p["input_usd_per_mtok"] >= 0) & (p["output_usd_per_mtok"] >= 0)]
    run = ["model_key", "provider", "tariff", "source", "source_key"]
    p = p.sort_values([*run, "valid_from"], kind="mergesort")
    g = p.groupby(run, sort=False, dropna=False)
    old_in, old_out, prev_to = g["input_usd_per_mtok"].shift(1), g["output_usd_per_mtok"].shift(1), g["valid_to"].shift(1)

    def moved(new: pd.Series, old: pd.Series) -> pd.Series:
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(old > 0, (new / old - 1).abs(), np.where(new > 0, np.inf, 0.0))
        return pd.Series(rel > CHANGE_TOLERANCE, index=new.index)

    gap = (p["valid_from"] - pd.to_datetime(prev_to)).dt.days
    is_change = old_in.notna() & (moved(p["input_usd_per_mtok"], old_in) | moved(p["output_usd_per_mtok"], old_out)) \
        & (gap <= CHANGE_MAX_GAP_DAYS).fillna(False)
    ch = p[is_change].assign(old_input=old_in[is_change], old_output=old_out[is_change])
    # the curated first-party table alone dates the developer's own offer inside its coverage
    curated = p[p["source"].eq("first-party")]
    if len(curated):
        end = curated["valid_to"].max()
        keys = set(curated["model_key"].astype(str))
        drop = ch["first_party"] & ch["model_key"].astype(str).isin(keys) & ch["source"].ne("first-party") \
            & (ch["valid_from"] <= end)
        ch = ch[~drop]
    ch = ch.rename(columns={"valid_from": "date", "input_usd_per_mtok": "new_input",
                            "output_usd_per_mtok": "new_output"})
    blend_old = (3 * ch["old_input"] + ch["old_output"]) / 4
    blend_new = (3 * ch["new_input"] + ch["new_output"]) / 4
    ch["factor"] = (blend_new / blend_old).where(blend_old > 0)
    down = (ch["new_input"] <= ch["old_input"]) & (ch["new_output"] <= ch["old_output"])
    up = (ch["new_input"] >= ch["old_input"]) & (ch["new_output"] >= ch["old_output"])
    ch["direction"] = np.where(down, "cut", np.where(up, "increase", "mixed"))
    ch["dated_by"] = _dated_by(ch["date_basis"], ch["source"])
    ch = ch.sort_values(["model_key", "provider", "tariff", "date", "source"], kind="mergesort")
    # one change seen by several sources / keys within CHANGE_MERGE_DAYS at one price
    out: list[dict[str, Any]] = []
    last: dict[str, Any] | None = None
    for r in ch.to_dict("records"):
        same_offer = last is not None and (last["model_key"], last["provider"], last["tariff"]) == (
            r["model_key"], r["provider"], r["tariff"])
        if same_offer and last is not None and (r["date"] - last["date"]).days <= CHANGE_MERGE_DAYS \
                and abs(r["new_input"] / last["new_input"] - 1 if last["new_input"] else r["new_input"]) <= SAME_PRICE:
            if r["source"] not in last["sources"].split("; "):
                last["sources"] += f"; {r['source']}"
            continue
        r["sources"] = str(r["source"])
        out.append(r)
        last = r
    res = pd.DataFrame(out, columns=list(ch.columns) + ["sources"]) if out else pd.DataFrame(columns=COLUMNS)
    res = res.reindex(columns=COLUMNS)
    res["date"] = pd.to_datetime(res["date"])
    return res.sort_values(["date", "model_key", "provider", "tariff"], kind="mergesort").reset_index(drop=True)


def changes(*, since: Any, until: Any = None, panel: pd.DataFrame | None = None, store: Any = None,
            model: str | None = None, provider: str | None = None) -> pd.DataFrame:
    """Every price change of every offer (model × provider × tariff) from ``since`` to ``until``.

    Parameters
    ----------
    since, until : str
        ISO dates ``YYYY-MM-DD`` (both included; ``until`` defaults to today).
    panel : DataFrame, optional
        The panel to read (default: the bundled panel, merged with ``store`` when given).
    store : llmflation.Store, optional
        A store of fetched prices (ignored when ``panel`` is given).
    model, provider : str, optional
        Keep only one model (any id of it: its ``model_key`` or a listed id) or one provider.

    Returns
    -------
    DataFrame
        One row per change, oldest first: ``date, model_key, model_id, developer, provider,
        tariff, first_party, old_input, new_input, old_output, new_output`` (USD per 1M
        tokens), ``factor`` (new ÷ old blended 3:1 price), ``direction``, ``dated_by`` (how
        the date was set), ``source`` (the source that dated it) and ``sources`` (every
        source that saw it within the merge window). ``attrs`` carries ``vintage`` and
        ``notes``.

    Raises
    ------
    InputError
        A date that is not ``YYYY-MM-DD``, outside 2015-01-01 → tomorrow, or ``since``
        after ``until``.

    Examples
    --------
    >>> import llmflation as lf
    >>> c = lf.changes(since="2025-06-01", until="2025-06-30", model="o3-2025-04-16", provider="openai")
    >>> c[["date", "old_input", "new_input", "factor", "source"]].astype(str).values.tolist()
    [['2025-06-10', '10.0', '2.0', '0.2', 'first-party']]
    """
    from llmflation.panel.lookup import parse_iso_date

    lo = parse_iso_date(since, "since")
    hi = parse_iso_date(until, "until") if until is not None else pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()
    if lo > hi:
        raise InputError(f"since ({lo.date()}) is after until ({hi.date()}); give since <= until.")
    for name, v in (("model", model), ("provider", provider)):
        if v is not None and (not isinstance(v, str) or not v.strip()):
            raise InputError(f"{name} must be a non-empty string or None; got {v!r}.")
    if panel is None:
        import warnings

        from llmflation.panel.build import load_panel

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            panel = load_panel(store, warn=False)
    else:
        check_frame(panel, "panel", what="a pandas DataFrame (the output of llmflation.load_panel()) or None")
    p = panel
    if model is not None:
        from llmflation.panel.query import resolve_model

        mid = resolve_model(panel, model.strip())
        key = panel.loc[panel["model_id"] == mid, "model_key"]
        p = panel[panel["model_key"].isin(set(key.dropna()))] if len(key) else panel[panel["model_id"] == mid]
    if provider is not None:
        p = p[p["provider"].astype(str).str.lower() == provider.strip().lower()]
        if p.empty:
            raise InputError(f"no prices from provider {provider!r}; see `llmflation models` or the panel's "
                             "provider column for the providers.")
    # a change needs the interval before it: keep the offers' whole runs, then cut by date
    c = offer_changes(p)
    c = c[(c["date"] >= lo) & (c["date"] <= hi)].reset_index(drop=True)
    c.attrs["vintage"] = str(panel.attrs.get("vintage", ""))
    c.attrs["notes"] = (
        f"Price changes from {lo.date()} to {hi.date()}: a change of one offer's price (input or output by more "
        f"than {CHANGE_TOLERANCE:.0%}) in one source that covered the offer up to {CHANGE_MAX_GAP_DAYS} days "
        f"before; the same change seen by several sources within {CHANGE_MERGE_DAYS} days is one row.",
        "Inside the curated first-party table's coverage only it dates the developer's own offers.",
        "factor = new ÷ old blended price (3 input : 1 output).")
    return c


ATOM_NS = "http://www.w3.org/2005/Atom"


def atom_feed(frame: pd.DataFrame, *, title: str = "llmflation: LLM API price changes",
              feed_id: str = "tag:llmflation,2026:price-changes") -> str:
    """The changes of :func:`changes` as an Atom 1.0 feed (RFC 4287), one entry per change.

    Written with :mod:`xml.etree.ElementTree`, which escapes every text and attribute (a
    model id such as ``a<b&c`` stays data). Deterministic: the feed's ``updated`` is the
    latest change's date (or 2015-01-01 for an empty feed), each entry's id a ``tag:`` URI
    of the offer and date.

    Examples
    --------
    >>> c = pd.DataFrame({"date": pd.to_datetime(["2025-06-10"]), "model_key": ["o3<&>"], "model_id": ["o3"],
    ...     "developer": ["OpenAI"], "provider": ["openai"], "tariff": ["standard"], "first_party": [True],
    ...     "old_input": [10.0], "new_input": [2.0], "old_output": [40.0], "new_output": [8.0], "factor": [0.2],
    ...     "direction": ["cut"], "dated_by": ["vendor announcement"], "source": ["first-party"],
    ...     "sources": ["first-party"], "source_key": ["o3"]})
    >>> xml = atom_feed(c)
    >>> "o3&lt;&amp;&gt;" in xml and xml.count("<entry>") == 1
    True
    """
    import xml.etree.ElementTree as ET
    from urllib.parse import quote

    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    dates = pd.to_datetime(frame["date"]) if len(frame) else pd.Series([pd.Timestamp("2015-01-01")])

    def stamp(d: Any) -> str:
        return pd.Timestamp(d).strftime("%Y-%m-%dT00:00:00Z")

    ET.SubElement(feed, "title").text = title
    ET.SubElement(feed, "id").text = feed_id
    ET.SubElement(feed, "updated").text = stamp(dates.max())
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = "llmflation"
    ET.SubElement(feed, "generator").text = "llmflation"
    for r in frame.sort_values("date", ascending=False, kind="mergesort").to_dict("records"):
        e = ET.SubElement(feed, "entry")
        day = pd.Timestamp(r["date"]).date().isoformat()
        what = f"{r['model_key']} ({r['provider']}, {r['tariff']})"
        factor = f" ×{float(r['factor']):.3g}" if pd.notna(r.get("factor")) else ""
        ET.SubElement(e, "title").text = (f"{what}: {r['direction']}{factor}, input ${r['old_input']:g} → "
                                          f"${r['new_input']:g}, output ${r['old_output']:g} → ${r['new_output']:g}")
        ET.SubElement(e, "id").text = "tag:llmflation,2026:change/" + "/".join(
            quote(str(x), safe="") for x in (r["model_key"], r["provider"], r["tariff"], day))
        ET.SubElement(e, "updated").text = stamp(r["date"])
        ET.SubElement(e, "category", {"term": str(r["direction"])})
        ET.SubElement(e, "content", {"type": "text"}).text = (
            f"{day}: {what} input ${r['old_input']:g} → ${r['new_input']:g}, output ${r['old_output']:g} → "
            f"${r['new_output']:g} per 1M tokens{factor and ' (blended' + factor + ')'}. Dated by: {r['dated_by']}. "
            f"Sources: {r['sources']}.")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
