"""An audit of the panel you can run: coverage, exclusions, source disagreements, launch dating.

``validate_panel`` answers "can I trust this panel for my question?" in four tables:

* **coverage** — models and price intervals by quarter × developer × tier, from 2020;
* **exclusions** — price rows excluded or relabelled while building the panel, by source
  and reason (:func:`llmflation.panel.build.exclusions`);
* **disagreements** — offers whose price differs between sources on one date
  (:func:`llmflation.panel.discrepancies.discrepancies`);
* **untrusted_launches** — models without an independent release date (only a
  catalogue's first listing); launch-based analyses leave them out;
* **probable_duplicates** — pairs of model keys of one developer launched within 3 days
  at the same price that the model registry neither merges nor lists as reviewed distinct
  (:func:`llmflation.normalize.registry.probable_duplicates`): review them, then add an
  override or a distinct pair;
* **fetched_first_party** — with a store: fetched first-party prices (a developer's own
  endpoint in a fetched catalogue) that contradict the curated first-party table inside its
  coverage (:func:`llmflation.panel.lookup.fetched_first_party_conflicts`): kept in the
  store, labelled and listed here, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from llmflation.normalize.registry import probable_duplicates
from llmflation.panel.changes import LAUNCH_WINDOW_DAYS
from llmflation.results import Result
from llmflation.validate import check_frame, check_number

SECTIONS = ("coverage", "exclusions", "disagreements", "untrusted_launches", "probable_duplicates",
            "fetched_first_party")
#: Coverage starts here (the first API price lists are from 2020–2021).
COVERAGE_START = "2020-01-01"


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class ValidationReport(Result):
    """The panel audit (see the module docstring).

    Attributes
    ----------
    coverage : DataFrame
        ``quarter, developer, tier, n_models, n_intervals`` (a model counts in every
        quarter one of its intervals overlaps).
    exclusions : DataFrame
        ``source, reason, rows``.
    disagreements : DataFrame
        The discrepancy table (``on, model_id, provider, price, source_a, value_a,
        source_b, value_b, diff_pct …``).
    untrusted_launches : DataFrame
        ``model_id, developer, release_date, release_date_source`` per model.
    probable_duplicates : DataFrame
        ``developer, key_a, key_b, date_a, date_b, price`` per pair.
    fetched_first_party : DataFrame
        Fetched first-party prices contradicting the curated table (empty without a store).
    n_models, n_untrusted : int
    """

    coverage: pd.DataFrame
    exclusions: pd.DataFrame
    disagreements: pd.DataFrame
    untrusted_launches: pd.DataFrame
    probable_duplicates: pd.DataFrame
    n_models: int
    n_untrusted: int
    fetched_first_party: pd.DataFrame = field(default_factory=pd.DataFrame)
    vintage: str = ""
    title: str = "Panel audit"

    keys = ("section", "quarter", "developer", "tier", "source", "provider", "on", "release_date_source")

    def wide(self) -> pd.DataFrame:
        """Every section stacked: ``section, term, estimate, n`` plus the section's keys as text."""
        rows: list[dict[str, Any]] = []
        for r in self.coverage.itertuples(index=False):
            rows.append({"section": "coverage", "term": "n_models", "estimate": float(r.n_models),
                         "n": int(r.n_intervals), "quarter": r.quarter, "developer": r.developer, "tier": r.tier})
        for r in self.exclusions.itertuples(index=False):
            rows.append({"section": "exclusions", "term": str(r.reason), "estimate": float(r.rows), "n": int(r.rows),
                         "source": r.source})
        for r in self.disagreements.itertuples(index=False):
            variant = f" {r.variant}" if getattr(r, "variant", "") else ""
            rows.append({"section": "disagreements", "term": f"{r.model_id}{variant} {r.price}",
                         "estimate": float(r.diff_pct), "n": 2, "source": f"{r.source_a} vs {r.source_b}",
                         "provider": r.provider, "on": str(pd.Timestamp(r.on).date()) if pd.notna(r.on) else None})
        for r in self.untrusted_launches.itertuples(index=False):
            rows.append({"section": "untrusted_launches", "term": str(r.model_id), "estimate": float("nan"), "n": 1,
                         "developer": r.developer, "release_date_source": r.release_date_source})
        for r in self.probable_duplicates.itertuples(index=False):
            rows.append({"section": "probable_duplicates", "term": f"{r.key_a} = {r.key_b}?",
                         "estimate": float(r.price), "n": 2, "developer": r.developer,
                         "on": str(pd.Timestamp(r.date_a).date())})
        for r in self.fetched_first_party.itertuples(index=False):
            rows.append({"section": "fetched_first_party", "term": f"{r.api_model_id} via {r.source_key} input ratio",
                         "estimate": float(r.fetched_input) / float(r.curated_input), "n": 1, "source": r.source,
                         "provider": r.provider, "on": str(pd.Timestamp(r.valid_from).date())})
        cols = ["section", "term", "estimate", "n", *self.keys[1:]]
        return pd.DataFrame(rows, columns=cols)

    def summary_frame(self) -> pd.DataFrame:
        """One line per section: what was counted."""
        return pd.DataFrame([
            {"section": "coverage", "rows": len(self.coverage), "what": "quarter × developer × tier cells"},
            {"section": "exclusions", "rows": int(self.exclusions["rows"].sum()) if len(self.exclusions) else 0,
             "what": f"price rows excluded or labelled ({len(self.exclusions)} reasons)"},
            {"section": "disagreements", "rows": len(self.disagreements), "what": "source pairs that disagree"},
            {"section": "untrusted_launches", "rows": self.n_untrusted,
             "what": f"of {self.n_models} models have no independent release date"},
            {"section": "probable_duplicates", "rows": len(self.probable_duplicates),
             "what": "pairs of models launched together at one price, not reviewed in the registry"},
            {"section": "fetched_first_party", "rows": len(self.fetched_first_party),
             "what": "fetched first-party prices contradicting the curated table (kept, listed for review)"},
        ])


def _launches(panel: pd.DataFrame) -> pd.DataFrame:
    """One launch per model key (standard tariff of real models): the release date where
    independently dated, else the first price seen; the developer's price that day where it
    sells the model, else the median over hosts."""
    p = panel
    if "tariff" in p:
        p = p[p["tariff"].astype("string").fillna("standard").eq("standard")]
    if "kind" in p:
        p = p[p["kind"].astype("string").fillna("model").eq("model")]
    p = p.dropna(subset=["model_key", "valid_from", "blended_usd_per_mtok"])
    # the models that reach launch-based analyses: independently dated, first priced within the launch window
    first = p.groupby("model_key")["valid_from"].transform("min")
    rel0 = pd.to_datetime(p["release_date"])
    reach = p["release_date_trusted"].astype("boolean").fillna(False).astype(bool) \
        & ((first - rel0).dt.days <= LAUNCH_WINDOW_DAYS)
    p = p[reach.groupby(p["model_key"]).transform("any")]
    first = p.groupby("model_key")["valid_from"].transform("min")
    day = p[p["valid_from"].eq(first)]
    fp = day["first_party"].astype("boolean").fillna(False).astype(bool)
    has_fp = fp.groupby(day["model_key"]).transform("any")
    day = day[fp | ~has_fp]
    g = day.groupby("model_key")
    out = pd.DataFrame({"developer": g["developer"].first(), "price": g["blended_usd_per_mtok"].median(),
                        "date": g["valid_from"].min()})
    trusted = g["release_date_trusted"].first().astype("boolean").fillna(False).astype(bool)
    rel = pd.to_datetime(g["release_date"].first())
    out["date"] = rel.where(trusted & rel.notna(), out["date"])
    return out.reset_index()


def _quarters(panel: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    p = panel[["model_id", "developer", "tier", "valid_from", "valid_to"]].copy()
    p["valid_to"] = p["valid_to"].fillna(p["valid_from"])
    p = p[p["valid_to"] >= start]
    q0 = p["valid_from"].clip(lower=start).dt.to_period("Q")
    q1 = p["valid_to"].dt.to_period("Q")
    span = (q1 - q0).map(lambda o: o.n).astype(int)
    rep = p.loc[p.index.repeat(span + 1)].copy()
    step = rep.groupby(level=0).cumcount().to_numpy()
    rep["quarter"] = (q0.loc[rep.index].to_numpy() + step).astype(str)
    rep["developer"] = rep["developer"].astype("string").fillna("(unknown)")
    rep["tier"] = rep["tier"].astype("string").fillna("(none)")
    g = rep.groupby(["quarter", "developer", "tier"], observed=True)
    out = g.agg(n_models=("model_id", "nunique"), n_intervals=("model_id", "size")).reset_index()
    return out.sort_values(["quarter", "developer", "tier"]).reset_index(drop=True)


def validate_panel(panel: pd.DataFrame | None = None, *, start: str = COVERAGE_START,
                   threshold: float = 0.01, on: str | None = None, store: Any = None) -> ValidationReport:
    """Audit the panel: coverage, exclusions, cross-source disagreements, untrusted launch dates.

    Parameters
    ----------
    panel : DataFrame, optional
        Canonical panel (default: the bundled one). Exclusions are those of the bundled build.
    start : str
        First date of the coverage table (ISO ``YYYY-MM-DD``).
    threshold : float
        Relative gap that counts as a disagreement (0.01 = 1 %).
    on : str, optional
        Date of the disagreement check (default: the date with the most multi-source offers).
    store : llmflation.Store, optional
        The store the panel was merged with: its fetched first-party prices are checked
        against the curated first-party table (section ``fetched_first_party``).

    Examples
    --------
    >>> r = validate_panel()
    >>> set(r.summary_frame()["section"]) == set(SECTIONS)
    True
    """
    from llmflation.panel.build import exclusions, load_panel
    from llmflation.panel.discrepancies import discrepancies
    from llmflation.panel.lookup import parse_iso_date

    if panel is not None:
        check_frame(panel, "panel", columns=["model_id", "developer", "tier", "valid_from", "valid_to"],
                    what="a pandas DataFrame (the output of llmflation.load_panel()) or None")
    s = parse_iso_date(start, "start")
    threshold = check_number(threshold, "threshold", low=0, hint="Give a fraction, e.g. 0.01 for 1 %.")
    if on is not None:
        on = str(parse_iso_date(on, "on").date())
    if panel is None:
        panel = load_panel(warn=False)
    cov = _quarters(panel, s)
    exc = exclusions()
    dis = discrepancies(panel, threshold=threshold, on=on)
    models = panel.drop_duplicates("model_id")
    trusted = (models["release_date_trusted"].astype("boolean").fillna(False)
               if "release_date_trusted" in models else pd.Series(False, index=models.index))
    untr = models.loc[~trusted.to_numpy(dtype=bool),
                      ["model_id", "developer", "release_date", "release_date_source"]].sort_values("model_id")
    dups = probable_duplicates(_launches(panel)) if "model_key" in panel.columns else pd.DataFrame(
        columns=["developer", "key_a", "key_b", "date_a", "date_b", "price"])
    notes: tuple[str, ...] = (f"Coverage from {s.date()}; a model counts in each quarter one of its intervals overlaps.",
             f"Disagreements on {dis.on.date() if dis.on is not None else 'n/a'} beyond {threshold:.0%} "
             f"({dis.offers_compared} offers priced by two or more sources).",
             f"{len(untr)} of {len(models)} models have no independent release date; launch-based analyses "
             "leave their launch observation out.")
    from llmflation.panel.lookup import fetched_first_party_conflicts

    conflicts = fetched_first_party_conflicts(store) if store is not None else pd.DataFrame()
    if len(conflicts):
        notes += (f"{len(conflicts)} fetched first-party price interval(s) contradict the curated first-party "
                  "table inside its coverage: kept in the store, listed in section fetched_first_party.",)
    return ValidationReport(coverage=cov, exclusions=exc, disagreements=dis.table.reset_index(drop=True),
                            fetched_first_party=conflicts,
                            untrusted_launches=untr.reset_index(drop=True),
                            probable_duplicates=dups.reset_index(drop=True), n_models=len(models),
                            n_untrusted=len(untr), config={"start": str(s.date()), "threshold": threshold, "on": on},
                            vintage=str(panel.attrs.get("vintage", "")), notes=notes)
