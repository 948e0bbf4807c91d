"""Data envelopment analysis (DEA): radial efficiency, slacks, peers and targets.

The envelopment form of Charnes, Cooper and Rhodes (1978, CRS) and Banker, Charnes and
Cooper (1984, VRS), as in Coelli's DEAP and Cooper, Seiford and Tone (2007, ch. 3-4).
For DMU *o* with inputs ``x_o`` (m) and outputs ``y_o`` (s) against a reference set
``(X, Y)`` of n DMUs:

* input orientation:  ``min θ  s.t.  X'λ ≤ θ x_o,  Y'λ ≥ y_o,  λ ≥ 0``
* output orientation: ``max φ  s.t.  X'λ ≤ x_o,  Y'λ ≥ φ y_o,  λ ≥ 0``
* VRS adds ``Σλ = 1``.

Efficiency is ``θ`` (input) or ``1/φ`` (output; DEAP/Farrell convention), in (0, 1] when the
DMU belongs to the reference set. A second stage maximises the sum of slacks with the radial
score fixed (Cooper–Seiford–Tone phase II); λ, peers and targets come from that stage.

Speed. Every LP for one reference technology shares its constraint matrix; only the θ/φ
column and the right-hand sides change from DMU to DMU. We build one HiGHS model per
frontier (``highspy``) and change those coefficients and bounds in place. Each DMU is
solved from a cold start (``clearSolver`` + slack basis): hot starts after coefficient
changes have been reported to return wrong optima (HiGHS issue #3294), and these LPs are
small enough that the cold start costs little. Before that, the reference set is reduced
to the DMUs that can carry a positive λ in an optimal solution: DMUs dominated by another
DMU, and DMUs that are radially inefficient against the rest, are dropped. Both reductions
are exact for θ/φ and for the maximal slacks (a dropped DMU can be replaced by the DMU or
convex combination that dominates it, with the same θ and no smaller slacks).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.bootstrap import NJobs
from llmflation.results import Result
from llmflation.signature import validated

RTS = Literal["crs", "vrs"]
Orientation = Literal["input", "output"]
#: Parallel backends of :mod:`llmflation.methods.bootstrap` (``BACKENDS``).
Backend = Literal["sequential", "loky", "threading", "dask"]
_RTS = ("crs", "vrs")
_ORIENT = ("input", "output")

#: λ below this counts as zero when listing peers (HiGHS feasibility tolerance is 1e-7).
PEER_TOL = 1e-9
#: A DMU with θ ≥ 1 − EFFICIENT_TOL is kept in the reduced reference set.
EFFICIENT_TOL = 1e-7
#: Below this many reference DMUs the LP screening of the reference set is skipped.
_SCREEN_MIN = 64
#: |value| below this in a stage-2 solution is reported as exactly 0.
_ZERO = 1e-11

STATUS_OPTIMAL = "optimal"
STATUS_INFEASIBLE = "infeasible"
STATUS_UNBOUNDED = "unbounded"
STATUS_ERROR = "solver_error"

_REASONS = {
    STATUS_INFEASIBLE: ("the LP has no feasible point: no combination of reference DMUs "
                        "produces this DMU's outputs within its inputs (typical for VRS "
                        "against another period's frontier, super-efficiency under VRS, "
                        "or a zero input); efficiency is NaN"),
    STATUS_UNBOUNDED: ("the LP is unbounded (typical for all-zero inputs under input "
                       "orientation or all-zero outputs under output orientation); "
                       "efficiency is NaN for input orientation, 0 (φ = inf) for output"),
    STATUS_ERROR: "HiGHS did not reach a proven optimum; efficiency is NaN",
}


# --------------------------------------------------------------------------------------
# LP machinery (private; arrays only)
# --------------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet_fd1():
    """Send C-level writes to file descriptor 1 to the null device while the block runs.

    HiGHS prints its banner ("Running HiGHS … Copyright …") from C++ when the first
    ``Highs`` object of a process is built, before any option (``output_flag``,
    ``log_to_console``) can switch it off: on stdout it would corrupt ``--format json|csv``
    output, on stderr it is noise in every notebook. The library prints nothing in normal
    use, so the banner goes to the null device. Python's ``sys.stdout`` is flushed first so
    that ordering is kept.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real fd 1 (embedded interpreters): nothing to guard
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _highs():
    import highspy

    with _quiet_fd1():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("presolve", "off")  # tiny LPs: presolve costs more than it saves
    h.setOptionValue("solver", "simplex")
    return h


def _colwise_lp(cost: np.ndarray, lower: np.ndarray, upper: np.ndarray, A: np.ndarray,
                row_lower: np.ndarray, row_upper: np.ndarray):
    """A ``HighsLp`` from a dense matrix (rows × cols), stored column-wise."""
    import highspy

    nrow, ncol = A.shape
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = nrow
    lp.col_cost_ = np.ascontiguousarray(cost, dtype=float)
    lp.col_lower_ = np.ascontiguousarray(lower, dtype=float)
    lp.col_upper_ = np.ascontiguousarray(upper, dtype=float)
    lp.row_lower_ = np.ascontiguousarray(row_lower, dtype=float)
    lp.row_upper_ = np.ascontiguousarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = ncol
    lp.a_matrix_.num_row_ = nrow
    # Keep explicit zeros: the θ/φ column's coefficients are overwritten per DMU.
    lp.a_matrix_.start_ = np.arange(0, (ncol + 1) * nrow, nrow, dtype=np.int32)
    lp.a_matrix_.index_ = np.tile(np.arange(nrow, dtype=np.int32), ncol)
    lp.a_matrix_.value_ = np.ascontiguousarray(A.T, dtype=float).ravel()
    return lp


def _pass(h, lp) -> None:
    import highspy

    if h.passModel(lp) == highspy.HighsStatus.kError:  # pragma: no cover - guarded by scaling
        raise InputError("HiGHS rejected the DEA model (a coefficient is out of its range); "
                         "rescale the inputs/outputs to moderate magnitudes.")


def _scales(Xr: np.ndarray, Yr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-variable scale (mean of the reference column, 1 if zero).

    Radial scores and λ are invariant to the units of each variable; HiGHS is not happy
    with coefficients far from 1 (e.g. FLOP ~ 1e25 exceed its 1e15 matrix limit), so the
    LPs run on scaled data and slacks are converted back (the stage-2 objective weights
    each scaled slack by its scale, which keeps the unweighted sum of original slacks).
    """
    sx = np.abs(Xr).mean(axis=0) if len(Xr) else np.ones(Xr.shape[1])
    sy = np.abs(Yr).mean(axis=0) if len(Yr) else np.ones(Yr.shape[1])
    sx = np.where((sx > 0) & np.isfinite(sx), sx, 1.0)
    sy = np.where((sy > 0) & np.isfinite(sy), sy, 1.0)
    return sx, sy


#: Smallest positive value of a variable relative to its mean that the LPs accept. HiGHS
#: drops matrix coefficients below 1e-9 (``small_matrix_value``) and works to a feasibility
#: tolerance of 1e-7, so a DMU whose value is below this share of the mean would silently
#: count as zero: the scores come out wrong yet "optimal" (an input of 1e20 among inputs of ~1).
MIN_SCALED_VALUE = 1e-7


def _check_range(A: np.ndarray, scale: np.ndarray, names: list[str], what: str) -> None:
    """Refuse a variable whose positive values span more than the LP solver resolves (see MIN_SCALED_VALUE)."""
    for j, name in enumerate(names):
        col = A[:, j]
        pos = col[col > 0]
        if len(pos) and float(pos.min()) / float(scale[j]) < MIN_SCALED_VALUE:
            raise InputError(f"{what} column {name!r} spans too many orders of magnitude for an LP solver: values "
                             f"from {float(pos.min()):.3g} to {float(col.max()):.3g} (mean {float(scale[j]):.3g}); "
                             f"expected every positive value to be at least {MIN_SCALED_VALUE:g} of the column's "
                             "mean, else the small ones count as zero and the efficiencies are wrong. Check the "
                             "units of that column and drop or fix the outlying DMU(s).")


def _status_of(h) -> str:
    import highspy

    st = h.getModelStatus()
    if st == highspy.HighsModelStatus.kOptimal:
        return STATUS_OPTIMAL
    if st == highspy.HighsModelStatus.kInfeasible:
        return STATUS_INFEASIBLE
    if st == highspy.HighsModelStatus.kUnbounded:
        return STATUS_UNBOUNDED
    if st == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        return "unbounded_or_infeasible"
    return STATUS_ERROR


def _cold_run(h) -> None:
    h.clearSolver()
    h.setBasis()  # slack basis: a true cold start (see HiGHS issue #3294)
    h.run()


class _RadialLP:
    """Stage 1: the radial LP for one reference technology (columns λ_1..λ_n, θ)."""

    def __init__(self, Xr: np.ndarray, Yr: np.ndarray, rts: str, orientation: str):
        import highspy

        inf = highspy.kHighsInf
        n, m = Xr.shape
        s = Yr.shape[1]
        self.n, self.m, self.s = n, m, s
        self.orientation = orientation
        vrs = rts == "vrs"
        nrow = m + s + int(vrs)
        A = np.zeros((nrow, n + 1))
        A[:m, :n] = Xr.T
        A[m:m + s, :n] = Yr.T
        if vrs:
            A[m + s, :n] = 1.0
        cost = np.zeros(n + 1)
        cost[n] = 1.0 if orientation == "input" else -1.0
        lower = np.r_[np.zeros(n), -inf]
        upper = np.full(n + 1, inf)
        if orientation == "input":
            rl = np.r_[np.full(m, -inf), np.zeros(s)]
            ru = np.r_[np.zeros(m), np.full(s, inf)]
        else:
            rl = np.r_[np.full(m, -inf), np.zeros(s)]
            ru = np.r_[np.zeros(m), np.full(s, inf)]
        if vrs:
            rl = np.r_[rl, 1.0]
            ru = np.r_[ru, 1.0]
        self.h = _highs()
        _pass(self.h, _colwise_lp(cost, lower, upper, A, rl, ru))
        self._inf = inf
        self._in_rows = np.arange(m, dtype=np.int32)
        self._out_rows = np.arange(m, m + s, dtype=np.int32)

    def solve(self, x: np.ndarray, y: np.ndarray) -> tuple[float, str]:
        h, n, m, s = self.h, self.n, self.m, self.s
        if self.orientation == "input":
            for i in range(m):
                h.changeCoeff(i, n, -float(x[i]))
            h.changeRowsBounds(s, self._out_rows, np.asarray(y, float), np.full(s, self._inf))
        else:
            for r in range(s):
                h.changeCoeff(m + r, n, -float(y[r]))
            h.changeRowsBounds(m, self._in_rows, np.full(m, -self._inf), np.asarray(x, float))
        _cold_run(h)
        status = _status_of(h)
        if status == "unbounded_or_infeasible":
            status = self._disambiguate()
        if status != STATUS_OPTIMAL:
            return math.nan, status
        val = h.getInfo().objective_function_value
        return (val if self.orientation == "input" else -val), status

    def _disambiguate(self) -> str:
        """Zero objective: feasible ⇒ the original was unbounded, else infeasible."""
        h, n = self.h, self.n
        h.changeColCost(n, 0.0)
        _cold_run(h)
        st = _status_of(h)
        h.changeColCost(n, 1.0 if self.orientation == "input" else -1.0)
        return STATUS_UNBOUNDED if st == STATUS_OPTIMAL else STATUS_INFEASIBLE


class _SlackLP:
    """Stage 2: max Σ slacks with the radial score fixed (columns λ, s⁻, s⁺)."""

    def __init__(self, Xr: np.ndarray, Yr: np.ndarray, rts: str,
                 weights: np.ndarray | None = None):
        import highspy

        inf = highspy.kHighsInf
        n, m = Xr.shape
        s = Yr.shape[1]
        self.n, self.m, self.s = n, m, s
        vrs = rts == "vrs"
        nrow = m + s + int(vrs)
        A = np.zeros((nrow, n + m + s))
        A[:m, :n] = Xr.T
        A[:m, n:n + m] = np.eye(m)
        A[m:m + s, :n] = Yr.T
        A[m:m + s, n + m:] = -np.eye(s)
        if vrs:
            A[m + s, :n] = 1.0
        w = np.ones(m + s) if weights is None else np.asarray(weights, float)
        cost = np.r_[np.zeros(n), -w]
        rl = np.zeros(nrow)
        ru = np.zeros(nrow)
        if vrs:
            rl[-1] = ru[-1] = 1.0
        self.h = _highs()
        _pass(self.h, _colwise_lp(cost, np.zeros(n + m + s), np.full(n + m + s, inf), A, rl, ru))
        self._rows = np.arange(m + s, dtype=np.int32)

    def solve(self, x_rhs: np.ndarray, y_rhs: np.ndarray) -> tuple[np.ndarray | None, str]:
        rhs = np.r_[x_rhs, y_rhs].astype(float)
        self.h.changeRowsBounds(self.m + self.s, self._rows, rhs, rhs)
        _cold_run(self.h)
        status = _status_of(self.h)
        if status != STATUS_OPTIMAL:
            return None, status
        return np.asarray(self.h.getSolution().col_value), status


def _nondominated(Xr: np.ndarray, Yr: np.ndarray) -> np.ndarray:
    """Boolean mask of DMUs not dominated by another (≤ inputs, ≥ outputs, one strict)."""
    Z = np.c_[-Xr, Yr]
    n = len(Z)
    keep = np.ones(n, dtype=bool)
    block = max(1, 2_000_000 // max(1, n * Z.shape[1]))
    for a in range(0, n, block):
        zi = Z[a:a + block]  # (b, k)
        ge = (Z[None, :, :] >= zi[:, None, :]).all(axis=2)  # (b, n): j weakly better than i
        gt = (Z[None, :, :] > zi[:, None, :]).any(axis=2)
        keep[a:a + block] = ~(ge & gt).any(axis=1)
    return keep


def _reduced_reference(Xr: np.ndarray, Yr: np.ndarray, rts: str) -> np.ndarray:
    """Indices of reference DMUs that can carry a positive λ in some optimum (exact)."""
    idx = np.flatnonzero(_nondominated(Xr, Yr))
    if len(idx) < _SCREEN_MIN:
        return idx
    sx, sy = _scales(Xr, Yr)
    Xr, Yr = Xr / sx, Yr / sy
    lp = _RadialLP(Xr[idx], Yr[idx], rts, "input")
    keep = []
    for k, j in enumerate(idx):
        theta, status = lp.solve(Xr[j], Yr[j])
        if status != STATUS_OPTIMAL or not theta < 1.0 - EFFICIENT_TOL:
            keep.append(k)
    return idx[np.asarray(keep, dtype=int)]


def _solve_block(Xr: np.ndarray, Yr: np.ndarray, rts: str, orientation: str,
                 Xe: np.ndarray, Ye: np.ndarray, slacks: bool,
                 exclude: np.ndarray | None = None) -> dict[str, Any]:
    """Solve stage 1 (and 2) for the DMUs ``(Xe, Ye)`` against ``(Xr, Yr)``.

    ``exclude[k]`` (super-efficiency) is the reference row to drop for DMU k, or -1.
    Returns arrays: ``score`` (θ or φ), ``status``, ``lam`` (k × n_ref), ``slack_in``,
    ``slack_out``.
    """
    k = len(Xe)
    n, m = Xr.shape
    s = Yr.shape[1]
    sx, sy = _scales(Xr, Yr)
    Xr, Yr, Xe, Ye = Xr / sx, Yr / sy, Xe / sx, Ye / sy
    score = np.full(k, np.nan)
    status = np.empty(k, dtype=object)
    lam = np.zeros((k, n))
    s_in = np.full((k, m), np.nan)
    s_out = np.full((k, s), np.nan)
    radial = _RadialLP(Xr, Yr, rts, orientation) if exclude is None else None
    slack_lp = _SlackLP(Xr, Yr, rts, np.r_[sx, sy]) if (slacks and exclude is None) else None
    for o in range(k):
        x, y = Xe[o], Ye[o]
        if exclude is not None and exclude[o] >= 0:
            keep = np.arange(n) != exclude[o]
            val, st = _RadialLP(Xr[keep], Yr[keep], rts, orientation).solve(x, y)
        else:
            assert radial is not None
            val, st = radial.solve(x, y)
        score[o] = val
        status[o] = st
        if st != STATUS_OPTIMAL:
            if st == STATUS_UNBOUNDED and orientation == "output":
                score[o] = math.inf
            continue
        if slack_lp is None:
            continue
        if orientation == "input":
            xr, yr = val * x, y
        else:
            xr, yr = x, val * y
        sol, st2 = slack_lp.solve(xr, yr)
        if sol is None:  # θ* within solver tolerance of infeasible: relax by 1e-9
            bump = 1e-9 * max(1.0, abs(val))
            xr2, yr2 = ((val + bump) * x, y) if orientation == "input" else (x, (val - bump) * y)
            sol, st2 = slack_lp.solve(xr2, yr2)
        if sol is None:
            continue
        sol = np.where(np.abs(sol) < _ZERO, 0.0, sol)  # solver dust and -0.0
        lam[o] = sol[:n]
        s_in[o] = sol[n:n + m] * sx
        s_out[o] = sol[n + m:] * sy
    return {"score": score, "status": status, "lam": lam, "slack_in": s_in, "slack_out": s_out}


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class DEAResult(Result):
    """Result of :func:`dea`.

    Attributes
    ----------
    efficiency : pd.Series
        Farrell efficiency per DMU: θ (input) or 1/φ (output). In (0, 1] for DMUs in the
        reference set; above 1 only for super-efficiency or an external reference set.
        NaN where the LP is infeasible (see ``status``/``reason``); 0 where φ = inf.
    phi : pd.Series or None
        Output orientation: the output expansion factor φ (≥ 1 in-sample).
    theta : pd.Series or None
        Input orientation: the input contraction factor θ (same as ``efficiency``).
    slacks : pd.DataFrame or None
        Maximal slacks (stage 2), columns ``input_<name>`` / ``output_<name>``.
    lambdas : pd.DataFrame or None
        Intensity weights, DMU × reference DMU (stage 2 when slacks are computed).
    peers : pd.Series or None
        Reference DMUs with λ > ``PEER_TOL``, as a tuple per DMU.
    targets : pd.DataFrame or None
        Projected inputs/outputs (radial movement plus slacks).
    status, reason : pd.Series
        LP status per DMU (``optimal``, ``infeasible``, ``unbounded``) and why it failed.
    """

    efficiency: pd.Series
    phi: pd.Series | None
    theta: pd.Series | None
    slacks: pd.DataFrame | None
    lambdas: pd.DataFrame | None
    peers: pd.Series | None
    targets: pd.DataFrame | None
    status: pd.Series
    reason: pd.Series
    rts: str
    orientation: str
    super_efficiency: bool = False
    n_reference_lp: int = 0

    @property
    def title(self) -> str:  # type: ignore[override]
        sup = ", super-efficiency" if self.super_efficiency else ""
        return f"DEA ({self.rts.upper()}, {self.orientation} orientation{sup})"

    @property
    def n(self) -> int:
        return len(self.efficiency)

    keys = ('dmu',)

    def wide(self) -> pd.DataFrame:
        """One row per DMU: dmu, efficiency, phi, peers, slacks, status, reason."""
        df = pd.DataFrame({"dmu": self.efficiency.index.astype(str),
                           "efficiency": self.efficiency.to_numpy(dtype=float)})
        if self.phi is not None:
            df["phi"] = self.phi.to_numpy(dtype=float)
        if self.peers is not None:
            df["peers"] = [" ".join(map(str, p)) for p in self.peers]
        if self.slacks is not None:
            for c in self.slacks.columns:
                df[f"slack_{c}"] = self.slacks[c].to_numpy(dtype=float)
        df["status"] = self.status.to_numpy().astype(str)
        df["reason"] = self.reason.to_numpy().astype(str)
        return df

    def __repr__(self) -> str:
        eff = self.efficiency
        return (f"DEAResult({self.rts}, {self.orientation}, n={len(eff)}, "
                f"mean efficiency={np.nanmean(eff.to_numpy(dtype=float)):.4f})")


def _as_frame(obj: Any, what: str) -> pd.DataFrame:
    if isinstance(obj, pd.Series):
        obj = obj.to_frame()
    if isinstance(obj, np.ndarray):
        arr = obj.reshape(len(obj), -1)
        obj = pd.DataFrame(arr, columns=[f"{what[0]}{i + 1}" for i in range(arr.shape[1])])
    if not isinstance(obj, pd.DataFrame):
        raise InputError(f"{what} must be a DataFrame, Series or 2-D array; got "
                         f"{type(obj).__name__}. Pass one column per {what[:-1]}.")
    if obj.shape[1] == 0 or obj.shape[0] == 0:
        raise InputError(f"{what} is empty (shape {obj.shape}); expected at least one row "
                         f"and one column.")
    try:
        arr = obj.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} must be numeric; columns {list(obj.columns)} could not be "
                         f"converted to float ({exc}). Drop or encode non-numeric columns.") from None
    if not np.isfinite(arr).all():
        bad = obj.index[~np.isfinite(arr).all(axis=1)].tolist()[:5]
        raise InputError(f"{what} has missing or infinite values (DMUs {bad}...); DEA needs "
                         f"complete data. Drop those DMUs or impute first.")
    if (arr < 0).any():
        raise InputError(f"{what} has negative values; radial DEA needs non-negative data. "
                         f"Shift or transform the variable (e.g. use a positive scale).")
    return obj


def _check_pair(inputs: pd.DataFrame, outputs: pd.DataFrame, label: str) -> None:
    if len(inputs) != len(outputs):
        raise InputError(f"{label}inputs has {len(inputs)} rows but {label}outputs has "
                         f"{len(outputs)}; expected one row per DMU in both.")
    if not inputs.index.equals(outputs.index):
        raise InputError(f"{label}inputs and {label}outputs have different indexes; expected "
                         f"the same DMU labels in the same order. Align them (e.g. "
                         f"outputs.loc[inputs.index]).")


def _chunks(n: int, n_jobs: int) -> list[np.ndarray]:
    k = max(1, min(n, n_jobs * 4 if n_jobs > 1 else 1))
    return [c for c in np.array_split(np.arange(n), k) if len(c)]


@validated
def dea(inputs: pd.DataFrame | pd.Series | np.ndarray,
        outputs: pd.DataFrame | pd.Series | np.ndarray, *,
        rts: RTS = "crs", orientation: Orientation = "input",
        slacks: bool = True, super_efficiency: bool = False,
        ref_inputs: pd.DataFrame | None = None, ref_outputs: pd.DataFrame | None = None,
        n_jobs: NJobs = 1, backend: Backend = "loky") -> DEAResult:
    """Radial DEA efficiency with maximal slacks, λ weights, peers and targets.

    Parameters
    ----------
    inputs, outputs : DataFrame (DMUs × variables), Series or 2-D array
        Non-negative, finite data with the same index (one row per DMU).
    rts : {"crs", "vrs"}
        Constant (CCR) or variable (BCC) returns to scale.
    orientation : {"input", "output"}
        Input contraction θ or output expansion φ; efficiency is θ or 1/φ.
    slacks : bool
        Run the second-stage max-slack LP (gives slacks, λ, peers and targets).
    super_efficiency : bool
        Andersen–Petersen: each DMU is excluded from its own reference set (scores of
        efficient DMUs can exceed 1; VRS may be infeasible → NaN with a reason). λ/slacks
        are not computed in this mode.
    ref_inputs, ref_outputs : DataFrame, optional
        An external reference technology (e.g. another period); default: the DMUs
        themselves.
    n_jobs, backend :
        Parallel evaluation of DMU blocks through :mod:`llmflation.methods.bootstrap`
        (``"loky"``, ``"threading"``, ``"sequential"`` or ``"dask"``).

    Returns
    -------
    DEAResult

    Notes
    -----
    Infeasible LPs give NaN efficiency and unbounded ones NaN (input) or 0 with φ = inf
    (output), each with ``status`` and ``reason``; the function never raises on them.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"x1": [2, 2, 6, 3, 6], "x2": [5, 4, 6, 2, 2]})
    >>> Y = pd.DataFrame({"y": [1, 2, 3, 1, 2]})
    >>> res = dea(X, Y, rts="crs", orientation="input")
    >>> res.efficiency.round(3).tolist()
    [0.5, 1.0, 0.833, 0.714, 1.0]
    """
    from llmflation.methods.bootstrap import parallel_map

    X = _as_frame(inputs, "inputs")
    Y = _as_frame(outputs, "outputs")
    _check_pair(X, Y, "")
    external = ref_inputs is not None or ref_outputs is not None
    if external:
        if ref_inputs is None or ref_outputs is None:
            raise InputError("pass both ref_inputs and ref_outputs (or neither).")
        XR = _as_frame(ref_inputs, "ref_inputs")
        YR = _as_frame(ref_outputs, "ref_outputs")
        _check_pair(XR, YR, "ref_")
        if list(XR.columns) != list(X.columns) or list(YR.columns) != list(Y.columns):
            raise InputError(f"reference columns {list(XR.columns)}/{list(YR.columns)} differ "
                             f"from {list(X.columns)}/{list(Y.columns)}; expected the same "
                             f"variables in the same order.")
    else:
        XR, YR = X, Y
    if super_efficiency and external:
        raise InputError("super_efficiency=True needs the DMUs as their own reference set; "
                         "drop ref_inputs/ref_outputs.")
    Xa, Ya = X.to_numpy(float), Y.to_numpy(float)
    Xr, Yr = XR.to_numpy(float), YR.to_numpy(float)
    n_ref = len(Xr)
    sx, sy = _scales(Xr, Yr)
    for A, sc, cols, what in ((Xa, sx, X.columns, "inputs"), (Ya, sy, Y.columns, "outputs"),
                              (Xr, sx, X.columns, "ref_inputs"), (Yr, sy, Y.columns, "ref_outputs")):
        _check_range(A, sc, [str(c) for c in cols], what)

    if super_efficiency:
        # Inefficient DMUs keep their ordinary score; only efficient ones need the LP
        # without themselves, against the full (unreduced) reference set.
        base = _solve_block(Xr, Yr, rts, orientation, Xa, Ya, slacks=False)
        eff_now = base["score"] if orientation == "input" else 1.0 / base["score"]
        need = np.flatnonzero(~(eff_now < 1.0 - EFFICIENT_TOL))
        excl = np.full(len(Xa), -1)
        excl[need] = need
        blocks = _chunks(len(need), n_jobs)
        parts = parallel_map(_solve_block_task,
                             [(Xr, Yr, rts, orientation, Xa[b], Ya[b], False, excl[b])
                              for b in [need[c] for c in blocks]],
                             n_jobs=n_jobs, backend=backend)
        score, status = base["score"].copy(), base["status"].copy()
        for c, part in zip(blocks, parts, strict=True):
            score[need[c]] = part["score"]
            status[need[c]] = part["status"]
        lam_full = None
        s_in = s_out = None
    else:
        ref_idx = _reduced_reference(Xr, Yr, rts)
        if len(ref_idx) == 0:
            ref_idx = np.arange(n_ref)
        Xred, Yred = Xr[ref_idx], Yr[ref_idx]
        blocks = _chunks(len(Xa), n_jobs)
        parts = parallel_map(_solve_block_task,
                             [(Xred, Yred, rts, orientation, Xa[b], Ya[b], slacks, None)
                              for b in blocks],
                             n_jobs=n_jobs, backend=backend)
        score = np.concatenate([p["score"] for p in parts])
        status = np.concatenate([p["status"] for p in parts])
        if slacks:
            lam_red = np.vstack([p["lam"] for p in parts])
            lam_full = np.zeros((len(Xa), n_ref))
            lam_full[:, ref_idx] = lam_red
            s_in = np.vstack([p["slack_in"] for p in parts])
            s_out = np.vstack([p["slack_out"] for p in parts])
        else:
            lam_full = None
            s_in = s_out = None

    idx = X.index
    if orientation == "input":
        eff = score.copy()
        eff[status == STATUS_UNBOUNDED] = np.nan
        phi = None
        theta = pd.Series(eff, index=idx, name="theta")
    else:
        with np.errstate(divide="ignore"):
            eff = np.where(np.isnan(score), np.nan, 1.0 / score)
        phi = pd.Series(score, index=idx, name="phi")
        theta = None
    status_s = pd.Series(status.astype(str), index=idx, name="status")
    reason_s = pd.Series([_REASONS.get(st, "") for st in status], index=idx, name="reason")

    slack_df = lam_df = peers = targets = None
    if lam_full is not None and s_in is not None and s_out is not None:
        in_cols = [f"input_{c}" for c in X.columns]
        out_cols = [f"output_{c}" for c in Y.columns]
        slack_df = pd.DataFrame(np.c_[s_in, s_out], index=idx, columns=in_cols + out_cols)
        lam_df = pd.DataFrame(lam_full, index=idx, columns=XR.index)
        ref_labels = np.asarray(XR.index, dtype=object)
        peers = pd.Series([tuple(ref_labels[row > PEER_TOL]) for row in lam_full], index=idx,
                          name="peers")
        with np.errstate(invalid="ignore"):  # φ = inf rows give NaN targets
            if orientation == "input":
                tx = score[:, None] * Xa - s_in
                ty = Ya + s_out
            else:
                tx = Xa - s_in
                ty = score[:, None] * Ya + s_out
        targets = pd.DataFrame(np.c_[tx, ty], index=idx, columns=in_cols + out_cols)

    notes = []
    bad = int((status_s != STATUS_OPTIMAL).sum())
    if bad:
        notes.append(f"{bad} DMU(s) without an optimal LP: see status/reason columns.")
    if orientation == "output":
        notes.append("Output orientation: efficiency = 1/φ (DEAP/Farrell convention).")
    if slacks and not super_efficiency:
        notes.append("Slacks: second-stage max-slack LP with the radial score fixed.")
    return DEAResult(
        efficiency=pd.Series(eff, index=idx, name="efficiency"), phi=phi, theta=theta,
        slacks=slack_df, lambdas=lam_df, peers=peers, targets=targets,
        status=status_s, reason=reason_s, rts=rts, orientation=orientation,
        super_efficiency=super_efficiency,
        n_reference_lp=int(n_ref),
        config={"rts": rts, "orientation": orientation, "slacks": slacks,
                "super_efficiency": super_efficiency, "external_reference": external,
                "inputs": list(map(str, X.columns)), "outputs": list(map(str, Y.columns)),
                "n_jobs": n_jobs, "backend": backend},
        notes=tuple(notes),
    )


def _solve_block_task(args: tuple) -> dict[str, Any]:
    Xr, Yr, rts, orientation, Xe, Ye, slacks, exclude = args
    return _solve_block(Xr, Yr, rts, orientation, Xe, Ye, slacks, exclude)


def _first_rows(Xe: np.ndarray, Ye: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first occurrence of each distinct row of ``[Xe, Ye]`` (in order) and, per row, the
    position of its first occurrence among them."""
    Z = np.ascontiguousarray(np.c_[Xe, Ye], dtype=float)
    seen: dict[bytes, int] = {}
    rep = np.fromiter((seen.setdefault(z.tobytes(), len(seen)) for z in Z), dtype=np.intp, count=len(Z))
    first = np.full(len(seen), -1, dtype=np.intp)
    for i in range(len(Z) - 1, -1, -1):
        first[rep[i]] = i
    return first, rep


def farrell_scores(Xe: np.ndarray, Ye: np.ndarray, Xr: np.ndarray, Yr: np.ndarray, *,
                   rts: str, orientation: str) -> tuple[np.ndarray, np.ndarray]:
    """Farrell efficiencies (θ or 1/φ) of ``(Xe, Ye)`` against ``(Xr, Yr)``, arrays only.

    Used by :func:`llmflation.methods.malmquist.malmquist`. Returns ``(score, status)``;
    score is NaN where the LP is infeasible and 0 where φ is unbounded.

    Rows of ``(Xe, Ye)`` that repeat an earlier row (a DMU drawn twice by a bootstrap) are
    solved once and share its score: the same numbers, bit for bit, as solving every row.
    Exact because a row's score depends only on the LP and on the block's first row (HiGHS
    keeps the scaling of its first solve for the later ones; the first row is always solved
    first), which ``tests/test_dea.py`` checks on random blocks.

    Examples
    --------
    >>> import numpy as np
    >>> s, st = farrell_scores(np.array([[2.0]]), np.array([[1.0]]), np.array([[1.0]]),
    ...                        np.array([[1.0]]), rts="crs", orientation="output")
    >>> float(s[0]), str(st[0])
    (0.5, 'optimal')
    """
    ref_idx = _reduced_reference(Xr, Yr, rts)
    if len(ref_idx) == 0:
        ref_idx = np.arange(len(Xr))
    first, rep = _first_rows(Xe, Ye)
    if len(first) < len(Xe):
        out = _solve_block(Xr[ref_idx], Yr[ref_idx], rts, orientation, Xe[first], Ye[first], slacks=False)
        score, status = out["score"][rep], out["status"][rep]
    else:
        out = _solve_block(Xr[ref_idx], Yr[ref_idx], rts, orientation, Xe, Ye, slacks=False)
        score, status = out["score"], out["status"]
    if orientation == "output":
        with np.errstate(divide="ignore"):
            score = np.where(np.isnan(score), np.nan, 1.0 / score)
    else:
        score = np.where(status == STATUS_UNBOUNDED, np.nan, score)
    return score, status.astype(str)
