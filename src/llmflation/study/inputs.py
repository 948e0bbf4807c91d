"""Where the study's data come from: the one place defaults are resolved.

Every study function takes its data as arguments (the panel, bundled tables). This module
is what the CLI, the report and notebooks use to get those arguments: the bundled
snapshot, merged with the intervals fetched into a store when one is given, each table
carrying ``attrs["vintage"]`` so results can say what they were computed on.

Examples
--------
>>> from llmflation.study.inputs import StudyInputs
>>> data = StudyInputs()                      # bundled snapshot only
>>> data.provenance()["store"] is None
True
>>> import llmflation as lf
>>> r = lf.llm_concentration(**data.concentration())  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd

from llmflation.errors import check_choice
from llmflation.panel.build import load_panel
from llmflation.panel.tiers import TierDefinition
from llmflation.signature import Frame, validated
from llmflation.sources import bundled
from llmflation.store.db import Store
from llmflation.store.paths import DB_ENV, resolve_store  # noqa: F401 - re-exported


class StudyInputs:
    """The study's data: the bundled snapshot, merged with a store's fetched history.

    Parameters
    ----------
    store : str or Path, optional
        A DuckDB store written by ``llmflation fetch``; None analyses the bundle alone.
    tiers : str, optional
        Tier definition passed to :func:`llmflation.load_panel`.
    panel : DataFrame, optional
        Use this panel instead of building one (a subset, a test fixture).

    Examples
    --------
    >>> data = StudyInputs()
    >>> data.table("price_milestones").attrs["vintage"].startswith("bundled snapshot")
    True
    """

    @validated
    def __init__(self, store: str | Path | None = None, *, tiers: TierDefinition | None = None,
                 panel: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (llmflation.load_panel()) or None")]
                 | None = None):
        self.store = Path(store) if store is not None else None
        self.tiers = tiers
        self._panel: pd.DataFrame | None = panel
        self._fetched: pd.DataFrame | None = None
        self._tables: dict[str, pd.DataFrame] = {}

    def __repr__(self) -> str:
        return f"StudyInputs(store={str(self.store) if self.store else None!r})"

    # ------------------------------------------------------------------ raw data
    def panel(self) -> pd.DataFrame:
        """The canonical panel: bundled intervals merged with the store's (read once, then reused)."""
        if self._panel is None:
            if self.store is None:
                p = load_panel(tiers=self.tiers, warn=False)
            else:
                with Store(self.store, read_only=True) as st:
                    p = load_panel(st, tiers=self.tiers, warn=False)
                    self._fetched = st.price_intervals(origin="fetch")
                p.attrs["vintage"] = f"{p.attrs.get('vintage', '')}; store {self.store}"
            self._panel = p
        return self._panel.copy()

    def table(self, name: str) -> pd.DataFrame:
        """One bundled table (a fresh copy; read once) with ``attrs["vintage"]``."""
        if name not in self._tables:
            t = bundled.load_table(name)
            t.attrs["vintage"] = bundled.vintage([name])
            self._tables[name] = t
        t = self._tables[name].copy()
        t.attrs = dict(self._tables[name].attrs)
        return t

    def vintage(self, *names: str) -> str:
        return bundled.vintage(list(names) or None)

    def provenance(self) -> dict[str, Any]:
        """What the analyses ran on: snapshot id and the price data's range, store path, fetched intervals and their dates."""
        m = bundled.manifest()
        out: dict[str, Any] = {"snapshot_id": m.get("snapshot_id"), "bundled": bundled.vintage(list(bundled.PRICE_TABLES)),
                               "store": str(self.store) if self.store else None,
                               "fetched_intervals": 0, "fetched_observed": None, "fetched_sources": []}
        if self.store is not None:
            if self._fetched is None:
                self.panel()
            f = self._fetched if self._fetched is not None else pd.DataFrame()
            out["fetched_intervals"] = int(len(f))
            if len(f):
                obs = pd.to_datetime(f["observed_at"])
                out["fetched_observed"] = [str(obs.min()), str(obs.max())]
                out["fetched_sources"] = sorted(map(str, f["source"].unique()))
        return out

    def describe(self) -> str:
        """One line for a report or a CLI note."""
        p = self.provenance()
        if not p["store"]:
            return f"{p['bundled']}; no store"
        rng = " → ".join(p["fetched_observed"]) if p["fetched_observed"] else "none"
        return (f"{p['bundled']}; store {p['store']}: {p['fetched_intervals']} fetched intervals "
                f"({', '.join(p['fetched_sources']) or 'no sources'}; observed {rng})")

    # ------------------------------------------------------------------ per question
    def milestones(self) -> pd.DataFrame:
        return self.table("price_milestones")

    def epoch_lowest(self) -> pd.DataFrame:
        return self.table("epoch_lowest_price_data")

    def breaks(self, *, use_panel: bool = True) -> dict[str, Any]:
        """Arguments of :func:`llmflation.llm_price_breaks`."""
        return {"milestones": self.milestones(), "lowest": self.epoch_lowest(),
                "panel": self.panel() if use_panel else None}

    def concentration(self) -> dict[str, pd.DataFrame]:
        """Arguments of :func:`llmflation.llm_concentration`."""
        return {"openrouter_daily": self.table("openrouter_daily"), "market_shares": self.table("market_shares")}

    def decomposition(self) -> dict[str, pd.DataFrame]:
        """Unit-level data of :func:`llmflation.cost_decomposition`."""
        from llmflation.study.decomposition import decomposition_inputs

        return decomposition_inputs(self.panel(), epoch_models=self.table("epoch_models"),
                                    hardware_prices=self.table("hardware_prices"),
                                    ml_hardware=self.table("ml_hardware"), ppi_hosting=self.table("ppi_hosting"))

    def elasticity(self) -> pd.DataFrame:
        """Model-level data of :func:`llmflation.elasticity`."""
        from llmflation.study.elasticity import elasticity_data

        return elasticity_data(self.panel(), self.table("epoch_models"))

    def us_china(self, **filters: Any) -> pd.DataFrame:
        """Model-level data of :func:`llmflation.us_china` (``filters``: see ``us_china_data``)."""
        from llmflation.study.us_china import us_china_data

        return us_china_data(self.table("epoch_models"), **filters)

    def frontier(self) -> dict[str, pd.DataFrame]:
        """Arguments of :func:`llmflation.llm_malmquist` / ``llm_dmu_panel``."""
        return {"panel": self.panel(), "epoch_models": self.table("epoch_models")}

    def epoch_prices(self) -> pd.DataFrame:
        """Epoch's price-and-benchmark inputs, prepared as its notebook does."""
        from llmflation.study.threshold import prepare_epoch_inputs

        raw = pd.concat([self.table("epoch_aa_data_with_math5"),
                         self.table("epoch_price_not_in_aa_with_benchmarks")], ignore_index=True)
        out = prepare_epoch_inputs(raw)
        out.attrs["vintage"] = "Epoch AI llm-benchmark-efficiency data (bundled), prices to 2025-02-05"
        return out

    def epoch_results(self) -> pd.DataFrame:
        """Epoch's published threshold results, parsed."""
        from llmflation.study.threshold import parse_epoch_results

        return parse_epoch_results(self.table("epoch_lowest_price_results"))

    def epoch_selected(self) -> pd.DataFrame:
        """Epoch's selected cheapest-model series, parsed."""
        from llmflation.study.threshold import parse_epoch_selected

        return parse_epoch_selected(self.epoch_lowest())

    def epoch_scores(self, benchmark: str) -> pd.DataFrame:
        """Best score of each Epoch model on ``benchmark`` (see ``threshold.PANEL_BENCHMARKS``)."""
        from llmflation.study.threshold import PANEL_BENCHMARKS, epoch_scores

        check_choice("benchmark", benchmark, tuple(PANEL_BENCHMARKS))
        return epoch_scores(benchmark, self.table("epoch_model_versions"),
                            self.table(PANEL_BENCHMARKS[benchmark][0]))

    def eval_tokens(self) -> pd.DataFrame:
        return self.table("epoch_eval_tokens")

    def openrouter_daily(self) -> pd.DataFrame:
        return self.table("openrouter_daily")
