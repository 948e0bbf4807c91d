"""`llmflation fetch openrouter-endpoints` (issue 21, point 5): per-provider offers as dated history,
replayed from payloads in OpenRouter's documented PublicEndpoint schema (tests/data/openrouter_endpoints.md),
and `lf.dispersion` on them."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

import llmflation as lf
from cli_helpers import run
from llmflation.errors import InputError, ParseError
from llmflation.sources import openrouter_endpoints as ep
from llmflation.store import Store

DATA = Path(__file__).parent / "data"
LLAMA = "meta-llama/llama-3.3-70b-instruct"


def _payload(day: str) -> Path:
    return DATA / f"openrouter_endpoints_{day}.json"


@pytest.fixture()
def store(tmp_path, capsys) -> Path:
    db = tmp_path / "s.duckdb"
    for day in ("2026-11-01", "2026-12-01"):
        code, out, err = run(["fetch", "openrouter-endpoints", "--payload", str(_payload(day)), "--db", str(db),
                              "-f", "json"], capsys)
        assert code == 0, err
        assert json.loads(out)["rows"][0]["status"] == "recorded"
    return db


def test_offers_become_dated_intervals_per_provider(store, capsys):
    with Store(store, read_only=True) as s:
        iv = s.query("SELECT source_key, provider, valid_from, valid_to, input_usd_per_mtok, cache_read_usd_per_mtok, "
                     "context_tokens, is_open FROM price_intervals WHERE source = 'openrouter-endpoints' ORDER BY ALL")
    fw = iv[(iv["source_key"] == LLAMA) & (iv["provider"] == "fireworks")]
    assert fw["input_usd_per_mtok"].tolist() == pytest.approx([0.90, 0.45])
    assert fw["is_open"].tolist() == [False, True]
    di = iv[(iv["source_key"] == LLAMA) & (iv["provider"] == "deepinfra/fp8")].iloc[0]
    assert str(di["valid_to"])[:10] == "2026-12-01" and di["context_tokens"] == 131072
    ds = iv[iv["provider"] == "deepseek"].iloc[0]
    assert ds["cache_read_usd_per_mtok"] == pytest.approx(0.07)
    # re-recording the same snapshot changes nothing
    code, out, _ = run(["fetch", "openrouter-endpoints", "--payload", str(_payload("2026-12-01")), "--db", str(store),
                        "-f", "json"], capsys)
    assert code == 0 and json.loads(out)["rows"][0]["status"] == "already recorded"


def test_dispersion_across_hosts_over_time(store):
    with lf.Store(store, read_only=True) as s:
        d = lf.dispersion(LLAMA, store=s)
    assert [str(x.date()) for x in d["date"]] == ["2026-11-01", "2026-12-01"]
    first, last = d.iloc[0], d.iloc[1]
    assert first["n_hosts"] == 4 and first["min"] == pytest.approx((3 * 0.23 + 0.40) / 4)
    assert first["max"] == pytest.approx(0.90) and first["dearest"] == "fireworks"
    assert last["max"] == pytest.approx(0.88) and last["median"] == pytest.approx((0.45 + (3 * 0.59 + 0.79) / 4) / 2)
    assert d.attrs["elasticity"]["status"] == "not identified" and "tokens per provider" in d.attrs["elasticity"]["reason"]
    with lf.Store(store, read_only=True) as s, pytest.raises(lf.errors.UnknownModelError):
        lf.dispersion("meta-llama/llama-3.3-7b", store=s)


def test_refusals(tmp_path, capsys):
    bad = tmp_path / "openrouter_endpoints_2026-12-02.json"
    doc = json.loads(_payload("2026-12-01").read_text())
    doc["data"][0]["endpoints"][0]["pricing"]["prompt"] = "cheap"
    bad.write_text(json.dumps(doc))
    code, _, err = run(["fetch", "openrouter-endpoints", "--payload", str(bad), "--db", str(tmp_path / "s.duckdb")],
                       capsys)
    assert code == 1 and "validation" in err and LLAMA in err
    assert not (tmp_path / "s.duckdb").exists()
    with pytest.raises(ParseError, match="no endpoints"):
        ep.parse(b'{"data": []}', snapshot_date="2026-12-01")
    with pytest.raises(InputError, match="exactly one"):
        lf.dispersion(LLAMA)


def test_live_fetch_lists_models_then_endpoints_within_one_budget():
    seen = []

    def answer(req: httpx.Request) -> httpx.Response:
        seen.append(req.url.path)
        if req.url.path.endswith("/models"):
            return httpx.Response(200, json={"data": [{"id": LLAMA}, {"id": "gone/model"}]})
        if "gone" in req.url.path:
            return httpx.Response(404, json={"error": "not found"})
        return httpx.Response(200, json={"data": json.loads(_payload("2026-11-01").read_text())["data"][0]})

    raw = ep.fetch(transport=httpx.MockTransport(answer))
    assert json.loads(raw)["data"][0]["id"] == LLAMA and len(json.loads(raw)["data"]) == 1
    assert seen == ["/api/v1/models", f"/api/v1/models/{LLAMA}/endpoints", "/api/v1/models/gone/model/endpoints"]
    p = ep.parse(raw, snapshot_date="2026-11-01")
    assert len(p.frame) == 4 and set(p.frame["tag"]) >= {"groq", "together/fp8"}
    assert p.frame.loc[p.frame["tag"] == "together/fp8", "latency_p50"].iloc[0] == 420.0


def test_cli_dispersion_with_the_store_and_on_the_bundle(store, capsys):
    code, out, err = run(["dispersion", LLAMA, "--db", str(store), "-f", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert [r["n_hosts"] for r in doc["rows"]] == [4, 4] and doc["elasticity"]["status"] == "not identified"
    # the bundle's LiteLLM history prices one open model at many hosts too (any id of the model)
    code, out, err = run(["dispersion", "llama-3.3-70b-instruct", "--source", "litellm", "--since", "2026-05-01",
                          "--db", str(store), "-f", "json"], capsys)
    assert code == 0, err
    assert all(r["n_hosts"] >= 10 and r["max_over_min"] > 1 for r in json.loads(out)["rows"])
