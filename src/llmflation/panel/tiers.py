"""Tier assignment: which models are "economy", "mid" and "flagship".

Three documented definitions (pure pandas; no analysis imports):

``"positioning"`` (the default, :data:`DEFAULT_TIERS`)
    The developer's own product line: Haiku / Sonnet / Opus, Flash-Lite / Flash / Pro,
    nano / mini / full, Small / Medium / Large … A ``tier_hint`` column (the curated
    milestone table has one) is used where present; otherwise the model name is
    matched against the rules in :data:`POSITIONING_RULES`, and open-weight models
    without a line label fall back on the parameter count in their name
    (< 15B economy, < 100B mid, otherwise flagship); unlabeled models of a few
    families (GPT-4/5, o-series, Grok, DeepSeek, Kimi, GLM …) are flagships.
``"price_band"``
    Bands of the blended price *at launch* (the paper's "price-band cohorts"):
    economy below ``band_edges[0]``, flagship at or above ``band_edges[1]``
    (default $1 and $10 per million blended tokens — one decade each side of the mid
    band; the paper does not publish its edges).
``"capability"``
    Terciles of a capability score at release (``eci`` by default, or any benchmark
    column), ranked within the release year so that "flagship" means top third *of its
    cohort* rather than "recent".

Why positioning is the default: the tier must not be a function of the outcome. A
fixed price band selects on the dependent variable — a model whose price falls below
the band's floor leaves the band — so the within-band regression of log price on time
is a truncated regression and its slope is biased towards zero (and can change sign).
We conjecture that this truncation contributes to the paper's flagship R² of 0.031 — the
paper does not publish its band edges, so this cannot be checked directly.
``tests/test_trend_tiers.py`` shows the flattening on synthetic data. Capability terciles avoid
that but exist only for models with a score (ECI stops in late 2025). The developer's
label is set when the model ships, exists for every dated price, and is how buyers
choose between a vendor's models.

Examples
--------
>>> import pandas as pd
>>> p = pd.DataFrame({"model_id": ["a", "b", "c"],
...                   "model_name": ["Claude 3 Haiku", "Claude 3 Sonnet", "Claude 3 Opus"],
...                   "valid_from": pd.to_datetime(["2024-03-13", "2024-03-04", "2024-03-04"]),
...                   "blended_usd_per_mtok": [0.5, 6.0, 30.0]})
>>> assign_tiers(p).tolist()
['economy', 'mid', 'flagship']
>>> assign_tiers(p, definition="price_band").tolist()
['economy', 'mid', 'flagship']
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError, check_choice
from llmflation.validate import pick_column

TierDefinition = Literal["positioning", "price_band", "capability"]
TIER_DEFINITIONS: tuple[str, ...] = ("positioning", "price_band", "capability")
#: Tier definition used when none is given (see the module docstring for why).
DEFAULT_TIERS: TierDefinition = "positioning"
#: Tier labels, cheapest first.
TIER_LABELS: tuple[str, str, str] = ("economy", "mid", "flagship")
#: Default price-band edges, USD per million blended tokens.
DEFAULT_BAND_EDGES: tuple[float, float] = (1.0, 10.0)

#: (tier, regex) rules for a developer's line label, tried in order on the lower-cased
#: model name; the first match wins. They follow the curated milestone table's reading of
#: each line-up (Opus/Pro/Large/Max = flagship; Sonnet/Flash/mini/Medium = mid;
#: Haiku/nano/Flash-Lite/Flash-8B/Small = economy). The order matters: a flagship *line*
#: name wins over everything (Claude Opus "fast" is a faster Opus, priced above Opus), an
#: economy line name wins over the mid line it is a cut-down of (Flash-Lite, Flash-8B,
#: GPT-4o mini), and the speed labels "fast"/"instant" only place a model that has no
#: line name (Grok 4 Fast, Claude Instant). ``tests/test_tiers_table.py`` checks every
#: model name of the eight largest developers against a reviewed table.
POSITIONING_RULES: tuple[tuple[str, str], ...] = (
    ("flagship", r"\bopus\b|\bpro\b|\blarge(?:\d|\b)|\bmax\b|\bultra\b|\bpremier\b|grok[- ]?3[- ]fast"),
    ("economy", r"haiku|\bnano\b(?![- ]banana)|flash[- ]?lite|flash[- ]?8b|\blite\b|\bsmall\b|ministral|"
                r"\bmicro\b|\btiny\b|gpt[- ]?4o[- ]mini|grok[- ]?\d(\.\d+)?[- ]mini|\bair\b|\bscout\b|"
                r"qwen[- ]turbo|\bedge\b|\b(?:text-)?(?:ada|babbage|curie)\b"),
    ("mid", r"sonnet|\bflash\b|\bmini\b|\bmedium\b|gpt-3\.5[- ]turbo|\bplus\b|maverick|\bnemo\b"),
)
#: Speed labels: they place a model only when neither a line name nor a parameter count
#: does (``llama-3.3-70b-instruct-fp8-fast`` is a 70B model served fast, not economy).
SPEED_RULES: tuple[tuple[str, str], ...] = (("economy", r"\bfast\b|\binstant\b"),)
#: Families whose unlabeled models are the developer's flagship (tried after the line
#: labels and after a parameter count in the name).
FLAGSHIP_FAMILIES = (r"gpt-?[45]|\bo[134]\b|\bo[134]-|grok[- ]?\d|davinci|\bgpt-3\b|claude[- ]?v?[12]|"
                     r"command[- ]r\+|\bcore\b|deepseek|kimi|glm|minimax|mimo|qwen\d?(\.\d+)?[- ]max")

_PARAMS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?b\b(?![- ]?a\d)")
_EXPERTS = re.compile(r"(\d+)x(\d+(?:\.\d+)?)b\b")
_MOE_ACTIVE = re.compile(r"(\d+(?:\.\d+)?)b[- ]a(\d+(?:\.\d+)?)b")


def _params_tier(name: str) -> str | None:
    """Tier from a parameter count in the name (total parameters for MoE)."""
    m = _MOE_ACTIVE.search(name)
    e = _EXPERTS.search(name)
    if m:
        size = float(m.group(1))
    elif e:
        size = float(e.group(1)) * float(e.group(2))
    else:
        sizes = [float(s) for s in _PARAMS.findall(name)]
        if not sizes:
            return None
        size = max(sizes)
    if size < 15:
        return "economy"
    if size < 100:
        return "mid"
    return "flagship"


def positioning_tier(name: str) -> str | None:
    """Tier implied by a model's name under the positioning rules (None if no rule fits).

    Examples
    --------
    >>> [positioning_tier(n) for n in ["GPT-4.1 nano", "Gemini 2.5 Flash", "Claude Opus 4", "Llama 3.1 8B"]]
    ['economy', 'mid', 'flagship', 'economy']
    """
    s = _clean_name(name)
    for tier, rx in POSITIONING_RULES:
        if re.search(rx, s):
            return tier
    by_size = _params_tier(s)
    if by_size is not None:
        return by_size
    for tier, rx in SPEED_RULES:
        if re.search(rx, s):
            return tier
    return "flagship" if re.search(FLAGSHIP_FAMILIES, s) else None


def _clean_name(name: str) -> str:
    """Lower-cased name with spelling variants of sources unified for the rules."""
    s = str(name).lower().replace("_", " ")
    s = re.sub(r"(\d)p(\d)", r"\1.\2", s)          # Fireworks: qwen2p5-1p5b → qwen2.5-1.5b
    s = re.sub(r"\bgpt-?35\b", "gpt-3.5", s)        # Azure: gpt-35-turbo
    return re.sub(r"\bgpt (?=\d)", "gpt-", s)       # llm-prices: "gpt 4o mini"


def launch_rows(panel: pd.DataFrame, *, model_col: str | None = None,
                date_col: str | None = None) -> pd.Series:
    """Index label of each model's launch row (earliest date), aligned to ``panel``."""
    mc = pick_column(panel, model_col, ("model_id", "model", "Model Name"), "model id")
    dc = pick_column(panel, date_col, ("valid_from", "release_date", "date", "Release Date"), "date")
    d = pd.to_datetime(panel[dc], errors="coerce")
    order = pd.DataFrame({"m": panel[mc].astype("string"), "d": d}, index=panel.index)
    first = order.sort_values(["m", "d"], kind="stable").groupby("m", sort=False).head(1)
    return pd.Series(first.index, index=first["m"].to_numpy())


def assign_tiers(panel: pd.DataFrame, definition: TierDefinition = DEFAULT_TIERS, *,
                 band_edges: tuple[float, float] = DEFAULT_BAND_EDGES,
                 capability_col: str | None = None, cohort: Literal["year", "all"] = "year",
                 model_col: str | None = None, name_col: str | None = None,
                 date_col: str | None = None, price_col: str | None = None) -> pd.Series:
    """Tier label (``"economy"``, ``"mid"``, ``"flagship"`` or NA) for every row.

    Tiers are properties of a *model*, fixed at launch: every row of a model gets the
    label of its earliest row, so later price cuts never move a model between tiers.

    Parameters
    ----------
    panel : DataFrame
        Canonical panel (``model_id``, ``model_name``, ``valid_from``,
        ``blended_usd_per_mtok``, optional ``tier_hint``/``eci``) or any frame with
        equivalent columns named through the ``*_col`` arguments.
    definition : {"positioning", "price_band", "capability"}
        See the module docstring; default :data:`DEFAULT_TIERS`.
    band_edges : (float, float)
        Price-band edges in USD per million blended tokens (``"price_band"`` only).
    capability_col : str, optional
        Score for ``"capability"`` (default ``eci``).
    cohort : {"year", "all"}
        ``"capability"`` terciles within release year (default) or over all models.

    Returns
    -------
    Series
        String dtype, same index as ``panel``; NA where the definition cannot place a
        model (no name rule, no launch price, no score).

    Examples
    --------
    >>> p = pd.DataFrame({"model_id": list("abcdef"),
    ...                   "valid_from": pd.to_datetime(["2024-01-01"] * 3 + ["2025-01-01"] * 3),
    ...                   "eci": [100, 110, 120, 120, 130, 140]})
    >>> assign_tiers(p, "capability").tolist()
    ['economy', 'mid', 'flagship', 'economy', 'mid', 'flagship']
    """
    check_choice("definition", definition, TIER_DEFINITIONS)
    if not isinstance(panel, pd.DataFrame):
        raise InputError(f"panel must be a pandas DataFrame; got {type(panel).__name__}.")
    out = pd.Series(pd.NA, index=panel.index, dtype="string", name="tier")
    if panel.empty:
        return out
    # one tier per canonical model: all ids of a model key share its launch row's tier
    mc = pick_column(panel, model_col, ("model_key", "model_id", "model", "Model Name"), "model id")
    launch = launch_rows(panel, model_col=mc, date_col=date_col)
    model_of_row = panel[mc].astype("string")

    if definition == "positioning":
        hint_col = "tier_hint" if "tier_hint" in panel.columns else None
        nc = pick_column(panel, name_col, ("model_name", "model", "Model Name", "model_id"), "model name")
        labels: dict[str, object] = {}
        for m, idx in launch.items():
            hint = panel.at[idx, hint_col] if hint_col else None
            if hint_col and isinstance(hint, str) and hint.strip().lower() in TIER_LABELS:
                labels[m] = hint.strip().lower()
                continue
            tier = positioning_tier(str(panel.at[idx, nc]))
            if tier is None and nc != mc:
                tier = positioning_tier(str(m))
            labels[m] = tier if tier is not None else pd.NA
    elif definition == "price_band":
        lo, hi = (float(band_edges[0]), float(band_edges[1]))
        if not (0 < lo < hi):
            raise InputError(f"band_edges must be two increasing positive prices; got {band_edges!r}.")
        pc = pick_column(panel, price_col, ("blended_usd_per_mtok", "USD per 1M Tokens"), "blended price")
        price = pd.to_numeric(panel[pc], errors="coerce")
        labels = {}
        for m, idx in launch.items():
            p = price.at[idx]
            if not (np.isfinite(p) and p > 0):
                labels[m] = pd.NA
            else:
                labels[m] = "economy" if p < lo else ("mid" if p < hi else "flagship")
    else:
        cc = pick_column(panel, capability_col, ("eci", "ECI Score"), "capability score")
        dc = pick_column(panel, date_col, ("valid_from", "release_date", "date", "Release Date"), "date")
        check_choice("cohort", cohort, ("year", "all"))
        rows = panel.loc[launch.to_numpy(), [cc, dc]].copy()
        rows.index = launch.index
        score = pd.to_numeric(rows[cc], errors="coerce")
        year = pd.to_datetime(rows[dc], errors="coerce").dt.year if cohort == "year" else pd.Series(0, index=rows.index)
        frame = pd.DataFrame({"s": score, "g": year}).dropna()
        pct = frame.groupby("g")["s"].rank(method="average", pct=True)
        n_in = frame.groupby("g")["s"].transform("size")
        tercile = np.where(pct <= 1 / 3 + 1e-12, "economy", np.where(pct <= 2 / 3 + 1e-12, "mid", "flagship"))
        labels = {m: pd.NA for m in launch.index}
        for m, t, k in zip(frame.index, tercile, n_in, strict=True):
            labels[m] = t if k >= 3 else pd.NA
    return model_of_row.map(labels).astype("string").rename("tier")
