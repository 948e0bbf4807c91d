"""P-values as they may be shown: a value below float precision is a bound, not a number.

A p-value of 1.9e-287 is not a measurement: the reference distribution's tail is not known
to that precision, and the model behind it never holds that exactly. Below
:data:`P_FLOOR` (the double-precision machine epsilon, ~2.2e-16, rounded to 1e-16) a
p-value is reported as ``"< 1e-16"`` and the numeric column carries the bound.

Examples
--------
>>> p_value_display(1.9e-287), p_value_display(0.0123), p_value_display(float("nan"))
('< 1e-16', '0.0123', 'not computed')
>>> clip_p_value(1.9e-287)
1e-16
"""

from __future__ import annotations

import math

#: Smallest p-value reported as a number; below it, the bound.
P_FLOOR = 1e-16

__all__ = ["P_FLOOR", "clip_p_value", "p_value_display"]


def clip_p_value(p: float) -> float:
    """``p`` raised to :data:`P_FLOOR` (NaN stays NaN)."""
    p = float(p)
    if math.isnan(p):
        return p
    return max(p, P_FLOOR)


def p_value_display(p: float, digits: int = 3) -> str:
    """Text of a p-value: ``"< 1e-16"`` below the floor, ``"not computed"`` for NaN."""
    p = float(p)
    if math.isnan(p):
        return "not computed"
    if p < P_FLOOR:
        return f"< {P_FLOOR:g}"
    return f"{p:.{digits}g}"
