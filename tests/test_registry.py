"""The canonical model registry and the clean analysis series (issue 18).

Each test is a query over the whole bundled panel for a *class* of defect, not only the
examples that revealed it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

import llmflation as lf
from llmflation.normalize import registry
from llmflation.normalize.aliases import first_party_intervals
from llmflation.study.trends import CATALOGUE_START_GRACE_DAYS, LAUNCH_WINDOW_DAYS, dated_prices

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return lf.load_panel(warn=False)


@pytest.fixture(scope="module")
def series(panel: pd.DataFrame) -> pd.DataFrame:
    # the series every estimator fits (price_trend's defaults)
    return dated_prices(panel, keep=("developer", "source_start", "release_date"),
                        launch_window_days=LAUNCH_WINDOW_DAYS)


def _facts(panel: pd.DataFrame) -> pd.DataFrame:
    return panel.drop_duplicates("model_key").set_index("model_key")


def test_registry_covers_every_model_of_the_panel_and_is_in_the_manifest(panel: pd.DataFrame) -> None:
    reg = registry.registry()
    assert reg["model_id"].is_unique
    missing = set(panel["model_id"].dropna()) - set(reg["model_id"])
    assert not missing, f"ids not in model_registry.csv (re-run scripts/build_registry.py): {sorted(missing)[:10]}"
    text = (resources.files("llmflation.normalize") / "tables" / "model_registry.csv").read_text()
    from llmflation.sources import bundled

    m = bundled.manifest()["registry_tables"]["model_registry"]
    assert m["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert m["rows"] == len(reg)
    assert set(reg["tariff"]) <= set(registry.TARIFFS)
    assert set(reg["kind"]) <= set(registry.KINDS)


def test_registry_rebuilds_to_the_committed_file() -> None:
    spec = importlib.util.spec_from_file_location("build_registry", ROOT / "scripts" / "build_registry.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rebuilt = mod.build().to_csv(index=False, lineterminator="\n")
    text = (resources.files("llmflation.normalize") / "tables" / "model_registry.csv").read_text()
    committed = "".join(ln + "\n" for ln in text.splitlines() if not ln.startswith("#"))
    assert rebuilt == committed, "model_registry.csv is stale: run scripts/build_registry.py and review the diff"


def test_no_key_is_a_label_a_tariff_or_a_variant_suffix(panel: pd.DataFrame) -> None:
    named = set(registry.overrides()["model_key"].dropna())  # reviewed names (xAI's model "grok-beta")
    models = [k for k in panel.loc[panel["kind"].eq("model"), "model_key"].dropna().unique() if k not in named]
    label = [k for k in models if re.search(r"-,-|<=|>|\(|\)|:", k)]
    variant = [k for k in models if re.search(r"-(latest|beta|api|ga|001)$", k)]
    tariff_word = [k for k in models if re.search(r"off-peak|promotional|batch", k)]
    assert not label and not variant and not tariff_word, (label, variant, tariff_word)


def test_series_holds_only_standard_tariffs_of_real_models(panel: pd.DataFrame, series: pd.DataFrame) -> None:
    f = _facts(panel)
    kinds = panel.groupby("model_key")["kind"].agg(lambda s: set(s.dropna()))
    assert series["model"].map(lambda k: "model" in kinds.get(k, set())).all()
    # a model's launch is one observation
    launches = series.sort_values("date").groupby("model").head(1)
    assert launches["model"].is_unique
    assert series["model"].isin(f.index).all()


def test_no_two_launches_of_one_release(panel: pd.DataFrame) -> None:
    """Aliases, snapshots, variant suffixes and labels launching together are one model: the
    probable duplicates left are reviewed-distinct pairs or listed by `validate`, and none is
    an id with its own dated snapshot or variant (the classes of the audit)."""
    obs = dated_prices(panel, observations="launch", keep=("developer",), launch_window_days=LAUNCH_WINDOW_DAYS)
    dup = registry.probable_duplicates(obs.rename(columns={"model": "model_key"}))
    snap = re.compile(r"^-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|latest|beta|api|ga|preview)$")
    classes = [(a, b) for a, b in zip(dup["key_a"], dup["key_b"], strict=True)
               if (b.startswith(a) and snap.match(b[len(a):])) or (a.startswith(b) and snap.match(a[len(b):]))]
    assert not classes, classes
    assert len(dup) <= 12, dup  # the rest are listed by `llmflation validate` for review


def test_no_catalogue_first_sighting_is_a_launch_or_a_change(panel: pd.DataFrame, series: pd.DataFrame) -> None:
    lag = (series["date"] - pd.to_datetime(series["release_date"])).dt.days
    on_start = series["date"].eq(pd.to_datetime(series["source_start"])) & (lag > CATALOGUE_START_GRACE_DAYS)
    assert not on_start.any(), series[on_start]
    # no day carries a catalogue's dump of many models (the 55 observations of 2025-06-22)
    assert series["date"].value_counts().max() <= 10
    launches = dated_prices(panel, observations="launch", keep=("release_date",), launch_window_days=LAUNCH_WINDOW_DAYS)
    lag1 = (launches["date"] - pd.to_datetime(launches["release_date"])).dt.days
    assert not (lag1 > LAUNCH_WINDOW_DAYS).any()


def test_every_change_is_a_change_of_one_offer_in_one_source(panel: pd.DataFrame, series: pd.DataFrame) -> None:
    first = series.groupby("model")["date"].transform("min")
    changes = series[series["date"].to_numpy() > first.to_numpy()]
    fp = panel[panel["first_party"].fillna(False).astype(bool)]
    for r in changes.itertuples(index=False):
        rows = fp[(fp["model_key"] == r.model) & (fp["valid_from"] == r.date)]
        assert len(rows), f"{r.model} {r.date.date()}: no first-party interval starts on the change date"
        seen_before = fp[(fp["model_key"] == r.model) & fp["source"].isin(rows["source"])
                         & (fp["valid_from"] < r.date)]
        assert len(seen_before), f"{r.model} {r.date.date()}: the source had not covered the offer before"


def test_alias_rows_follow_their_target() -> None:
    """Every interval of a moving alias has its target's price on the dates they overlap."""
    iv = first_party_intervals()
    tgt = iv[~iv["is_alias"]]
    bad = []
    for r in iv[iv["is_alias"]].itertuples(index=False):
        t = tgt[(tgt["api_model_id"] == r.served_model)]
        for day in (r.valid_from, r.valid_to):
            if pd.isna(day):
                continue
            hit = t[(t["valid_from"] <= day) & (t["valid_to"].isna() | (t["valid_to"] >= day))]
            if len(hit) == 1 and abs(hit["input_usd_per_mtok"].iloc[0] - r.input_usd_per_mtok) > 1e-9 \
                    and r.event not in ("promo_start", "promo_end"):
                bad.append((r.api_model_id, r.served_model, day.date()))
    assert not bad, bad[:10]
    assert lf.price_on("claude-2", on="2024-03-01").input_usd_per_mtok == 8.0


def test_no_first_party_row_after_its_models_shutdown(panel: pd.DataFrame) -> None:
    from llmflation.normalize import first_party as fpt
    from llmflation.sources import bundled

    sd = fpt.shutdowns(fpt.propagate_alias_prices(bundled.load_table("first_party_prices")))
    truth = panel[panel["source"].eq("first-party")]
    key_sd = truth.assign(s=truth["source_key"].map(sd)).groupby("model_key")["s"].agg(
        lambda s: s.max() if s.notna().all() else pd.NaT).dropna()
    fp = panel[panel["first_party"].fillna(False).astype(bool) & ~panel["source"].eq("first-party")]
    after = fp[fp["valid_from"] >= fp["model_key"].map(key_sd)]
    assert after.empty, after[["model_id", "source", "valid_from"]]


@pytest.mark.parametrize(("model_id", "reasoning"), [("deepseek-v3", False), ("qwen-max-2025-01-25", False),
                                                      ("deepseek-r1", True), ("o3-mini-2025-01-31", True)])
def test_reviewed_reasoning_classes(panel: pd.DataFrame, model_id: str, reasoning: bool) -> None:
    rows = panel[panel["model_id"] == model_id]
    assert len(rows) and bool(rows["is_reasoning"].iloc[0]) is reasoning


def test_reviewed_tier_wins_over_name_rules(panel: pd.DataFrame) -> None:
    rows = panel[panel["model_key"] == "gemini-1-0-pro"]
    assert set(rows["tier"].dropna()) == {"mid"}


def test_rules_cover_ids_first_seen_in_a_fetch() -> None:
    out = registry.resolve(pd.Series(["acme-9-latest", "acme-9-beta", "acme-9-<=128k-prompt", "acme-sonnet-latest"]))
    assert out["model_key"].tolist()[:3] == ["acme-9", "acme-9", "acme-9"]
    assert out["kind"].tolist()[3] == "moving_pointer"


def test_reasoning_and_tiers_of_the_ten_largest_developers(panel: pd.DataFrame, series: pd.DataFrame) -> None:
    ref = pd.read_csv(ROOT / "tests" / "reference" / "registry_top10" / "expected.csv", dtype=str,
                      keep_default_na=False).set_index("model_key")
    facts = _facts(panel)
    top = set(ref["developer"])
    reached = {k for k in series["model"].unique() if facts.at[k, "developer"] in top}
    assert reached <= set(ref.index), f"models of the ten largest developers not reviewed: {sorted(reached - set(ref.index))}"
    got = facts.loc[ref.index.intersection(facts.index)]
    bad_class = got.index[got["reasoning_class"].astype(str) != ref.loc[got.index, "reasoning_class"]].tolist()
    tier = got["tier"].astype("string").fillna("")
    bad_tier = got.index[tier != ref.loc[got.index, "tier"]].tolist()
    assert not bad_class and not bad_tier, (bad_class, bad_tier)
