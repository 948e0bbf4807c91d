"""Coverage of the panel: how much of it has developer, country and an Epoch link."""

from __future__ import annotations

import pandas as pd

from llmflation.sources import bundled


def epoch_scope(panel: pd.DataFrame) -> pd.Series:
    """Per panel row: whether the model could be in Epoch's models data.

    A priced model is *in scope* if Epoch's table could hold it: it was released on or
    before the newest publication date in the bundled Epoch vintage, and its developer
    has at least one model in that table. Linked models are always in scope.
    """
    em = bundled.load_table("epoch_models")
    cutoff = pd.to_datetime(em["Publication date"], errors="coerce").max()
    orgs = em["Organization"].dropna().astype(str).str.lower()
    devs = panel["developer"].dropna().unique()
    has_models = {d: bool(orgs.str.contains(str(d).split(" (")[0].lower(), regex=False).any()) for d in devs}
    in_scope = (panel["release_date"] <= cutoff) & panel["developer"].map(has_models).fillna(False).astype(bool)
    return in_scope | panel["epoch_model"].notna()


def coverage(panel: pd.DataFrame) -> pd.DataFrame:
    """Coverage table: rows with developer and country; models linked to Epoch.

    Examples
    --------
    >>> from llmflation.panel.build import load_panel
    >>> cov = coverage(load_panel(warn=False)).set_index("measure")
    >>> bool(cov.loc["price rows with developer and country", "share"] > 0.95)
    True
    """
    rows = len(panel)
    dc = int((panel["developer"].notna() & panel["country"].notna()).sum())
    # one row per canonical model (issue 18): a model is linked when any of its ids is
    key = "model_key" if "model_key" in panel.columns else "model_id"
    models = panel.sort_values("valid_to").drop_duplicates(key, keep="last").copy()
    if key == "model_key":
        link = panel.dropna(subset=["epoch_model"]).drop_duplicates(key).set_index(key)["epoch_model"]
        models["epoch_model"] = models[key].map(link)
    linked = int(models["epoch_model"].notna().sum())
    scope = epoch_scope(models)
    linked_scope = int((models["epoch_model"].notna() & scope).sum())
    out = [
        ("price rows with developer and country", dc, rows),
        ("price rows with developer", int(panel["developer"].notna().sum()), rows),
        ("distinct priced models linked to an Epoch record", linked, len(models)),
        ("priced models in Epoch's scope linked to their Epoch record", linked_scope, int(scope.sum())),
        ("price rows with release date", int(panel["release_date"].notna().sum()), rows),
        ("price rows with ECI score", int(panel["eci"].notna().sum()), rows),
    ]
    df = pd.DataFrame(out, columns=["measure", "count", "of"])
    df["share"] = df["count"] / df["of"].where(df["of"] > 0)
    return df


def by_source(panel: pd.DataFrame) -> pd.DataFrame:
    """Rows, models and date span per source."""
    g = panel.groupby("source")
    return pd.DataFrame({
        "rows": g.size(), "models": g["model_id"].nunique(), "providers": g["provider"].nunique(),
        "first_date": g["valid_from"].min().dt.date, "last_date": g["valid_to"].max().dt.date,
    }).reset_index()
