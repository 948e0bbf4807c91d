"""Published reference figures the study is compared with — the one place they are typed.

Each :class:`Reference` holds a figure exactly as published, its unit, what it measures
and its citation. Study modules read their ``PAPER_*`` constants from here, results
carry the references they are compared with (``result.references``), and the report's
"paper vs ours" table is built from those, never from typed strings. What is known of
each paper is summarised in the project's PAPERS notes; nothing here is inferred.

Examples
--------
>>> ref("du2026.tfp_share").value, ref("du2026.tfp_share").unit
(103.7, '%')
>>> print(ref("du2026.chow").display())
F = 5.74, p = 0.005, F(2, 58)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DU_2026 = "Du (2026), 'Tiered Super-Moore's Law', arXiv:2603.28576, abstract"
ZHU_2026 = "Zhu (2026), 'The Price of Intelligence', arXiv:2608.29843"
EPOCH_2025 = "Epoch AI, 'LLM inference prices have fallen rapidly but unequally across tasks' (2025-03)"
A16Z_2024 = "a16z, 'Welcome to LLMflation' (2024-11-12)"
AI_INDEX_2025 = "Stanford AI Index 2025"
NBER_W34608 = "Demirer, Fradkin, Tadelis, Peng, NBER w34608"


@dataclass(frozen=True, kw_only=True)
class Reference:
    """One published figure: ``value`` as published (a number, or a mapping for a set of numbers)."""

    key: str
    claim: str
    value: Any
    unit: str = ""
    citation: str
    display_text: str | None = None

    def display(self) -> str:
        """The figure as the paper states it (for tables)."""
        if self.display_text is not None:
            return self.display_text
        v = self.value
        if isinstance(v, float) and v == int(v) and abs(v) >= 100:
            s = f"{v:,.0f}"
        else:
            s = f"{v:g}" if isinstance(v, (int, float)) else str(v)
        return {"%": f"{s}%", "x": f"{s}×", "years": f"{s} y"}.get(self.unit, s)


_REFS: tuple[Reference, ...] = (
    # Du (2026)
    Reference(key="du2026.half_life.economy", claim="Economy-tier half-life", value=1.10, unit="years",
              citation=DU_2026, display_text="1.10 y"),
    Reference(key="du2026.half_life.mid", claim="Mid-tier half-life", value=1.55, unit="years",
              citation=DU_2026, display_text="1.55 y"),
    Reference(key="du2026.r_squared.flagship", claim="Flagship trend R²", value=0.031, citation=DU_2026),
    Reference(key="du2026.economy_rate", claim="Economy-tier rate per year (P ∝ e^(−0.629 t))", value=0.629,
              citation=DU_2026 + " (as reported by readers)"),
    Reference(key="du2026.total_decline", claim="Total decline 2020–2026", value=600.0, unit="x",
              citation=DU_2026, display_text="~600×"),
    Reference(key="du2026.reasoning_premium", claim="Reasoning premium (average)", value=31.5, unit="x",
              citation=DU_2026),
    Reference(key="du2026.chow", claim="Chow break after May 2024",
              value={"statistic": 5.74, "p_value": 0.005, "df": (2, 58), "n": 62, "break": "May 2024"},
              citation=DU_2026, display_text="F = 5.74, p = 0.005, F(2, 58)"),
    Reference(key="du2026.tfp_share", claim="TFP residual share of the cost reduction", value=103.7, unit="%",
              citation=DU_2026),
    Reference(key="du2026.gpu_share", claim="GPU hardware share", value=-0.9, unit="%", citation=DU_2026,
              display_text="−0.9%"),
    Reference(key="du2026.malmquist_2024", claim="Malmquist index 2024Q1–Q4", value=4.11, citation=DU_2026),
    Reference(key="du2026.techch_2024", claim="Technical change 2024Q1–Q4", value=4.13, citation=DU_2026),
    Reference(key="du2026.elasticity", claim="Training-cost → price elasticity", value=0.432, citation=DU_2026),
    Reference(key="du2026.us_china_gap", claim="US/China training-cost gap", value=63.0, unit="x",
              citation=DU_2026, display_text="63×"),
    Reference(key="du2026.usd_per_flop_p", claim="Equal $/FLOP (p-value)", value=0.228, citation=DU_2026),
    Reference(key="du2026.hhi", claim="HHI of developers, 2023Q1 → 2026Q1",
              value={"2023Q1": 4558.0, "2026Q1": 2086.0}, citation=DU_2026, display_text="4,558 → 2,086"),
    Reference(key="du2026.n_models", claim="OpenRouter models with prices (2026-03-28)", value=318,
              citation=DU_2026),
    # Zhu (2026)
    Reference(key="zhu2026.hedonic", claim="Quality-adjusted price change (log points per year)", value=-0.73,
              citation=ZHU_2026, display_text="−0.73 (Zhu 2026)"),
    Reference(key="zhu2026.matched", claim="Matched-model price change (log points per year)", value=-0.10,
              citation=ZHU_2026, display_text="−0.10 (Zhu 2026)"),
    # Epoch AI
    Reference(key="epoch2025.factor_range", claim="Decline per year at constant capability (range)",
              value=(9.0, 900.0), unit="x", citation=EPOCH_2025, display_text="9×–900× (Epoch AI)"),
    Reference(key="epoch2025.median_factor", claim="Median decline factor per year at constant capability",
              value=50.0, unit="x", citation=EPOCH_2025, display_text="~50× (Epoch AI)"),
    Reference(key="epoch2025.n_thresholds", claim="Epoch factors reproduced within 10% (of 21)", value=21,
              citation=EPOCH_2025, display_text="21 (Epoch AI)"),
    # a16z, AI Index, NBER
    Reference(key="a16z2024.mmlu42", claim="Cheapest model with MMLU ≥ 42",
              value={"start_price": 60.0, "end_price": 0.06, "factor": 1000.0, "years": 3.0,
                     "factor_per_year": 10.0}, citation=A16Z_2024 + " (GPT-3 Nov 2021 → Llama 3.2 3B)",
              display_text="$60 → $0.06 per 1M tokens (1,000× in 3 years)"),
    Reference(key="a16z2024.mmlu83", claim="Cheapest model with MMLU ≥ 83", value={"factor": 62.0, "since": "2023-03"},
              citation=A16Z_2024, display_text="62× since Mar 2023"),
    Reference(key="aiindex2025.gpt35_level", claim="GPT-3.5 level (MMLU 64.8)",
              value={"threshold": 64.8, "start_price": 20.0, "end_price": 0.07, "factor": 280.0,
                     "start": "2022-11", "end": "2024-10"}, citation=AI_INDEX_2025,
              display_text="$20 → $0.07 per 1M tokens (280×)"),
    Reference(key="nber_w34608.elasticity", claim="Price elasticity of demand (within model, across providers)",
              value=-1.1, citation=NBER_W34608),
)

REFERENCES: dict[str, Reference] = {r.key: r for r in _REFS}


def ref(key: str) -> Reference:
    """The reference figure ``key`` (KeyError lists the known keys)."""
    try:
        return REFERENCES[key]
    except KeyError:
        raise KeyError(f"no reference {key!r}; known: {', '.join(sorted(REFERENCES))}") from None


def refs(*keys: str) -> tuple[Reference, ...]:
    return tuple(ref(k) for k in keys)


# --------------------------------------------------------------------------- issue 14: Jevons, Baumol, usage power
# (study/jevons.py, study/baumol.py, study/concentration.py::usage_concentration read these)

OPENROUTER_A16Z_2026 = "OpenRouter/a16z, 'State of AI: an empirical 100 trillion token study', arXiv:2601.10088"
MENLO_SURVEYS = "Menlo Ventures enterprise LLM surveys 2023–2025 (via secondary reports; bundled market_shares)"

_REFS_ISSUE14: tuple[Reference, ...] = (
    Reference(key="openrouter_a16z2026.market_response",
              claim="Market-level usage response: a 10% lower price ≈ 0.5–0.7% more usage (elasticity ≈ −0.05 to −0.07)",
              value=(-0.07, -0.05), citation=OPENROUTER_A16Z_2026,
              display_text="−0.05 to −0.07 (0.5–0.7% more usage per 10% lower price)"),
    Reference(key="openrouter_a16z2026.reasoning_share", claim="Reasoning models' share of tokens, late 2025",
              value=50.0, unit="%", citation=OPENROUTER_A16Z_2026, display_text="> 50%"),
    Reference(key="nber_w34608.open_cheaper", claim="Open models' price discount at equal capability",
              value=90.0, unit="%", citation=NBER_W34608, display_text="~90% cheaper"),
    Reference(key="nber_w34608.open_token_share", claim="Open models' share of tokens", value=30.0, unit="%",
              citation=NBER_W34608, display_text="< 30% of tokens"),
    Reference(key="menlo.spend_shares", claim="US enterprise API spend shares",
              value={"2023": {"OpenAI": 50.0}, "2025": {"Anthropic": 40.0, "OpenAI": 27.0, "Google": 21.0}},
              unit="%", citation=MENLO_SURVEYS,
              display_text="OpenAI 50% (2023) → Anthropic 40%, OpenAI 27%, Google 21% (2025)"),
)

REFERENCES.update({r.key: r for r in _REFS_ISSUE14})
