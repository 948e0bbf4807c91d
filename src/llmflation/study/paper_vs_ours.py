"""Paper vs ours, two columns: each published figure beside our estimate under the
specification closest to the paper's and under the defensible default.

The paper's value comes from the registry (:mod:`llmflation.study.paper`), ours from
:func:`llmflation.study.robustness.robustness`; a paper figure is a reference, never a
returned estimate. ``reason`` says in one line why the two columns differ.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from llmflation.study.paper import ref
from llmflation.study.robustness import ALL_CLAIMS, RobustnessResult, claim_info, robustness

#: The term compared with the paper's figure, per claim (default term, paper-closest term).
_TERMS: dict[str, tuple[str, str]] = {
    "half_life_economy": ("half_life_years", "half_life_years"),
    "half_life_mid": ("half_life_years", "half_life_years"),
    "half_life_flagship": ("half_life_years", "half_life_years"),
    "total_decline": ("factor", "factor"),
    "reasoning_premium": ("regression", "raw_arithmetic"),
    "chow": ("chow_F", "chow_F"),
    "hedonic_vs_matched": ("hedonic", "hedonic"),
    "headline_index": ("hedonic", "hedonic"),
    "constant_capability": ("factor_per_year", "factor_per_year"),
    "hhi": ("hhi_latest", "hhi_latest"),
}


def _pick(t: pd.DataFrame, claim: str, flag: str, term: str) -> dict[str, Any]:
    m = t[(t["claim"] == claim) & t[flag] & (t["term"] == term)]
    if m.empty:
        return {"estimate": math.nan, "conf_low": math.nan, "conf_high": math.nan, "n": math.nan}
    r = m.iloc[0]
    return {"estimate": float(r["estimate"]), "conf_low": float(r.get("conf_low", math.nan)),
            "conf_high": float(r.get("conf_high", math.nan)), "n": r.get("n", math.nan)}


def paper_vs_ours(result: RobustnessResult | None = None, **kw: Any) -> pd.DataFrame:
    """Tidy frame: ``claim, paper_value, paper_display, citation, ours_closest, closest_conf_low,
    closest_conf_high, ours_default, default_conf_low, default_conf_high, unit, reason``.

    ``result``: a :class:`~llmflation.study.robustness.RobustnessResult` of all claims, e.g.
    ``lf.Study().robustness()`` (default: computed with ``kw`` passed to :func:`robustness`,
    which then needs its data: ``panel=``, ``milestones=``, ``concentration=``).

    Examples
    --------
    >>> import llmflation as lf
    >>> f = paper_vs_ours(lf.Study().robustness())  # doctest: +SKIP
    >>> f.loc[f["claim"] == "half_life_economy", ["paper_value", "ours_closest", "ours_default"]]  # doctest: +SKIP
    """
    from llmflation.errors import InputError

    if result is not None and not isinstance(result, RobustnessResult):
        raise InputError(f"result must be a RobustnessResult (llmflation.robustness()) or None; got "
                         f"{type(result).__name__}. Run llmflation.Study().robustness() first.")
    allowed = ("claim", "panel", "milestones", "concentration", "leave_one_out", "influence")
    unknown = sorted(set(kw) - set(allowed))
    if unknown:
        raise InputError(f"unknown option(s) {unknown} for robustness(); expected some of: {', '.join(allowed)}.")
    if result is not None and kw:
        raise InputError(f"give either result= or robustness() options ({sorted(kw)}), not both: the options "
                         "are ignored when a result is given.")
    r = result if result is not None else robustness(**kw)
    t = r.table
    rows = []
    for claim in ALL_CLAIMS:
        if claim not in set(t["claim"]):
            continue
        info = claim_info(claim)
        reference = ref(info["reference"])
        dterm, pterm = _TERMS[claim]
        pv = reference.value
        if claim == "half_life_flagship":
            pv_num = math.nan  # the paper gives only an R² for the flagship tier
        elif isinstance(pv, dict):
            got = pv.get("statistic", pv.get("2026Q1"))
            pv_num = float(got) if got is not None else math.nan
        elif isinstance(pv, (int, float)):
            pv_num = float(pv)
        else:
            pv_num = math.nan
        c = _pick(t, claim, "is_paper_closest", pterm)
        d = _pick(t, claim, "is_default", dterm)
        diff = [k for k in info["default"] if info["default"].get(k) != info["paper_closest"].get(k)]
        reason = (f"differs in {', '.join(diff)}: " if diff else "same specification: ") + info["why_default"]
        rows.append({"claim": claim, "paper_value": pv_num, "paper_display": reference.display(),
                     "citation": reference.citation, "ours_closest": c["estimate"],
                     "closest_conf_low": c["conf_low"], "closest_conf_high": c["conf_high"],
                     "ours_default": d["estimate"], "default_conf_low": d["conf_low"],
                     "default_conf_high": d["conf_high"], "unit": info.get("unit", ""),
                     "closest_spec": str(info["paper_closest"]), "reason": reason})
    return pd.DataFrame(rows)
