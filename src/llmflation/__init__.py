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
    "Store": "llmflation.store.db",
    "fetch": "llmflation.store.fetch",
    "discrepancies": "llmflation.panel.discrepancies",
    "HypothesisTest": "llmflation.analysis._results",
    # structural breaks
    "chow_test": "llmflation.analysis.breaks",
    "sup_f_test": "llmflation.analysis.breaks",
    "bai_perron": "llmflation.analysis.breaks",
    "cusum_test": "llmflation.analysis.breaks",
    "llm_price_breaks": "llmflation.analysis.llm_breaks",
    # frontier
    "dea": "llmflation.analysis.dea",
    "malmquist": "llmflation.analysis.malmquist",
    "cost_decomposition": "llmflation.analysis.costs",
    "elasticity": "llmflation.analysis.costs",
    "us_china": "llmflation.analysis.costs",
    "llm_malmquist": "llmflation.analysis.llm_frontier",
    "llm_dmu_panel": "llmflation.analysis.llm_frontier",
    # price dynamics
    "price_trend": "llmflation.analysis.trend",
    "total_decline": "llmflation.analysis.decline",
    "reasoning_premium": "llmflation.analysis.premium",
    "cheapest_above_threshold": "llmflation.analysis.threshold",
    "forecast": "llmflation.analysis.forecast",
    "cost_per_task": "llmflation.analysis.task_cost",
    "price_index": "llmflation.analysis.index",
    "hedonic_index": "llmflation.analysis.index",
    "hhi": "llmflation.analysis.concentration",
    "concentration": "llmflation.analysis.concentration",
    "llm_concentration": "llmflation.analysis.concentration",
    "cost_vs_price_trends": "llmflation.analysis.task_cost",
    "assign_tiers": "llmflation.panel.tiers",
    "openrouter_cross_section": "llmflation.analysis.trend",
    "a16z_series": "llmflation.analysis.threshold",
    "gpt35_level_decline": "llmflation.analysis.threshold",
    "epoch_reproduction": "llmflation.analysis.threshold",
    "rates_since_cutoff": "llmflation.analysis.threshold",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'llmflation' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
