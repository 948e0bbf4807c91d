"""Interval semantics (issue 12): change logs, sparse quotes, first-party events, checks."""

import pandas as pd

from llmflation.normalize import changelogs as cl
from llmflation.normalize import first_party as fpt
from llmflation.normalize.intervals import observations_to_intervals

D = pd.Timestamp


def test_change_log_price_holds_until_next_event_or_last_commit():
    ev = pd.DataFrame({"k": ["a", "a", "a", "a"], "event": ["added", "changed", "removed", "added"],
                       "date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-05-01", "2024-07-01"]),
                       "p": [3.0, 1.0, 1.0, 2.0]})
    iv = cl.events_to_intervals(ev, key=["k"], end=D("2024-12-31"))
    assert iv["p"].tolist() == [3.0, 1.0, 2.0]
    assert iv["valid_to"].tolist() == [D("2024-02-29"), D("2024-04-30"), D("2024-12-31")]
    assert iv["valid_to_basis"].tolist() == ["next_event", "removed", "last_observation"]
    # the gap while the key was removed is not covered
    assert not ((iv["valid_from"] <= D("2024-06-01")) & (iv["valid_to"] >= D("2024-06-01"))).any()


def test_same_day_events_keep_the_last_and_never_invert():
    ev = pd.DataFrame({"k": ["a", "a", "a"], "event": ["added", "changed", "changed"],
                       "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"]), "p": [1.0, 2.0, 3.0]})
    iv = cl.events_to_intervals(ev, key=["k"], end=D("2024-01-02"))
    assert iv["p"].tolist() == [2.0, 3.0] and (iv["valid_to"] >= iv["valid_from"]).all()


def test_snapshot_hold_dates_a_change_to_the_first_snapshot_showing_it():
    snaps = pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]))
    obs = pd.DataFrame({"k": ["a"] * 3, "observed_date": snaps[[0, 1, 3]].to_numpy(),
                        "input_usd_per_mtok": [1.0, 2.0, 2.0], "output_usd_per_mtok": [1.0, 2.0, 2.0]})
    iv = observations_to_intervals(obs, key=["k"], snapshots=snaps, hold=True)
    # 1.0 holds until the day before 2.0 is seen; a missing snapshot still closes the interval
    assert iv["valid_to"].tolist() == [D("2024-01-31"), D("2024-02-01"), D("2024-04-01")]


def test_missing_provider_is_filled_from_the_keys_other_rows():
    df = pd.DataFrame({"model_key": ["gpt-4", "gpt-4", "claude-2", "mystery"],
                       "provider": [None, "openai", None, None]})
    df.loc[4] = ["claude-2", "anthropic"]
    assert cl.fill_missing_provider(df).tolist() == ["openai", "openai", "anthropic", None, "anthropic"]


def test_sparse_quotes_hold_until_the_next_quote_or_source_vintage():
    iv = pd.DataFrame({"k": ["a", "a", "b"], "valid_from": pd.to_datetime(["2023-01-01", "2023-06-01", "2024-01-01"]),
                       "valid_to": pd.to_datetime(["2023-01-01", "2023-06-01", "2024-01-01"])})
    out = cl.hold_until_next(iv, key=["k"], last_basis="source_vintage")
    assert out["valid_to"].tolist() == [D("2023-05-31"), D("2024-01-01"), D("2024-01-01")]
    assert out["valid_to_basis"].tolist() == ["next_event", "source_vintage", "source_vintage"]


def _curated(rows):
    base = {"developer": "OpenAI", "is_alias": False, "alias_target": None, "date_precision": "day",
            "cached_input_usd_per_mtok": None, "context_tier": None, "source_url": "https://openai.com/p",
            "confidence": "high"}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_first_party_events_make_intervals_per_tier_and_close_at_shutdown():
    fp = _curated([
        {"api_model_id": "m", "effective_date": "2024-01-01", "event": "launch", "input_usd_per_mtok": 2.0,
         "output_usd_per_mtok": 4.0, "context_tier": "<=128k"},
        {"api_model_id": "m", "effective_date": "2024-01-01", "event": "launch", "input_usd_per_mtok": 4.0,
         "output_usd_per_mtok": 8.0, "context_tier": ">128k"},
        {"api_model_id": "m", "effective_date": "2024-03-01", "event": "price_cut", "input_usd_per_mtok": 1.0,
         "output_usd_per_mtok": 2.0, "context_tier": "<=128k"},
        {"api_model_id": "m", "effective_date": "2024-05-01", "event": "deprecated", "input_usd_per_mtok": None,
         "output_usd_per_mtok": None},
        {"api_model_id": "m", "effective_date": "2024-09-01", "event": "shutdown", "input_usd_per_mtok": None,
         "output_usd_per_mtok": None},
        {"api_model_id": "n", "effective_date": "2024-02-01", "event": "launch", "input_usd_per_mtok": 1.0,
         "output_usd_per_mtok": 1.0, "source_url": "https://web.archive.org/web/2024/https://openai.com/p"},
    ])
    iv = fpt.first_party_intervals(fp, as_of=D("2024-12-31"))
    m = iv[iv.api_model_id == "m"].sort_values(["context_tier", "valid_from"])
    assert m[["context_tier", "valid_from", "valid_to", "valid_to_basis"]].astype(str).values.tolist() == [
        ["<=128k", "2024-01-01", "2024-02-29", "next_event"],
        ["<=128k", "2024-03-01", "2024-08-31", "shutdown"],  # a deprecation notice does not end the price
        [">128k", "2024-01-01", "2024-08-31", "shutdown"]]
    n = iv[iv.api_model_id == "n"].iloc[0]
    assert (n.valid_to, n.valid_to_basis, n.date_basis) == (D("2024-12-31"), "last_observation", "archive")
    assert fpt.base_tier(iv["context_tier"]).tolist() == [t != ">128k" for t in iv["context_tier"]]


def test_check_against_first_party_verdicts():
    truth = pd.DataFrame({"model_id": ["m", "m"], "valid_from": pd.to_datetime(["2024-01-01", "2024-06-01"]),
                          "valid_to": pd.to_datetime(["2024-05-31", "2024-12-31"]),
                          "input_usd_per_mtok": [2.0, 1.0], "output_usd_per_mtok": [4.0, 2.0]})
    rows = pd.DataFrame({
        "model_id": ["m", "m", "m", "m", "m", "m", "x"],
        "first_party": [True, True, True, True, False, True, True],
        "source_key": ["m", "m", "m", "m", "host/m", "m", "x"],
        "valid_from": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-07-01", "2024-07-01", "2024-07-01",
                                      "2024-07-01", "2024-07-01"]),
        "valid_to": pd.to_datetime(["2024-03-01", "2024-09-30", "2024-08-01", "2024-08-01", "2024-08-01",
                                    "2024-08-01", "2024-08-01"]),
        "input_usd_per_mtok": [2.04, 2.0, 2.0, 0.01, 1.2, 1.6, 5.0],
        "output_usd_per_mtok": [4.0, 4.0, 4.0, 0.02, 2.4, 3.2, 5.0]})
    c = fpt.check_against_first_party(rows, truth)
    assert c["verdict"].tolist() == ["agrees", "agrees", "stale_copy", "unit_slip", "regional_markup", "differs",
                                     "no_reference"]
    # the mirror that kept the old price after the cut agrees only until the cut
    assert c.loc[1, "clip_to"] == D("2024-05-31") and pd.isna(c.loc[0, "clip_to"])


def test_cross_source_outliers_use_one_median_per_provider_and_spare_routers():
    r = pd.DataFrame({
        "model_id": ["g"] * 6, "source": "s",
        "provider": ["bedrock"] * 3 + ["novita", "deepinfra", "openrouter"],
        "source_key": ["a", "b", "c", "d", "e", "f"], "valid_from": pd.to_datetime(["2024-01-01"] * 6),
        "blended_usd_per_mtok": [0.45, 0.45, 0.45, 500.0, 0.05, 0.02]})
    assert fpt.cross_source_outliers(r).tolist() == [False, False, False, True, False, False]
