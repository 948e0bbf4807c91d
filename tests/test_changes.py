"""`changes` / `lf.changes` (issue 21, point 4): the per-offer change rule on synthetic panels and the bundle."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

import llmflation as lf
from cli_helpers import run
from llmflation.errors import InputError
from llmflation.panel.changes import CHANGE_MAX_GAP_DAYS, atom_feed, offer_changes


def _panel(rows: list[tuple]) -> pd.DataFrame:
    cols = ["model_key", "provider", "source", "source_key", "valid_from", "valid_to", "input_usd_per_mtok",
            "output_usd_per_mtok"]
    p = pd.DataFrame(rows, columns=cols)
    p["valid_from"], p["valid_to"] = pd.to_datetime(p["valid_from"]), pd.to_datetime(p["valid_to"])
    return p


def test_first_sighting_gap_and_host_switch_are_not_changes():
    p = _panel([
        ("m", "a", "cat1", "m", "2025-01-01", "2025-01-31", 2.0, 8.0),
        ("m", "a", "cat1", "m", "2025-02-01", "2025-03-01", 1.0, 4.0),    # a change
        ("m", "a", "cat1", "m", "2025-08-01", "2025-09-01", 0.5, 2.0),    # after a gap: not a change
        ("m", "b", "cat1", "m", "2025-02-01", "2025-03-01", 9.0, 9.0),    # another host: its own offer, first sighting
        ("m", "a", "cat2", "m", "2025-02-10", "2025-03-01", 1.0, 4.0),    # another source's first sighting
    ])
    c = offer_changes(p)
    assert c[["date", "provider", "old_input", "new_input"]].astype(str).values.tolist() == [
        ["2025-02-01", "a", "2.0", "1.0"]]
    assert (pd.Timestamp("2025-08-01") - pd.Timestamp("2025-03-01")).days > CHANGE_MAX_GAP_DAYS


def test_one_change_seen_by_two_sources_is_one_row_listing_both():
    p = _panel([
        ("m", "a", "cat1", "m", "2025-01-01", "2025-01-31", 2.0, 8.0),
        ("m", "a", "cat1", "m", "2025-02-01", "2025-03-01", 1.0, 4.0),
        ("m", "a", "cat2", "m2", "2025-01-05", "2025-02-09", 2.0, 8.0),
        ("m", "a", "cat2", "m2", "2025-02-10", "2025-03-01", 1.0, 4.0),
    ])
    c = offer_changes(p)
    assert len(c) == 1 and c.loc[0, "source"] == "cat1" and c.loc[0, "sources"] == "cat1; cat2"


def test_curated_table_alone_dates_first_party_changes_inside_its_coverage():
    p = _panel([
        ("m", "acme", "first-party", "m", "2025-01-01", "2025-02-14", 2.0, 8.0),
        ("m", "acme", "first-party", "m", "2025-02-15", "2025-06-30", 1.0, 4.0),
        ("m", "acme", "cat", "m", "2025-01-01", "2025-02-28", 2.0, 8.0),
        ("m", "acme", "cat", "m", "2025-03-01", "2025-06-30", 1.0, 4.0),   # a late copy of the cut
        ("m", "acme", "cat", "m", "2025-07-01", "2025-08-30", 0.5, 2.0),   # after the table's end: the catalogue dates it
    ]).assign(first_party=True)
    c = offer_changes(p)
    assert c[["date", "source"]].astype(str).values.tolist() == [["2025-02-15", "first-party"], ["2025-07-01", "cat"]]


def test_bundle_changes_and_refusals():
    c = lf.changes(since="2025-06-01", until="2025-06-30", model="o3-2025-04-16", provider="openai")
    assert c["factor"].tolist() == pytest.approx([0.2])
    with pytest.raises(InputError, match="after until"):
        lf.changes(since="2025-06-02", until="2025-06-01")
    with pytest.raises(InputError, match="ISO date"):
        lf.changes(since="06/01/2025")


def test_atom_escapes_and_parses():
    c = lf.changes(since="2025-06-01", until="2025-06-30", model="o3-2025-04-16")
    c.loc[0, "dated_by"] = "<script>&\u202e"
    feed = ET.fromstring(atom_feed(c).encode())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    content = feed.find("a:entry", ns).findtext("a:content", namespaces=ns)
    assert "<script>&\u202e" in content


def test_cli_csv_and_json(capsys):
    code, out, err = run(["changes", "--since", "2025-06-01", "--until", "2025-06-30", "--model", "o3-2025-04-16",
                          "-f", "json"], capsys)
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert rows[0]["date"] == "2025-06-10" and rows[0]["old_input"] == 10.0
    code, _, err = run(["changes", "--since", "2025-13-01"], capsys)
    assert code == 1 and "--since" in err
