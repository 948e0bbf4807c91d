"""The speed-ups of the bundled panel build change nothing: memoised frames are returned as
copies (a caller mutating one cannot corrupt the next call), and the vectorised helpers
give what the row-wise code they replaced gave."""

from __future__ import annotations

import numpy as np
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


def _old_fill_missing_provider(df, *, key="model_key", provider="provider"):
    prov = df[provider].astype("string").replace("", pd.NA)
    known = prov.notna()
    mode = df[known].assign(_p=prov[known]).groupby(key)["_p"].agg(lambda s: s.value_counts().index[0])
    filled = prov.fillna(df[key].map(mode).astype("string"))
    return filled.astype(object).where(filled.notna(), None)


def test_fill_missing_provider_is_the_row_wise_mode():
    from llmflation.normalize.changelogs import fill_missing_provider

    rng = np.random.default_rng(7)
    for _ in range(10):  # many ties: the provider a key shows first wins, as value_counts had it
        df = pd.DataFrame({"model_key": rng.choice(["a", "b", "c", "d", None], 120),
                           "provider": rng.choice(["x", "y", "z", "w", "", None], 120)})
        pd.testing.assert_series_equal(fill_missing_provider(df), _old_fill_missing_provider(df), check_exact=True)


def _old_coalesce_labels(d, cols):
    return d[cols].astype("string").fillna("\x00").agg("\x01".join, axis=1)


def test_coalesce_intervals_merges_only_equal_key_and_price():
    from llmflation.normalize.intervals import coalesce_intervals

    rng = np.random.default_rng(3)
    n = 300
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    iv = pd.DataFrame({"source": rng.choice(["s", "t"], n), "source_key": rng.choice(["k", "l", None], n),
                       "provider": rng.choice(["p", "q"], n), "valid_from": start,
                       "valid_to": start + pd.to_timedelta(rng.integers(0, 10, n), unit="D"),
                       "input_usd_per_mtok": rng.choice([1.0, 2.0, np.nan], n),
                       "output_usd_per_mtok": rng.choice([3.0, 4.0], n), "n_obs": 1})
    iv["observed_at"] = iv["valid_to"]
    out = coalesce_intervals(iv)
    # every merged run is one label of the former row-wise join, and no two kept runs of one
    # label overlap or touch
    lab = _old_coalesce_labels(out, ["source", "source_key", "provider", "input_usd_per_mtok",
                                     "output_usd_per_mtok"])
    o = out.assign(_l=lab).sort_values(["_l", "valid_from"], kind="mergesort")
    gap = o["valid_from"] - o.groupby("_l")["valid_to"].shift()
    assert bool((gap.dropna() > pd.Timedelta(days=1)).all())
    assert out["n_obs"].sum() <= n and len(out) < n


def _old_cross_source_outliers(rows, *, slip=10.0, min_others=2, series_slip=100.0):
    from llmflation.normalize.first_party import ROUTERS

    out = pd.Series(False, index=rows.index)
    d = rows.assign(_lb=np.log(rows["blended_usd_per_mtok"].astype(float)))
    prov = d.groupby(["model_id", "provider"])["_lb"].median()
    checked = pd.Series(False, index=rows.index)
    many = prov.groupby(level=0).size()
    many = many[many > min_others].index
    by_model = d[d["model_id"].isin(many)].groupby(["model_id", "provider"]).groups
    for mid, sub in prov[prov.index.get_level_values(0).isin(many)].groupby(level=0):
        vals = sub.droplevel(0)
        provs, lvals = vals.index.to_numpy(), vals.to_numpy()
        for pv in provs:
            if pv in ROUTERS:
                continue
            mask = provs != pv
            if mask.sum() >= min_others:
                ix = by_model[(mid, pv)]
                out.loc[ix] = (d.loc[ix, "_lb"] - float(np.median(lvals[mask]))).abs() >= np.log(slip)
                checked.loc[ix] = True
    rest = d[~checked].sort_values("valid_from", kind="mergesort")
    last = rest.groupby(["source", "source_key", "provider"])["_lb"].transform("last")
    out.loc[rest.index] = (rest["_lb"] - last).abs() >= np.log(series_slip)
    return out


def test_cross_source_outliers_is_the_per_provider_loop():
    from llmflation.normalize.first_party import cross_source_outliers

    rng = np.random.default_rng(11)
    n = 400
    rows = pd.DataFrame({"model_id": rng.choice(["m1", "m2", "m3", "m4"], n),
                         "provider": rng.choice(["a", "b", "c", "d", "openrouter", None], n),
                         "source": rng.choice(["s", "t"], n), "source_key": rng.choice(["k1", "k2"], n),
                         "valid_from": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
                         "blended_usd_per_mtok": rng.choice([0.02, 0.2, 0.21, 2.0, 20.0, 200.0, 2e4], n)},
                        index=rng.permutation(n) * 3)
    pd.testing.assert_series_equal(cross_source_outliers(rows), _old_cross_source_outliers(rows), check_exact=True)
    few = rows[rows["model_id"].eq("m1") & rows["provider"].isin(["a", "b"])]
    pd.testing.assert_series_equal(cross_source_outliers(few), _old_cross_source_outliers(few), check_exact=True)


def _old_first_party_intervals(fp):
    fp = aliases.list_price_rows(fp).dropna(subset=["effective_date"])
    out = []
    for mid, g in fp.sort_values(["api_model_id", "effective_date"], kind="stable").groupby("api_model_id", sort=True):
        stops = g.loc[g["event"].eq("shutdown"), "effective_date"]
        priced = g[g["event"].isin(aliases.PRICE_EVENTS) & g["input_usd_per_mtok"].notna()
                   & g["output_usd_per_mtok"].notna()].drop_duplicates("effective_date", keep="last")
        for i, r in enumerate(priced.itertuples(index=False)):
            nxt = priced["effective_date"].iloc[i + 1] if i + 1 < len(priced) else pd.NaT
            stop = stops[stops > r.effective_date].min() if len(stops) else pd.NaT
            ends = [d for d in (nxt, stop) if pd.notna(d)]
            out.append({
                "api_model_id": mid, "is_alias": bool(r.is_alias),
                "served_model": r.alias_target if (r.is_alias and r.alias_target) else mid,
                "model_family": r.model_family, "developer": r.developer, "valid_from": r.effective_date,
                "valid_to": min(ends) - pd.Timedelta(days=1) if ends else pd.NaT, "event": r.event,
                "input_usd_per_mtok": float(r.input_usd_per_mtok), "output_usd_per_mtok": float(r.output_usd_per_mtok),
                "cached_input_usd_per_mtok": (float(r.cached_input_usd_per_mtok)
                                              if pd.notna(r.cached_input_usd_per_mtok) else float("nan")),
                "date_precision": r.date_precision, "confidence": r.confidence, "source_url": r.source_url,
                "shutdown": stop})
    return pd.DataFrame(out, columns=["api_model_id", "is_alias", "served_model", "model_family", "developer",
                                      "valid_from", "valid_to", "event", "input_usd_per_mtok", "output_usd_per_mtok",
                                      "cached_input_usd_per_mtok", "date_precision", "confidence", "source_url",
                                      "shutdown"])


def test_first_party_intervals_are_those_of_the_per_id_loop():
    fp = aliases.first_party_prices()
    assert_frame_equal(aliases.first_party_intervals(fp), _old_first_party_intervals(fp), check_exact=True)
    # shuffled rows (same-day events keep their table order): the same history
    shuffled = fp.sample(frac=1, random_state=5).sort_values("api_model_id", kind="stable")
    assert_frame_equal(aliases.first_party_intervals(shuffled), _old_first_party_intervals(shuffled), check_exact=True)


def test_alias_intervals_merge_runs_per_alias():
    a = aliases.alias_intervals()
    assert not a.empty and list(a.columns) == ["alias", "target", "valid_from", "valid_to", "event", "source_url"]
    # consecutive rows of one alias never serve the same target (they would have been merged)
    same = a["alias"].eq(a["alias"].shift()) & a["target"].eq(a["target"].shift())
    assert not bool(same.any())
    assert a["alias"].is_monotonic_increasing


def _old_propagate_alias_prices(fp):
    from llmflation.normalize.first_party import PRICED_EVENTS

    d = fp.copy()
    date = pd.to_datetime(d["effective_date"], errors="coerce")
    is_alias = d["is_alias"].astype(str).str.lower().eq("true")
    target = d["alias_target"].astype("string").fillna("").str.strip()
    tier = d["context_tier"].astype("string").fillna("") if "context_tier" in d else pd.Series("", index=d.index)
    ids = set(d["api_model_id"].astype(str))
    priced = d["event"].isin(PRICED_EVENTS)
    added = []
    for alias in sorted(set(d.loc[is_alias, "api_model_id"].astype(str))):
        own = d[(d["api_model_id"] == alias) & priced].assign(pdate_=date, ptier_=tier, ptarget_=target)
        own = own.dropna(subset=["pdate_"]).sort_values("pdate_", kind="stable")
        stops = date[(d["api_model_id"] == alias) & d["event"].eq("shutdown")]
        for (t, tr), g in own.groupby(["ptarget_", "ptier_"], sort=False):
            if not t or t not in ids or t == alias:
                continue
            for r in g.itertuples(index=False):
                later = own[(own["pdate_"] > r.pdate_) & (own["ptier_"] == tr)]["pdate_"]
                end = later.min() if len(later) else pd.NaT
                if len(stops):
                    s = stops[stops > r.pdate_].min()
                    end = s if pd.isna(end) or (pd.notna(s) and s < end) else end
                tev = d[(d["api_model_id"] == t) & (tier == tr) & (d["event"].isin(PRICED_EVENTS + ("shutdown",)))]
                tdate = date[tev.index]
                inside = (tdate > r.pdate_) & (tdate < end if pd.notna(end) else True)
                for i in tev.index[inside.to_numpy()]:
                    row = {c: d.at[i, c] for c in d.columns}
                    row.update(api_model_id=alias, is_alias=own["is_alias"].iloc[0], alias_target=t,
                               source_note=f"{alias} served {t}; the price of {t} changed (or it was shut "
                                           f"down) on this date, so the alias's did")
                    added.append(row)
    if not added:
        return fp
    out = pd.concat([fp, pd.DataFrame(added, columns=fp.columns)], ignore_index=True)
    key = ["api_model_id", "effective_date", "event"] + (["context_tier"] if "context_tier" in out else [])
    return out.drop_duplicates(key, keep="first").reset_index(drop=True)


def test_propagate_alias_prices_is_the_frame_filter_loop():
    from llmflation.normalize.first_party import propagate_alias_prices
    from llmflation.sources import bundled

    raw = bundled.load_table("first_party_prices")
    assert_frame_equal(propagate_alias_prices(raw), _old_propagate_alias_prices(raw), check_exact=True)
    # two tiers, a repoint, an own event on a propagated day and a shutdown of the alias
    fp = pd.DataFrame({"developer": "A", "api_model_id": ["a", "a", "a", "a", "a-1", "a-1", "a-1", "a-1", "a-2", "a-2"],
                       "is_alias": [True] * 4 + [False] * 6,
                       "alias_target": ["a-1", "a-1", "a-2", None, None, None, None, None, None, None],
                       "effective_date": ["2024-01-01", "2024-01-01", "2024-09-01", "2025-03-01", "2024-01-01",
                                          "2024-03-01", "2024-03-01", "2024-12-01", "2024-09-01", "2024-10-01"],
                       "event": ["launch", "launch", "alias_repoint", "shutdown", "launch", "price_cut", "price_cut",
                                 "shutdown", "launch", "price_cut"],
                       "input_usd_per_mtok": [2.0, 4.0, 1.0, None, 2.0, 1.5, 3.0, None, 1.0, 0.5],
                       "output_usd_per_mtok": [4.0, 8.0, 2.0, None, 4.0, 3.0, 6.0, None, 2.0, 1.0],
                       "context_tier": ["<=128k", ">128k", "<=128k", None, "<=128k", "<=128k", ">128k", None, "<=128k",
                                        "<=128k"], "source_url": "u", "source_note": ""}, index=np.arange(10) * 7)
    assert_frame_equal(propagate_alias_prices(fp), _old_propagate_alias_prices(fp), check_exact=True)
    assert len(propagate_alias_prices(fp)) > len(fp)


def test_not_a_base_text_model_per_distinct_key_is_per_row():
    from llmflation.normalize.catalogues import not_a_base_text_model

    keys = pd.Series(["gpt-4o", "GPT-4o-mini-TTS", None, "ft:gpt-4o:acme", "together-ai-up-to-4b", "gpt-4o",
                      "openai/whisper-1", "", "gpt-4o-realtime-preview"] * 3, index=np.arange(27)[::-1])
    got = not_a_base_text_model(keys)
    one_by_one = [not_a_base_text_model(keys.iloc[[i]]).iloc[0] for i in range(len(keys))]
    assert got.tolist() == one_by_one and got.index.equals(keys.index) and got.dtype == object
    assert not_a_base_text_model(pd.Series([], dtype=object)).empty


def test_classify_prices_labels_with_missing_values():
    from llmflation.normalize.units import classify_prices

    inp = pd.Series([1.0, 0.0, -1.0, np.nan, -0.5, 2e6, 0.0, 1.0, -1.0], index=list("abcdefghi"))
    out = pd.Series([2.0, 0.0, -1.0, 1.0, 1.0, 1.0, 3.0, np.nan, 2.0], index=list("abcdefghi"))
    got = classify_prices(inp, out)
    assert got.tolist() == ["ok", "free", "sentinel", "missing", "negative", "implausible", "partly_free", "missing",
                            "sentinel"]
    assert got.dtype == object and got.index.equals(inp.index)


def test_observations_to_intervals_close_at_a_missing_snapshot():
    from llmflation.normalize.intervals import observations_to_intervals

    days = pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-02", "2024-01-04", "2024-01-02"])
    obs = pd.DataFrame({"k": ["a", "a", "a", "b"], "observed_date": pd.to_datetime(
        ["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-03"]), "input_usd_per_mtok": 1.0,
        "output_usd_per_mtok": 2.0})
    iv = observations_to_intervals(obs, key=["k"], snapshots=pd.Series(days))
    assert iv[["k", "valid_from", "valid_to", "n_obs"]].astype(str).values.tolist() == [
        ["a", "2024-01-01", "2024-01-02", "2"], ["a", "2024-01-04", "2024-01-04", "1"],
        ["b", "2024-01-03", "2024-01-03", "1"]]


def test_rule_key_quick_reject_changes_nothing(monkeypatch):
    import re

    from llmflation.normalize import registry

    ids = sorted(set(registry.registry()["model_id"].dropna()) | set(registry.overrides()["model_id"].dropna())
                 | {"amazon-nova-lite-v1", "qwen-2-5-72b-instruct", "llama-31-8b-instruct-turbo", "x"})
    fast = [registry.rule_key(m) for m in ids]
    monkeypatch.setattr(registry, "_ANY_SPELLING", re.compile(""))  # always try every spelling rule
    assert fast == [registry.rule_key(m) for m in ids]
