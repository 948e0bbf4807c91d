"""Malmquist productivity index (Färe, Grosskopf, Norris and Zhang 1994) by DEA.

For a DMU observed in adjacent periods t and t+1, with Farrell efficiencies
``E^a(b)`` of the period-b data against the period-a frontier (θ for input orientation,
1/φ for output orientation — so that values above 1 always mean growth, as in DEAP 2.1):

* ``tfpch  = sqrt( E^t(t+1)/E^t(t) · E^{t+1}(t+1)/E^{t+1}(t) )``
* ``effch  = E^{t+1}(t+1) / E^t(t)``                      (CRS catch-up)
* ``techch = sqrt( E^t(t+1)/E^{t+1}(t+1) · E^t(t)/E^{t+1}(t) )``   (frontier shift)
* ``pech   = E_vrs^{t+1}(t+1) / E_vrs^t(t)``              (pure efficiency change)
* ``sech   = effch / pech``                                (scale efficiency change)

so that ``tfpch = effch · techch`` and ``effch = pech · sech`` exactly. Period means are
geometric means over DMUs (DEAP's convention); the overall mean is the geometric mean of
the period means.

With ``rts="vrs"`` every distance uses the VRS frontier (then ``effch = pech`` and
``sech = 1``); cross-period VRS LPs can be infeasible, which gives NaN with a status.

Unbalanced panels: a pair (t, t+1) uses the DMUs observed in both periods; each period's
frontier is built from every DMU observed in that period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.bootstrap import NJobs
from llmflation.methods.dea import STATUS_OPTIMAL, Backend, farrell_scores
from llmflation.results import Result
from llmflation.signature import Frame, validated
from llmflation.validate import (
    check_str_sequence,
    ordered_periods,
)

COMPONENTS = ("effch", "techch", "pech", "sech", "tfpch")


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class MalmquistResult(Result):
    """Result of :func:`malmquist`.

    Attributes
    ----------
    table : pd.DataFrame
        One row per DMU and pair of adjacent periods: ``dmu``, ``period`` (the later
        period), ``base_period``, ``effch``, ``techch``, ``pech``, ``sech``, ``tfpch``,
        the six Farrell efficiencies used (``e_t_t`` = period-t data on the period-t
        frontier, ``e_t_t1``, ``e_t1_t``, ``e_t1_t1``, ``e_vrs_t``, ``e_vrs_t1``) and
        ``status``.
    orientation, rts : str
    periods : tuple
        The sorted periods.
    """

    table: pd.DataFrame
    orientation: str
    rts: str
    periods: tuple[Any, ...]

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Malmquist index ({self.orientation} orientation, {self.rts.upper()} frontier)"

    keys = ('dmu', 'period', 'base_period')

    def wide(self) -> pd.DataFrame:
        """dmu, period (the later period), base_period, effch, techch, pech, sech, tfpch."""
        cols = ["dmu", "period", "base_period", *COMPONENTS, "status"]
        return self.table[cols].reset_index(drop=True)

    def by_period(self) -> pd.DataFrame:
        """Geometric means over DMUs for each period pair, plus an overall ``mean`` row."""
        rows = []
        for (base, per), g in self.table.groupby(["base_period", "period"], sort=False):
            row: dict[str, Any] = {"period": per, "base_period": base}
            ok = g[list(COMPONENTS)].apply(lambda c: np.isfinite(c) & (c > 0)).all(axis=1)
            for c in COMPONENTS:
                row[c] = _gmean(g.loc[ok, c])
            row["n"] = int(ok.sum())
            rows.append(row)
        out = pd.DataFrame(rows)
        if len(out):
            mean = {"period": "mean", "base_period": "",
                    **{c: _gmean(out[c]) for c in COMPONENTS}, "n": int(out["n"].sum())}
            out = pd.concat([out.astype({"period": object, "base_period": object}),
                             pd.DataFrame([mean])], ignore_index=True)
        return out

    def by_dmu(self) -> pd.DataFrame:
        """Geometric means over period pairs for each DMU (DEAP's firm means)."""
        rows = []
        for dmu, g in self.table.groupby("dmu", sort=False):
            ok = g[list(COMPONENTS)].apply(lambda c: np.isfinite(c) & (c > 0)).all(axis=1)
            rows.append({"dmu": dmu, **{c: _gmean(g.loc[ok, c]) for c in COMPONENTS},
                         "n": int(ok.sum())})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return (f"MalmquistResult({self.orientation}, {self.rts}, periods={len(self.periods)}, "
                f"rows={len(self.table)})")


def _gmean(x: pd.Series | np.ndarray) -> float:
    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return float(np.exp(np.log(v).mean())) if len(v) else float("nan")


def components(tt: np.ndarray, t1: np.ndarray, _1t: np.ndarray, _11: np.ndarray, vt: np.ndarray,
               v1: np.ndarray) -> dict[str, np.ndarray]:
    """The five components per DMU from its Farrell efficiencies (the formulas of the module docstring).

    ``tt`` = period-t data on the period-t frontier, ``t1`` = t+1 data on the t frontier,
    ``_1t`` = t data on the t+1 frontier, ``_11`` = t+1 on t+1; ``vt``, ``v1`` the own-period
    VRS efficiencies. Shared by :func:`malmquist` and the array-level bootstrap of
    :func:`llmflation.study.frontier.llm_malmquist`, so both compute the same numbers.

    Examples
    --------
    >>> c = components(*(np.array([v]) for v in (0.5, 1.0, 0.5, 1.0, 0.5, 1.0)))
    >>> float(c["tfpch"][0]), float(c["effch"][0]), float(c["techch"][0])
    (2.0, 2.0, 1.0)
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        effch = _11 / tt
        techch = np.sqrt((t1 / _11) * (tt / _1t))
        tfpch = np.sqrt((t1 / tt) * (_11 / _1t))
        pech = v1 / vt
        sech = effch / pech
    return {"effch": effch, "techch": techch, "pech": pech, "sech": sech, "tfpch": tfpch}


def pair_means(comp: dict[str, np.ndarray]) -> dict[str, float]:
    """One period pair's geometric means over the DMUs whose five components are all finite and
    positive (the row of :meth:`MalmquistResult.by_period`), with their count ``n``.

    Examples
    --------
    >>> m = pair_means({c: np.array([2.0, 8.0, np.nan]) for c in COMPONENTS})
    >>> round(m["tfpch"], 12), m["n"]
    (4.0, 2)
    """
    ok = np.ones(len(comp["tfpch"]), dtype=bool)
    for c in COMPONENTS:
        v = comp[c]
        ok &= np.isfinite(v) & (v > 0)
    return {**{c: _gmean(comp[c][ok]) for c in COMPONENTS}, "n": int(ok.sum())}


def _scores_task(args: tuple) -> tuple[np.ndarray, np.ndarray]:
    Xe, Ye, Xr, Yr, rts, orientation = args
    return farrell_scores(Xe, Ye, Xr, Yr, rts=rts, orientation=orientation)


@validated
def malmquist(panel: Annotated[pd.DataFrame, Frame(what="a long pandas DataFrame (one row per DMU × period)")], *,
              dmu: str, period: str, inputs: list[str] | str,
              outputs: list[str] | str, orientation: Literal["input", "output"] = "output",
              rts: Literal["crs", "vrs"] = "crs", n_jobs: NJobs = 1,
              backend: Backend = "loky") -> MalmquistResult:
    """Färe–Grosskopf–Norris–Zhang Malmquist index between adjacent periods.

    Parameters
    ----------
    panel : DataFrame
        Long panel: one row per DMU and period.
    dmu, period : str
        Column names of the DMU id and the period. Periods are ordered as dates when
        they are dates or parse as unambiguous dates (``2024-01-31``, ``2024-01``,
        ``2024Q1``, ``Jan-2024``), as numbers when numeric, else alphabetically (said in
        ``notes``).
    inputs, outputs : list of str (or a comma-separated str)
        Column names of the inputs and outputs (non-negative).
    orientation : {"output", "input"}
        Orientation of the distance functions (DEAP default for Malmquist is output).
    rts : {"crs", "vrs"}
        Frontier of the index; ``"crs"`` is the FGNZ index with the VRS-based
        pure/scale split of efficiency change.
    n_jobs, backend :
        Parallel solution of the per-period LP batches (see ``_parallel``).

    Returns
    -------
    MalmquistResult
        ``.wide()`` (per DMU and period), ``.to_frame()`` (long, tidy), ``.by_period()`` (geometric means).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"firm": [1, 2, 1, 2], "year": [1, 1, 2, 2],
    ...                   "x": [2.0, 3.0, 1.0, 3.0], "y": [1.0, 3.0, 1.0, 3.0]})
    >>> r = malmquist(p, dmu="firm", period="year", inputs=["x"], outputs=["y"])
    >>> r.wide()["tfpch"].round(3).tolist()
    [2.0, 1.0]
    """
    from llmflation.methods.bootstrap import parallel_map

    ins = [c.strip() for c in inputs.split(",")] if isinstance(inputs, str) else list(
        check_str_sequence(inputs, "inputs"))
    outs = [c.strip() for c in outputs.split(",")] if isinstance(outputs, str) else list(
        check_str_sequence(outputs, "outputs"))
    missing = [c for c in [dmu, period, *ins, *outs] if c not in panel.columns]
    if missing:
        raise InputError(f"columns {missing} not in panel; available: {list(panel.columns)}.")
    if not ins or not outs:
        raise InputError("need at least one input and one output column.")
    df = panel[[dmu, period, *ins, *outs]].copy()
    vals = df[ins + outs].apply(pd.to_numeric, errors="coerce")
    bad = ~np.isfinite(vals.to_numpy(dtype=float)).all(axis=1)
    if bad.any():
        raise InputError(f"{int(bad.sum())} row(s) have missing or non-numeric inputs/outputs "
                         f"(first: {df.loc[bad, [dmu, period]].head(3).to_dict('records')}); "
                         f"drop or impute them first.")
    if (vals.to_numpy(dtype=float) < 0).any():
        raise InputError("inputs/outputs must be non-negative for radial DEA.")
    df[ins + outs] = vals
    if df.duplicated([dmu, period]).any():
        dup = df.loc[df.duplicated([dmu, period], keep=False), [dmu, period]].head(3)
        raise InputError(f"several rows for the same DMU and period, e.g. "
                         f"{dup.to_dict('records')}; expected one row per DMU × period. "
                         f"Aggregate them first.")
    order, how = ordered_periods(df[period])
    if how == "text":
        try:
            order = sorted(order)
        except TypeError:
            raise InputError(f"period column {period!r} mixes labels that cannot be ordered "
                             f"({sorted({type(v).__name__ for v in order})}); use dates, numbers or ISO "
                             "strings like 2024-01 or 2024Q1.") from None
    periods = tuple(order)
    period_note = ("Periods ordered as dates." if how == "date" else "Periods ordered as numbers."
                   if how == "numeric" else "Period labels are neither dates nor numbers: ordered alphabetically.")
    if len(periods) < 2:
        raise InputError(f"need at least two periods; found {len(periods)} in {period!r}.")

    data = {p: g.set_index(dmu) for p, g in df.groupby(period, sort=False)}
    X = {p: data[p][ins].to_numpy(float) for p in periods}
    Y = {p: data[p][outs].to_numpy(float) for p in periods}

    # One LP batch per (evaluated period, frontier period, rts); the own-period CRS and
    # VRS batches are shared by the two pairs a period belongs to.
    jobs: list[tuple[Any, Any, str]] = []
    for p in periods:
        jobs.append((p, p, rts))
        if rts == "crs":
            jobs.append((p, p, "vrs"))
    for a, b in zip(periods[:-1], periods[1:], strict=True):
        jobs.append((b, a, rts))  # period-(t+1) data on the period-t frontier
        jobs.append((a, b, rts))
    results = parallel_map(_scores_task,
                           [(X[e], Y[e], X[f], Y[f], r, orientation) for e, f, r in jobs],
                           n_jobs=n_jobs, backend=backend)
    S = {j: pd.DataFrame({"e": res[0], "status": res[1]}, index=data[j[0]].index)
         for j, res in zip(jobs, results, strict=True)}

    rows = []
    for a, b in zip(periods[:-1], periods[1:], strict=True):
        common = data[a].index.intersection(data[b].index, sort=False)
        e_tt = S[(a, a, rts)].loc[common]
        e_11 = S[(b, b, rts)].loc[common]
        e_t1 = S[(b, a, rts)].loc[common]  # t+1 data, t frontier
        e_1t = S[(a, b, rts)].loc[common]  # t data, t+1 frontier
        v_t = S[(a, a, "vrs")].loc[common]
        v_1 = S[(b, b, "vrs")].loc[common]
        tt, t1, _1t, _11 = (e_tt["e"].to_numpy(), e_t1["e"].to_numpy(),
                            e_1t["e"].to_numpy(), e_11["e"].to_numpy())
        vt, v1 = v_t["e"].to_numpy(), v_1["e"].to_numpy()
        comp = components(tt, t1, _1t, _11, vt, v1)
        statuses = np.array([
            ";".join(sorted({str(s) for s in st if s != STATUS_OPTIMAL})) or STATUS_OPTIMAL
            for st in zip(e_tt["status"], e_11["status"], e_t1["status"], e_1t["status"],
                          v_t["status"], v_1["status"], strict=True)])
        rows.append(pd.DataFrame({
            "dmu": common.to_numpy(), "period": b, "base_period": a,
            **comp,
            "e_t_t": tt, "e_t_t1": t1, "e_t1_t": _1t, "e_t1_t1": _11,
            "e_vrs_t": vt, "e_vrs_t1": v1, "status": statuses}))
    table = pd.concat(rows, ignore_index=True)
    notes = ["Efficiencies are Farrell-type (θ or 1/φ): values above 1 mean growth.",
             "Period means are geometric means over DMUs (DEAP 2.1 convention).", period_note]
    n_bad = int((table["status"] != STATUS_OPTIMAL).sum())
    if n_bad:
        notes.append(f"{n_bad} DMU-period row(s) with an infeasible/unbounded LP give NaN "
                     f"components (see status) and are left out of the means.")
    balanced = all(len(data[p]) == len(data[periods[0]]) for p in periods) and \
        len(table) == (len(periods) - 1) * len(data[periods[0]])
    if not balanced:
        notes.append("Unbalanced panel: each pair uses the DMUs present in both periods; "
                     "frontiers use every DMU of their period.")
    if rts == "vrs":
        notes.append("rts='vrs': all distances on VRS frontiers, so effch = pech and sech = 1.")
    return MalmquistResult(
        table=table, orientation=orientation, rts=rts, periods=periods,
        config={"dmu": dmu, "period": period, "inputs": ins, "outputs": outs,
                "orientation": orientation, "rts": rts, "n_jobs": n_jobs, "backend": backend},
        notes=tuple(notes))
