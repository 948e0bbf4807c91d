"""llmflation — the economics of LLM token prices.

>>> import llmflation as lf
>>> lf.__version__
'0.1.0'
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Public API → defining module. Imported lazily so `import llmflation` stays fast.
_API: dict[str, str] = {
    "load_panel": "llmflation.panel.build",
    "StudyInputs": "llmflation.study.inputs",
    "Study": "llmflation.study.api",
    "Store": "llmflation.store.db",
    "fetch": "llmflation.store.fetch",
    "discrepancies": "llmflation.panel.discrepancies",
    "HypothesisTest": "llmflation.results",
    "etable": "llmflation.etables",
    # structural breaks
    "chow_test": "llmflation.methods.breaks",
    "sup_f_test": "llmflation.methods.breaks",
    "bai_perron": "llmflation.methods.breaks",
    "cusum_test": "llmflation.methods.breaks",
    "llm_price_breaks": "llmflation.study.breaks",
    # frontier
    "dea": "llmflation.methods.dea",
    "malmquist": "llmflation.methods.malmquist",
    "cost_decomposition": "llmflation.study.decomposition",
    "elasticity": "llmflation.study.elasticity",
    "us_china": "llmflation.study.us_china",
    "llm_malmquist": "llmflation.study.frontier",
    "llm_dmu_panel": "llmflation.study.frontier",
    # price dynamics
    "price_trend": "llmflation.study.trends",
    "TrendInference": "llmflation.study.trends",
    "total_decline": "llmflation.study.decline",
    "constant_capability_decline": "llmflation.study.decline",
    "reasoning_premium": "llmflation.study.premium",
    "cheapest_above_threshold": "llmflation.study.threshold",
    "forecast": "llmflation.study.forecast",
    "cost_per_task": "llmflation.study.task_cost",
    "price_index": "llmflation.methods.index",
    "hedonic_index": "llmflation.study.indices",
    "headline_index": "llmflation.study.headline",
    "hhi": "llmflation.methods.concentration",
    "concentration": "llmflation.methods.concentration",
    "llm_concentration": "llmflation.study.concentration",
    "cost_vs_price_trends": "llmflation.study.task_cost",
    "assign_tiers": "llmflation.panel.tiers",
    "price_on": "llmflation.panel.lookup",
    "changes": "llmflation.panel.changes",
    "dispersion": "llmflation.panel.dispersion",
    "cost": "llmflation.panel.cost",
    "validate_panel": "llmflation.panel.validate",
    "openrouter_cross_section": "llmflation.study.trends",
    "a16z_series": "llmflation.study.threshold",
    "gpt35_level_decline": "llmflation.study.threshold",
    "epoch_reproduction": "llmflation.study.threshold",
    "rates_since_cutoff": "llmflation.study.threshold",
    # inference a referee would accept (issue 13)
    "robustness": "llmflation.study.robustness",
    "paper_vs_ours": "llmflation.study.paper_vs_ours",
    "calibrated_threshold_trends": "llmflation.study.threshold",
    "record_trend_test": "llmflation.methods.permutation",
    "quantile_trend": "llmflation.methods.quantile_trend",
    "estimability": "llmflation.methods.estimability",
    "break_story": "llmflation.study.breaks",
    "per_task_premium": "llmflation.study.task_cost",
    "premium_by_reasoning_class": "llmflation.study.premium",
    "dea_bootstrap": "llmflation.methods.dea_bootstrap",
    "malmquist_bootstrap": "llmflation.methods.dea_bootstrap",
    "llm_frontier_invariant": "llmflation.study.frontier",
    # Jevons, Baumol, usage concentration (issue 14)
    "jevons": "llmflation.study.jevons",
    "baumol": "llmflation.study.baumol",
    "baumol_test": "llmflation.study.baumol",
    "usage_concentration": "llmflation.study.concentration",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'llmflation' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
