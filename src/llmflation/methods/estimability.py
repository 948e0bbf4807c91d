"""The one rule for whether an estimate is a finding: ``status`` and ``reason``.

Every result that carries a ``status`` field (``"estimated"`` or ``"not estimable"``)
takes it from :func:`estimability`: an estimate that rests on fewer points than its
method needs, whose interval could not be computed or is unbounded, or — for a
multiplicative quantity (a factor, a half-life, an index) — whose interval spans more
than two orders of magnitude, is ``"not estimable"`` with the reason, and reports do not
print it as a finding (issue 19, acceptance point 4).
"""

from __future__ import annotations

import math
from typing import Annotated

from llmflation.signature import PositiveInt, Range, Real, validated

__all__ = ["ESTIMATED", "MAX_CI_RATIO", "MIN_POINTS_RATE", "NOT_ESTIMABLE", "estimability", "is_finding"]

#: Status of an estimate that can be read as a finding.
ESTIMATED = "estimated"
#: Status of an estimate that must not be printed as a finding (``reason`` says why).
NOT_ESTIMABLE = "not estimable"
#: Widest interval, as the ratio of its bounds, of a multiplicative estimate (a factor, a
#: half-life, an index) that is still a finding: two orders of magnitude.
MAX_CI_RATIO = 100.0
#: Fewest points behind a rate (a slope through time): a line through fewer than six
#: points has at most three residual degrees of freedom, and rates from four points
#: (210,416×/yr, issue 19) were printed as findings.
MIN_POINTS_RATE = 6



@validated
def estimability(*, n: Real, min_n: PositiveInt, conf_low: Real = math.nan, conf_high: Real = math.nan,
                 interval: bool = True, multiplicative: bool = True, what: str = "estimate",
                 max_ratio: Annotated[float, Range(gt=1, hint="It is the widest ratio of an interval's bounds.")]
                 = MAX_CI_RATIO) -> tuple[str, str | None]:
    """The one rule for whether an estimate is a finding: ``(status, reason)``.

    ``status`` is :data:`NOT_ESTIMABLE` when the estimate rests on fewer than ``min_n``
    points (or clusters), when an interval was asked for and could not be computed or is
    unbounded, or — for a multiplicative quantity (a factor, a half-life, an index) — when
    its bounds are more than ``max_ratio`` (:data:`MAX_CI_RATIO`, two orders of magnitude)
    apart; otherwise :data:`ESTIMATED` with no reason. Every result with a ``status``
    field takes it from here.

    Examples
    --------
    >>> estimability(n=4, min_n=MIN_POINTS_RATE)[0]
    'not estimable'
    >>> estimability(n=40, min_n=6, conf_low=23.0, conf_high=620.0)
    ('estimated', None)
    >>> estimability(n=40, min_n=6, conf_low=2.0, conf_high=900.0, what="factor")[1]
    'the factor interval [2, 900] spans 450× (more than 100×): the data do not pin it down'
    """
    n = float(n)
    if not math.isfinite(n) or n < min_n:
        return NOT_ESTIMABLE, f"rests on {_num(n)} point(s); the method needs at least {min_n}"
    if not interval:
        return ESTIMATED, None
    lo, hi = float(conf_low), float(conf_high)
    if math.isnan(lo) or math.isnan(hi):
        return NOT_ESTIMABLE, f"no interval could be computed for the {what}"
    if math.isinf(lo) or math.isinf(hi):
        return NOT_ESTIMABLE, f"the {what} interval is unbounded [{_num(lo)}, {_num(hi)}]"
    if multiplicative:
        if lo <= 0 or hi <= 0:
            return NOT_ESTIMABLE, f"the {what} interval [{_num(lo)}, {_num(hi)}] is not positive"
        ratio = max(lo, hi) / min(lo, hi)
        if ratio > max_ratio:
            return NOT_ESTIMABLE, (f"the {what} interval [{_num(lo)}, {_num(hi)}] spans {_num(ratio)}× "
                                   f"(more than {_num(max_ratio)}×): the data do not pin it down")
    return ESTIMATED, None


def _num(v: float) -> str:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return f"{float(v):,.3g}" if abs(float(v)) < 1e4 else f"{float(v):,.0f}"


def is_finding(status: object) -> bool:
    """Whether a result with this ``status`` may be printed as a finding.

    Examples
    --------
    >>> is_finding("estimated"), is_finding("not estimable")
    (True, False)
    """
    return status == ESTIMATED
