"""Issue 21, point 6: a lookup is a query, not a rebuild.

``llmflation price`` answers from the lookup index (``panel/lookup_index.json``) and the
store's tables without importing pandas. These tests hold the fast path to the full one:

* the shipped index is what the code derives from the bundle now (it cannot go stale);
* over **every** API id of the curated first-party table, on every interval boundary (and
  the day before, the table's end and the day after), the fast answer equals
  ``price_on(...).wide()`` with its title and notes — or, where the full path raises, the
  fast path declines (returns None) so that the full path's error is shown;
* with a store of fetched first-party prices past the table's end, the same;
* the command prints the same bytes on both paths in table, JSON and CSV;
* the fast command imports neither pandas nor numpy.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli_helpers import run
from llmflation.errors import LLMFlationError
from llmflation.panel import lookup_index as li
from llmflation.panel.lookup import curated_intervals, price_on

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_index_is_what_the_code_derives_now():
    shipped = json.loads(li.INDEX_PATH.read_text(encoding="utf-8"))
    assert shipped == li.build_index(), (
        "src/llmflation/panel/lookup_index.json is stale: run `.venv/bin/python scripts/build_lookup_index.py`")
    assert li.load_index() is not None  # built from this bundle: used


def test_date_bounds_agree_with_the_validators():
    from llmflation.store.db import EARLIEST_OBSERVED
    from llmflation.validate import PRICE_DATE_MIN

    assert li.PRICE_DATE_MIN == PRICE_DATE_MIN.date() == EARLIEST_OBSERVED.date()


def _slow(model: str, on: str, store=None) -> dict | None:
    try:
        r = price_on(model, on=on, store=store)
    except LLMFlationError:
        return None
    row = r.wide().iloc[0].to_dict()
    out = {k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v) for k, v in row.items()}
    out["snapshot_id"] = None if out["snapshot_id"] is None else int(out["snapshot_id"])
    out["_notes"], out["_title"] = list(r.notes), r.title
    return out


def _fast(model: str, on: str, con=None, path: str = "") -> dict | None:
    a = li.fast_price_on(model, on, con=con, store_path=path)
    if a is None:
        return None
    out = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in a.items() if k != "_vintage"}
    return out


def _dates(g: pd.DataFrame, end: pd.Timestamp) -> list[str]:
    days = set()
    for c in ("valid_from", "valid_to", "shutdown"):
        for v in g[c].dropna():
            for k in (-1, 0, 1):
                days.add(v + pd.Timedelta(days=k))
    days |= {end, end + pd.Timedelta(days=1), pd.Timestamp("2024-06-15")}
    return sorted(d.date().isoformat() for d in days if d >= pd.Timestamp("2015-01-01"))


def test_fast_equals_full_over_the_whole_curated_table():
    iv = curated_intervals()
    end = max(iv["valid_from"].max(), iv["shutdown"].max())
    n_answered = n_declined = 0
    for mid, g in iv.groupby("api_model_id"):
        for day in _dates(g, end):
            slow, fast = _slow(str(mid), day), _fast(str(mid), day)
            if slow is None:
                assert fast is None, (mid, day, fast)
                n_declined += 1
            else:
                assert fast == slow, (mid, day)
                n_answered += 1
    assert n_answered > 500 and n_declined > 20  # 218 intervals: about 780 dates answered


@pytest.mark.parametrize("spelling", ["GPT-4o", "gpt-4o-2024-08-06", "claude-3.5-haiku-20241022", "deepseek-chat"])
def test_other_spellings_match_or_defer(spelling):
    slow, fast = _slow(spelling, "2025-01-15"), _fast(spelling, "2025-01-15")
    assert fast is None or fast == slow


def test_dates_the_fast_path_leaves_to_the_full_one():
    for on in ("2024-6-1", "2014-12-31", "2999-01-01", "not a date", "2024-02-30"):
        assert li.fast_price_on("gpt-4o", on) is None
    assert li.fast_price_on("no-such-model-xyz", "2025-01-01") is None
    assert li.fast_price_on("gpt-4o", "2025-01-01", provider="openrouter") is None


# ------------------------------------------------------------------ with a store of fetched prices


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """Two LiteLLM fetches after the curated end (2026-11-01 list price, 2026-12-01 gpt-4o-mini halved)."""
    from test_live_first_party import two_fetch_store

    return two_fetch_store(tmp_path_factory.mktemp("fastlookup"))


STORE_CASES = [(m, d) for m in ("gpt-4o-mini", "gpt-4o", "claude-3-5-haiku-20241022", "gemini-2.0-flash",
                                "deepseek-chat", "o3")
               for d in ("2026-10-23", "2026-10-24", "2026-11-01", "2026-11-15", "2026-11-30", "2026-12-01",
                         "2026-12-03", "2025-03-01")]


def test_fast_equals_full_with_a_store(store):
    from llmflation.store import Store

    with Store(store, read_only=True) as s:
        got = [(m, d, _slow(m, d, store=s), _fast(m, d, con=s.con, path=str(store))) for m, d in STORE_CASES]
    answered = 0
    for m, d, slow, fast in got:
        if slow is None:
            assert fast is None, (m, d)
        else:
            assert fast == slow, (m, d)
            answered += 1
    fetched = [f for *_, f in got if f is not None and f["source"] == "litellm"]
    assert answered >= 20 and len(fetched) >= 5


@pytest.mark.parametrize("args", [
    ["price", "gpt-4o", "--on", "2025-01-01"],
    ["price", "deepseek-chat", "--on", "2025-01-15"],
    ["price", "gpt-4o-mini", "--on", "2026-12-03", "--db", "STORE"],
    ["price", "gpt-4o-mini", "--on=2026-11-15", "--db", "STORE"],
    ["price", "claude-3-opus-20240229", "--on", "2024-05-01"],
])
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_the_command_prints_the_same_bytes_on_both_paths(args, fmt, store, capsys, monkeypatch):
    args = [str(store) if a == "STORE" else a for a in args] + ["-f", fmt]
    monkeypatch.setenv("LLMFLATION_FAST", "0")
    slow = run(args, capsys)
    monkeypatch.setenv("LLMFLATION_FAST", "1")
    fast = run(args, capsys)
    assert slow[0] == 0, slow[2]
    assert fast == slow


def test_errors_come_from_the_full_path(capsys, monkeypatch):
    monkeypatch.setenv("LLMFLATION_FAST", "1")
    code, out, err = run(["price", "gpt-4o", "--on", "2031-01-01"], capsys)
    assert code != 0 and "outside the dates of LLM prices" in err and out == ""
    code, out, err = run(["price", "gpt-4o", "--on", "2026-12-01"], capsys)
    assert code == 1 and "after the end of the known first-party history" in err


def test_the_fast_command_imports_no_pandas():
    code = ("import sys\nfrom llmflation.cli import main\n"
            "main(['price', 'gpt-4o', '--on', '2025-01-01', '-f', 'json'])\n"
            "assert 'pandas' not in sys.modules and 'numpy' not in sys.modules, 'pandas imported'\n")
    env = {**os.environ, "LLMFLATION_FAST": "1"}
    env.pop("LLMFLATION_DB", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout)["rows"][0]["served_model"] == "gpt-4o-2024-08-06"


def test_today_bound_matches(monkeypatch):
    """Tomorrow is the last date either path accepts (local date, as validate.price_date_bounds)."""
    tomorrow = (dt.datetime.now().date() + dt.timedelta(days=1)).isoformat()
    after = (dt.datetime.now().date() + dt.timedelta(days=2)).isoformat()
    assert li._day(tomorrow) is not None and li._day(after) is None
