"""Bootstrap intervals for DEA efficiencies and the Malmquist index (Simar–Wilson).

DEA efficiencies are estimates of distances to an unobserved frontier; with few DMUs they
are biased upwards (the estimated frontier lies inside the true one) and have no analytic
standard errors. The **smoothed homogeneous bootstrap** of Simar and Wilson (1998) draws
pseudo-samples from a kernel estimate of the efficiency distribution, reflected at 1:

1. ``δ_i = 1/θ_i ≥ 1`` (Shephard input distance of each DMU, from DEA);
2. draw ``β*`` from ``{δ_i}``, add ``h ε`` (Gaussian kernel, Silverman's bandwidth on the
   sample reflected at 1), rescale to the variance of ``δ``, reflect values below 1;
3. pseudo inputs ``x*_i = (δ*_i / δ_i) x_i`` (outputs unchanged): the frontier projection
   pushed inside by the drawn inefficiency;
4. re-estimate each original DMU's distance against the pseudo frontier.

Bias-corrected estimates are ``2 δ̂ − mean(δ̂*)``; the intervals are Simar–Wilson's
"basic" ones ``[δ̂ − q_{1−α/2}(δ̂* − δ̂), δ̂ − q_{α/2}(δ̂* − δ̂)]``, reported on the Farrell
scale ``θ = 1/δ``.

The Malmquist interval is a simpler, documented version of Simar and Wilson (1999): each
period's frontier is resampled with step 1–3 independently of the other periods (their
bivariate kernel keeps the correlation of a DMU's efficiency over time; this does not), and
the index of the original data against the pseudo frontiers gives the replicates.

Input orientation with variable returns to scale is translation invariant in the
**outputs** (Ali and Seiford 1990; Pastor 1996): with ``Σλ = 1`` the constraint
``Σ λ_j y_j ≥ y_o`` is unchanged when every output gets the same constant, so an output
with an arbitrary zero (a capability index such as ECI) can be used. CRS, or output
orientation, is not invariant: there the zero matters.

A rule of thumb for DEA (Cooper, Seiford and Tone): at least ``max(m × s, 3 (m + s))``
DMUs for ``m`` inputs and ``s`` outputs; below it the result says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.dea import farrell_scores
from llmflation.methods.estimability import estimability
from llmflation.results import Result, tidy
from llmflation.signature import Frame, Level, Range, Seed, SomeColumns, validated

__all__ = ["DEABootstrapResult", "MalmquistBootstrapResult", "dea_bootstrap", "malmquist_bootstrap", "min_dmus"]


def min_dmus(n_inputs: int, n_outputs: int) -> int:
    """Rule-of-thumb fewest DMUs: ``max(m × s, 3 (m + s))``.

    Examples
    --------
    >>> min_dmus(1, 1), min_dmus(2, 3)
    (6, 15)
    """
    return max(n_inputs * n_outputs, 3 * (n_inputs + n_outputs))


def _bandwidth(delta: np.ndarray) -> float:
    refl = np.concatenate([delta, 2.0 - delta])
    sd = float(refl.std(ddof=1))
    iqr = float(np.subtract(*np.percentile(refl, [75, 25]))) / 1.349
    s = min(sd, iqr) if iqr > 0 else sd
    return 0.9 * s * len(refl) ** (-0.2) if s > 0 else 0.0


def _draw_delta(delta: np.ndarray, h: float, rng: np.random.Generator) -> np.ndarray:
    """One Simar–Wilson (1998) draw of Shephard distances (≥ 1) for every DMU."""
    n = len(delta)
    refl = np.concatenate([delta, 2.0 - delta])
    beta = refl[rng.integers(0, 2 * n, n)]
    sig2 = float(refl.var(ddof=1)) if n > 1 else 0.0
    eps = rng.standard_normal(n)
    bbar = beta.mean()
    d = beta + h * eps
    if sig2 > 0:
        d = bbar + (d - bbar) / math.sqrt(1.0 + h * h / sig2)
    d = np.where(d < 1.0, 2.0 - d, d)
    return d


def _input_vrs(Xe: np.ndarray, Ye: np.ndarray, Xr: np.ndarray, Yr: np.ndarray, rts: str) -> np.ndarray:
    s, _ = farrell_scores(Xe, Ye, Xr, Yr, rts=rts, orientation="input")
    return s


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class DEABootstrapResult(Result):
    """DEA efficiencies with Simar–Wilson bias correction and intervals (input orientation).

    Attributes
    ----------
    table : DataFrame
        Per DMU: ``dmu, efficiency`` (Farrell θ), ``bias_corrected``, ``conf_low``,
        ``conf_high`` (θ scale), ``bias``, ``status``/``reason``
        (:func:`llmflation.methods.estimability.estimability`).
    n, min_dmus : int
    reason : str or None
        Why intervals are absent (too few DMUs).
    """

    table: pd.DataFrame
    n: int
    min_dmus: int
    n_boot: int
    level: float
    reason: str | None = None

    title = "DEA efficiency with Simar–Wilson (1998) bootstrap intervals"
    keys = ("dmu",)

    def wide(self) -> pd.DataFrame:
        """Per DMU, as :attr:`table`."""
        return self.table.copy()

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one ``efficiency`` row per DMU (``bias_corrected`` and ``reason`` beside it)."""
        t = self.table
        return tidy(pd.DataFrame({"dmu": t["dmu"], "term": "efficiency", "estimate": t["efficiency"],
                                  "bias_corrected": t["bias_corrected"], "conf_low": t["conf_low"],
                                  "conf_high": t["conf_high"], "n": self.n,
                                  "status": t["status"] if "status" in t else "",
                                  "reason": t["reason"] if "reason" in t else (self.reason or "")}),
                    self.keys)


def _as_frame(x: Any, name: str) -> pd.DataFrame:
    """``x`` (a DataFrame, Series, 2-D array or list of rows) as a non-empty numeric DataFrame."""
    if x is None or isinstance(x, str | bytes | dict) or np.ndim(x) == 0:
        raise InputError(f"{name} must be a DataFrame (one row per DMU, one column per {name[:-1]}) or a 2-D "
                         f"array; got {x!r} ({type(x).__name__}).")
    try:
        f = pd.DataFrame(x)
        f.to_numpy(dtype=float)
    except (ValueError, TypeError):
        raise InputError(f"{name} must hold numbers (one row per DMU); got non-numeric values. Convert with "
                         "pd.to_numeric first.") from None
    if f.empty:
        raise InputError(f"{name} is empty; give one row per DMU and at least one column.")
    return f


def _as_arrays(inputs: Any, outputs: Any) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    X = _as_frame(inputs, "inputs")
    Y = _as_frame(outputs, "outputs")
    if len(X) != len(Y):
        raise InputError(f"inputs and outputs have {len(X)} and {len(Y)} rows; one row per DMU in both.")
    Xa, Ya = X.to_numpy(dtype=float), Y.to_numpy(dtype=float)
    if not (np.isfinite(Xa).all() and np.isfinite(Ya).all()):
        raise InputError("inputs or outputs contain NaN or infinite values; drop those DMUs first.")
    if (Xa <= 0).any():
        raise InputError("inputs must be positive for the input-oriented bootstrap.")
    return Xa, Ya, X.index


#: Returns to scale of the bootstrap's frontier.
BootRts = Literal["vrs", "crs"]
#: Bootstrap replicates: at least 20.
Replicates = Annotated[int, Range(ge=20, hint="Use e.g. 200.")]


@validated
def dea_bootstrap(inputs: Any, outputs: Any, *, rts: BootRts = "vrs", n_boot: Replicates = 200, level: Level = 0.95,
                  seed: Seed | None = 0) -> DEABootstrapResult:
    """Input-oriented DEA efficiencies with a smoothed bootstrap (Simar and Wilson 1998).

    Parameters
    ----------
    inputs, outputs : DataFrame (DMUs on rows)
    rts : {"vrs", "crs"}
        ``"vrs"`` (default) is translation invariant in the outputs.
    n_boot, level, seed :
        Replicates, interval level, seed.

    Examples
    --------
    >>> x = pd.DataFrame({"x": [1.0, 2.0, 4.0, 3.0, 5.0, 2.5, 6.0]})
    >>> y = pd.DataFrame({"y": [1.0, 2.0, 3.0, 1.5, 3.2, 2.4, 3.1]})
    >>> r = dea_bootstrap(x, y, n_boot=50)
    >>> bool((r.table["conf_low"] <= r.table["efficiency"] + 1e-9).all())
    True
    """
    X, Y, idx = _as_arrays(inputs, outputs)
    n = len(X)
    need = min_dmus(X.shape[1], Y.shape[1])
    theta = _input_vrs(X, Y, X, Y, rts)
    cfg = {"rts": rts, "n_boot": n_boot, "level": level, "seed": seed, "orientation": "input"}
    base = pd.DataFrame({"dmu": idx, "efficiency": theta})
    if n < need:
        st, why = estimability(n=n, min_n=need)
        t = base.assign(bias_corrected=np.nan, conf_low=np.nan, conf_high=np.nan, bias=np.nan, status=st,
                        reason=why or "")
        return DEABootstrapResult(table=t, n=n, min_dmus=need, n_boot=n_boot, level=level, config=cfg,
                                  reason=f"{n} DMUs: fewer than {need} (rule of thumb max(m·s, 3(m+s))) — the "
                                         "frontier is not estimated well enough for intervals")
    delta = 1.0 / theta
    h = _bandwidth(delta)
    rng = np.random.default_rng(seed)
    boot = np.empty((n_boot, n))
    for b in range(n_boot):
        ds = _draw_delta(delta, h, rng)
        Xs = X * (ds / delta)[:, None]
        boot[b] = 1.0 / _input_vrs(X, Y, Xs, Y, rts)
    boot = np.where(np.isfinite(boot), boot, np.nan)
    diff = boot - delta[None, :]
    a = (1 - level) / 2
    q_lo, q_hi = np.nanquantile(diff, a, axis=0), np.nanquantile(diff, 1 - a, axis=0)
    bias = np.nanmean(boot, axis=0) - delta
    d_lo, d_hi = delta - q_hi, delta - q_lo
    t = base.assign(bias_corrected=1.0 / np.maximum(delta - bias, 1e-12), conf_low=1.0 / d_hi,
                    conf_high=1.0 / np.maximum(d_lo, 1e-12), bias=-(1.0 / np.maximum(delta - bias, 1e-12) - theta))
    verdicts = [estimability(n=n, min_n=need, conf_low=lo, conf_high=hi, what="efficiency")
                for lo, hi in zip(t["conf_low"], t["conf_high"], strict=True)]
    t["status"] = [v[0] for v in verdicts]
    t["reason"] = [v[1] or "" for v in verdicts]
    return DEABootstrapResult(table=t, n=n, min_dmus=need, n_boot=n_boot, level=level, config=cfg,
                              notes=(f"Simar–Wilson (1998) smoothed bootstrap, {n_boot} replicates, bandwidth "
                                     f"{h:.3g}; basic intervals on the Farrell scale.",))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class MalmquistBootstrapResult(Result):
    """Malmquist index (input orientation) per period pair with bootstrap intervals.

    Attributes
    ----------
    table : DataFrame
        ``period, base_period, term`` (``tfpch``, ``techch``, ``effch``), ``estimate``
        (geometric mean over DMUs), ``conf_low``, ``conf_high``, ``n`` (DMUs in both
        periods with feasible LPs), ``status`` and ``reason``
        (:func:`llmflation.methods.estimability.estimability`).
    """

    table: pd.DataFrame

    title = "Malmquist index with bootstrap intervals (input orientation)"
    keys = ("period", "base_period")

    def wide(self) -> pd.DataFrame:
        return self.table.copy()


def _gm(v: np.ndarray) -> float:
    v = v[np.isfinite(v) & (v > 0)]
    return float(np.exp(np.log(v).mean())) if len(v) else math.nan


def _components(E: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    tt, t1, _1t, _11 = E["tt"], E["t1"], E["1t"], E["11"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return {"tfpch": np.sqrt((t1 / tt) * (_11 / _1t)), "effch": _11 / tt,
                "techch": np.sqrt((t1 / _11) * (tt / _1t))}


@validated
def malmquist_bootstrap(panel: Annotated[pd.DataFrame, Frame(what="a long pandas DataFrame (one row per DMU and "
                                                                  "period)")], *,
                        dmu: str, period: str, inputs: SomeColumns, outputs: SomeColumns,
                        rts: BootRts = "vrs", n_boot: Replicates = 200, level: Level = 0.95, seed: Seed | None = 0,
                        pairs: list[tuple[Any, Any]] | None = None) -> MalmquistBootstrapResult:
    """Malmquist index between periods with a smoothed-bootstrap interval per period pair.

    Input orientation; with ``rts="vrs"`` (default) every distance uses the VRS frontier,
    which is translation invariant in the outputs (cross-period LPs can be infeasible: those
    DMUs are left out and counted). ``pairs`` defaults to adjacent periods; pass e.g.
    ``[("2024Q1", "2024Q4")]`` for a direct comparison.

    Examples
    --------
    >>> p = pd.DataFrame({"d": list("abcdefg") * 2, "q": [1] * 7 + [2] * 7,
    ...                   "x": [1.0, 2, 4, 3, 5, 2.5, 6] + [0.5, 1, 2, 1.5, 2.5, 1.25, 3],
    ...                   "y": [1.0, 2, 3, 1.5, 3.2, 2.4, 3.1] * 2})
    >>> r = malmquist_bootstrap(p, dmu="d", period="q", inputs=["x"], outputs=["y"], n_boot=30)
    >>> round(float(r.table.set_index("term").loc["tfpch", "estimate"]), 6)
    2.0
    """
    from llmflation.validate import check_column_name

    check_column_name(panel, dmu, "dmu")         # a column of this panel: not a type
    check_column_name(panel, period, "period")
    ins, outs = list(inputs), list(outputs)
    if pairs is not None and (isinstance(pairs, str) or not all(
            isinstance(q, tuple | list) and len(q) == 2 for q in pairs)):
        raise InputError(f"pairs must be a list of (period, period) pairs, e.g. [('2024Q1', '2024Q4')]; "
                         f"got {pairs!r}.")
    miss = [c for c in [dmu, period, *ins, *outs] if c not in panel.columns]
    if miss:
        raise InputError(f"columns {miss} not in panel; available: {list(panel.columns)}.")
    periods = sorted(panel[period].unique())
    data = {p: g.set_index(dmu) for p, g in panel.groupby(period)}
    if pairs is None:
        pairs = list(zip(periods[:-1], periods[1:], strict=True))
    need = min_dmus(len(inputs), len(outputs))
    rng = np.random.default_rng(seed)
    a = (1 - level) / 2
    rows = []
    for p0, p1 in pairs:
        if p0 not in data or p1 not in data:
            raise InputError(f"period {p0!r} or {p1!r} not in the panel's {period!r}.")
        g0, g1 = data[p0], data[p1]
        X0, Y0 = g0[ins].to_numpy(float), g0[outs].to_numpy(float)
        X1, Y1 = g1[ins].to_numpy(float), g1[outs].to_numpy(float)
        common = g0.index.intersection(g1.index, sort=False)
        i0, i1 = g0.index.get_indexer(common), g1.index.get_indexer(common)

        def dist(Xf: np.ndarray, Yf: np.ndarray, Xe: np.ndarray, Ye: np.ndarray) -> np.ndarray:
            return _input_vrs(Xe, Ye, Xf, Yf, rts)

        E = {"tt": dist(X0, Y0, X0[i0], Y0[i0]), "11": dist(X1, Y1, X1[i1], Y1[i1]),
             "t1": dist(X0, Y0, X1[i1], Y1[i1]), "1t": dist(X1, Y1, X0[i0], Y0[i0])}
        comp = _components(E)
        n_ok = int(np.isfinite(comp["tfpch"]).sum())
        few = min(len(g0), len(g1)) < need
        reason = (f"{min(len(g0), len(g1))} DMUs in a period: fewer than {need}, too few for intervals"
                  if few else "")
        boots: dict[str, list[float]] = {k: [] for k in comp}
        if not few:
            d0 = 1.0 / dist(X0, Y0, X0, Y0)
            d1 = 1.0 / dist(X1, Y1, X1, Y1)
            h0, h1 = _bandwidth(d0), _bandwidth(d1)
            for _ in range(n_boot):
                X0s = X0 * (_draw_delta(d0, h0, rng) / d0)[:, None]
                X1s = X1 * (_draw_delta(d1, h1, rng) / d1)[:, None]
                Eb = {"tt": dist(X0s, Y0, X0[i0], Y0[i0]), "11": dist(X1s, Y1, X1[i1], Y1[i1]),
                      "t1": dist(X0s, Y0, X1[i1], Y1[i1]), "1t": dist(X1s, Y1, X0[i0], Y0[i0])}
                cb = _components(Eb)
                for k in comp:
                    boots[k].append(_gm(cb[k]))
        for k in ("tfpch", "techch", "effch"):
            est = _gm(comp[k])
            lo = hi = math.nan
            if boots[k]:
                lb = np.log(np.asarray(boots[k], dtype=float))
                lb = lb[np.isfinite(lb)]
                if len(lb):
                    le = math.log(est)
                    lo = math.exp(le - (np.quantile(lb, 1 - a) - le))
                    hi = math.exp(le - (np.quantile(lb, a) - le))
            st, why = estimability(n=min(len(g0), len(g1)), min_n=need, conf_low=lo, conf_high=hi, what=k)
            rows.append({"period": p1, "base_period": p0, "term": k, "estimate": est, "conf_low": lo,
                         "conf_high": hi, "n": n_ok, "n_common": len(common), "status": st,
                         "reason": reason or why or ""})
    notes = ("Input-oriented distances on " + ("VRS (translation invariant in outputs)" if rts == "vrs" else "CRS")
             + " frontiers; geometric means over DMUs; DMUs with an infeasible cross-period LP are left out "
             "(n < n_common).",
             f"Intervals: each period's frontier resampled by the Simar–Wilson (1998) smoothed bootstrap, "
             f"independently across periods (simpler than Simar–Wilson 1999), {n_boot} replicates, basic "
             f"intervals on the log scale; none below {need} DMUs.")
    return MalmquistBootstrapResult(table=pd.DataFrame(rows),
                                    config={"rts": rts, "n_boot": n_boot, "level": level, "seed": seed,
                                            "inputs": ins, "outputs": outs}, notes=notes)
