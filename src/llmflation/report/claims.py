"""Claims: each headline of the report computed once, rendered everywhere from that one object.

A :class:`Claim` holds one number of the study (id, specification, estimate, interval, n,
status and reason), the published figure it is compared with (from the result's
``references``, :mod:`llmflation.study.paper`), our estimate under the paper's likely
specification (from :func:`llmflation.study.robustness.robustness`), how fragile it is,
and the section it comes from. The abstract, the key findings, the paper-vs-ours table,
the section, the figure caption and ``results.json`` all print :attr:`Claim.display`;
in the page every occurrence is a ``<span class="claim" data-claim="id">`` so a test
can check that one claim shows one number everywhere.

Verdicts (:attr:`Claim.verdict`) are one of :data:`VERDICTS`:

- *reproduced within our interval*: the paper's figure lies in our 95% interval under the
  default specification (without an interval: within :data:`CLOSE` of our estimate);
- *reproduced only under the paper's likely specification*: it lies in the interval of
  our estimate under the specification closest to the paper, and the reason names the
  choice that moves the number, with both numbers;
- *not reproduced*: neither;
- *not comparable (different concept)*: the paper measures something else, or our
  number is not estimable on this data (the reason says which).

Examples
--------
>>> c = Claim(id="x", title="Half-life", section="trend", estimate=1.3, conf_low=1.0, conf_high=1.9,
...           unit="years", paper_value=1.1, paper_display="1.10 y", closest=7.0, closest_low=3.0,
...           closest_high=20.0, closest_spec="price bands instead of positioning tiers")
>>> c.display
'1.3 y [1, 1.9]'
>>> c.verdict  # the paper's 1.1 y lies inside our [1, 1.9]
'reproduced within our interval'
>>> replace(c, paper_value=3.0).verdict == "reproduced only under the paper's likely specification"
True
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, replace
from html import escape
from typing import Any

from llmflation.report import numbers as nb

VERDICTS: tuple[str, ...] = ("reproduced within our interval", "reproduced only under the paper's likely specification",
                             "not reproduced", "not comparable (different concept)")
#: Without an interval, a published figure within this relative distance of ours counts as reproduced
#: (the tolerance Epoch's own factors are checked at in the threshold section).
CLOSE = 0.10


def _f(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f


def fmt(est: Any, lo: Any = math.nan, hi: Any = math.nan, unit: str = "") -> str:
    """One value with its interval in the claim's unit (the one format of a claim)."""
    if unit == "years":
        return nb.est_ci(est, lo, hi, unit=" y", sig=2)
    if unit == "x":
        return nb.factor_ci(est, lo, hi)
    if unit == "F":
        return f"F = {nb.num(est)}"
    if unit == "HHI":  # 0 to 10,000: whole points
        e = nb.count(est)
        return e if e == "n/a" or not nb.ci(lo, hi) else f"{e} [{nb.count(lo)}, {nb.count(hi)}]"
    if unit == "pp":  # log points a year shown as percentage points
        return nb.est_ci(_f(est) * 100, _f(lo) * 100, _f(hi) * 100, unit=" pp")
    if unit == "%":
        s = nb.share(est, scale=100)
        c = nb.ci(lo, hi, 3)
        return s + (f" [{nb.share(lo, scale=100)}, {nb.share(hi, scale=100)}]" if c else "")
    if unit == "p":
        return f"p = {nb.pvalue(est)}"
    if unit == "count":
        return nb.count(est)
    if unit == "usd":
        return "$" + nb.num(est, 2)
    return nb.est_ci(est, lo, hi, ci_sig=3)


@dataclass(frozen=True)
class Claim:
    """One headline number, computed once."""

    id: str
    title: str
    section: str
    estimate: float
    conf_low: float = math.nan
    conf_high: float = math.nan
    n: int | None = None
    unit: str = ""
    #: "estimated", "not estimable" (interval spans > 2 orders of magnitude, too few points) or "not computed".
    status: str = "estimated"
    #: Why the status is not "estimated", or a caveat of the estimate.
    reason: str = ""
    specification: str = ""
    #: Text before and after the value, part of the one rendering (e.g. "p = 0.03").
    prefix: str = ""
    suffix: str = ""
    #: The published figure (study/paper.py), as a number where one can be compared, and as published.
    reference_key: str = ""
    paper_value: float = math.nan
    paper_display: str = ""
    citation: str = ""
    #: Ours under the specification closest to the paper's, and what that specification changes.
    closest: float = math.nan
    closest_low: float = math.nan
    closest_high: float = math.nan
    closest_spec: str = ""
    #: False when the paper's number measures something else (then ``concept`` says what).
    comparable: bool = True
    concept: str = ""
    #: How fragile the estimate is, in one clause (from the robustness result).
    fragility: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ rendering
    @property
    def display(self) -> str:
        """The one rendering of this claim's number (every place in the page prints this)."""
        if self.status != "estimated":
            return f"not estimable ({self.status})" if self.status != "not estimable" else "not estimable"
        v = self.prefix + fmt(self.estimate, self.conf_low, self.conf_high, self.unit)
        if not self.suffix:
            return v
        return f"{v} {self.suffix}" if self.suffix.startswith(("(", "of ")) else f"{v}, {self.suffix}"

    @property
    def closest_display(self) -> str:
        return fmt(self.closest, self.closest_low, self.closest_high, self.unit) if math.isfinite(self.closest) else ""

    def span(self) -> str:
        """The display as HTML, marked with the claim id (escaped)."""
        return f'<span class="claim" data-claim="{escape(self.id)}">{escape(self.display)}</span>'

    # ------------------------------------------------------------------ verdict
    def _inside(self, v: float, est: float, lo: float, hi: float) -> bool:
        if not math.isfinite(v) or not math.isfinite(est):
            return False
        if math.isfinite(lo) and math.isfinite(hi) and lo != hi:
            return min(lo, hi) <= v <= max(lo, hi)
        return abs(est - v) <= CLOSE * max(abs(v), 1e-12)

    @property
    def verdict(self) -> str:
        if not self.reference_key and not self.paper_display:
            return ""
        if not self.comparable or not math.isfinite(self.paper_value):
            return VERDICTS[3]
        if self.status == "estimated" and self._inside(self.paper_value, self.estimate, self.conf_low,
                                                        self.conf_high):
            return VERDICTS[0]
        if self._inside(self.paper_value, self.closest, self.closest_low, self.closest_high):
            return VERDICTS[1]
        if self.status != "estimated" and not math.isfinite(self.closest):
            return VERDICTS[3]
        return VERDICTS[2]

    @property
    def verdict_reason(self) -> str:
        """Names the choice that moves the number, with both numbers."""
        v = self.verdict
        paper = f"paper {self.paper_display}"
        if not v:
            return ""
        if v == VERDICTS[3]:
            if self.status != "estimated" and self.comparable:
                return f"ours is not estimable on this data: {self.reason or self.status}"
            return self.concept or "the paper gives no number on the same scale"
        ours = f"ours {self.display}"
        if math.isfinite(self.closest) and self.closest_spec:
            alt = f"{self.closest_spec}: {self.closest_display} vs {self.display} (default)"
            if v == VERDICTS[0]:
                return f"{paper} is inside our interval ({ours}); {alt}"
            return f"{alt}; {paper}"
        if v == VERDICTS[0]:
            return f"{paper} is inside our interval ({ours})" if math.isfinite(self.conf_low) \
                else f"{paper} is within {int(CLOSE * 100)}% of {ours}"
        return f"{paper} vs {ours}" + (f"; {self.specification}" if self.specification else "")

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(display=self.display, verdict=self.verdict, verdict_reason=self.verdict_reason,
                 closest_display=self.closest_display)
        return d


def with_(claim: Claim, **kw: Any) -> Claim:
    return replace(claim, **kw)


def from_reference(reference: Any) -> dict[str, Any]:
    """The paper fields of a claim from a :class:`llmflation.study.paper.Reference`."""
    v = reference.value
    if isinstance(v, dict):
        pv = _f(v.get("statistic", v.get("factor_per_year", v.get("factor", math.nan))))
    elif isinstance(v, int | float):
        pv = float(v)
    else:
        pv = math.nan
    return {"reference_key": reference.key, "paper_value": pv, "paper_display": reference.display(),
            "citation": reference.citation}


# ----------------------------------------------------------------------- templates

_PLACEHOLDER = re.compile(r"\{(paper:)?([a-z0-9_]+)\}")
#: What a placeholder of a claim that was not computed (its section failed) prints.
MISSING = "(not computed)"


def _fill(m: re.Match[str], claims: dict[str, Claim], html: bool) -> str:
    c = claims.get(m.group(2))
    if c is None:
        return MISSING
    if m.group(1):  # {paper:id}: the published figure the claim is compared with
        return escape(nb.humanize(c.paper_display)) if html else nb.humanize(c.paper_display)
    return c.span() if html else c.display


def render_text(template: str, claims: dict[str, Claim]) -> str:
    """A template with ``{claim_id}`` (ours) and ``{paper:claim_id}`` (published) placeholders as plain text."""
    return _PLACEHOLDER.sub(lambda m: _fill(m, claims, False), template)


def render_html(template: str, claims: dict[str, Claim]) -> str:
    """The same template as escaped HTML, each claim a marked ``<span>``."""
    out, last = [], 0
    for m in _PLACEHOLDER.finditer(template):
        out.append(escape(nb.humanize(template[last:m.start()])))
        out.append(_fill(m, claims, True))
        last = m.end()
    out.append(escape(nb.humanize(template[last:])))
    return "".join(out)
