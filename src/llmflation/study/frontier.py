"""The LLM production frontier: a developer × quarter DMU panel and its Malmquist index.

**DMU panel** (:func:`llm_dmu_panel`). One decision-making unit per developer and
calendar quarter from 2023Q1. A developer "offers" in quarter q every model of its own
that was released by the quarter's last day and has a price and an Epoch Capabilities
Index (ECI) in the canonical panel. A model's price in q is its last observed blended
price (3:1 input:output, USD per 1M tokens) with ``valid_from`` on or before the quarter's
end, first-party quotes preferred and the median taken across providers; a model first
priced after q carries its earliest observed price back to its release (list prices of
this period rarely rose; stated in the notes). The developer's DMU takes one model:

* ``"flagship"`` — the offered model with the highest ECI (ties: the cheaper);
* ``"value"``    — the offered model with the highest ECI per dollar.

Variables per DMU: ``price_usd_per_mtok`` (input), ``eci`` (output),
``context_tokens`` (output), ``training_compute_flop`` (input, from Epoch's model
records through the panel's ``epoch_model`` link, where known).

**Index** (:func:`llm_malmquist`). Output-oriented Färe–Grosskopf–Norris–Zhang Malmquist
(CRS, VRS split) between adjacent quarters, for several input/output specifications, and
two readings of the paper's "2024Q1–Q4" figure: the chained product of the quarterly
indices 2024Q1→Q2→Q3→Q4 and the direct comparison of 2024Q1 with 2024Q4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.dea import farrell_scores
from llmflation.methods.estimability import estimability
from llmflation.methods.malmquist import COMPONENTS, components, malmquist, pair_means
from llmflation.results import Result, data_vintage
from llmflation.signature import (
    DateLike,
    Frame,
    Level,
    NonNegativeInt,
    PositiveInt,
    Range,
    Seed,
    validated,
)
from llmflation.study.paper import ref, refs

#: Paper (Du 2026, abstract): Malmquist index 4.11 and technical change 4.13, 2024Q1–Q4.
PAPER_MI_2024 = float(ref("du2026.malmquist_2024").value)
PAPER_TC_2024 = float(ref("du2026.techch_2024").value)

#: Input/output specifications compared (name → (pick rule, inputs, outputs)).
DEFAULT_SPECS: dict[str, tuple[str, list[str], list[str]]] = {
    "flagship: price → ECI": ("flagship", ["price_usd_per_mtok"], ["eci"]),
    "flagship: price → ECI, context": ("flagship", ["price_usd_per_mtok"], ["eci", "context_tokens"]),
    "flagship: price, training compute → ECI": (
        "flagship", ["price_usd_per_mtok", "training_compute_flop"], ["eci"]),
    "value: price → ECI": ("value", ["price_usd_per_mtok"], ["eci"]),
    "value: price → ECI, context": ("value", ["price_usd_per_mtok"], ["eci", "context_tokens"]),
}


def _quarters(start: str, end: str) -> pd.PeriodIndex:
    return pd.period_range(pd.Period(start, "Q"), pd.Period(end, "Q"), freq="Q")


def _model_prices(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per model × observation date: median blended price (first party preferred)."""
    p = panel.copy()
    fp = p["first_party"].astype("boolean").fillna(False).astype(bool)
    has_fp = fp.groupby(p["model_id"]).transform("any")
    p = p[fp | ~has_fp]
    return (p.groupby(["model_id", "valid_from"], as_index=False)
              .agg(price=("blended_usd_per_mtok", "median")))


@validated
def llm_dmu_panel(panel: pd.DataFrame, *, epoch_models: pd.DataFrame, start: DateLike = "2023Q1",
                  end: DateLike | None = None, pick: Literal["flagship", "value"] = "flagship") -> pd.DataFrame:
    """Developer × quarter DMU panel for DEA/Malmquist on LLMs.

    Parameters
    ----------
    panel : DataFrame
        The canonical price panel (``llmflation.load_panel()``); needs
        ``model_id, developer, release_date, valid_from, first_party,
        blended_usd_per_mtok, context_tokens, eci, epoch_model``.
    start, end : str
        First and last quarter (``"2023Q1"``); ``end`` defaults to the quarter of the
        latest ECI-scored release.
    pick : {"flagship", "value"}
        Which offered model represents the developer in a quarter (see module doc).
    epoch_models : DataFrame
        Epoch's model table (``epoch_models``) for training compute.

    Returns
    -------
    DataFrame
        ``developer, quarter, model_id, price_usd_per_mtok, eci, context_tokens,
        training_compute_flop, n_models_offered``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"model_id": ["a", "b"], "developer": ["D", "D"],
    ...     "release_date": pd.to_datetime(["2023-01-10", "2023-05-01"]),
    ...     "valid_from": pd.to_datetime(["2023-01-10", "2023-05-01"]),
    ...     "first_party": [True, True], "blended_usd_per_mtok": [10.0, 5.0],
    ...     "context_tokens": [4096.0, 8192.0], "eci": [100.0, 110.0],
    ...     "epoch_model": [None, None]})
    >>> d = llm_dmu_panel(p, start="2023Q1", end="2023Q2", epoch_models=pd.DataFrame(
    ...     {"Model": [], "Training compute (FLOP)": []}))
    >>> d[["quarter", "model_id", "price_usd_per_mtok"]].values.tolist()
    [['2023Q1', 'a', 10.0], ['2023Q2', 'b', 5.0]]
    """
    need = ["model_id", "developer", "release_date", "valid_from", "first_party",
            "blended_usd_per_mtok", "context_tokens", "eci", "epoch_model"]
    miss = [c for c in need if c not in panel.columns]
    if miss:
        raise InputError(f"panel lacks columns {miss}; expected the canonical panel "
                         f"(llmflation.load_panel()).")
    from llmflation.study.trends import canonical_rows

    p = canonical_rows(panel)[need].copy()
    p = p[p["eci"].notna() & (p["blended_usd_per_mtok"] > 0) & p["release_date"].notna()
          & p["developer"].notna() & p["valid_from"].notna()]
    if p.empty:
        raise InputError("no priced model with an ECI score in the panel.")
    p["developer"] = p["developer"].astype(str)
    models = (p.groupby("model_id")
                .agg(developer=("developer", "first"), release_date=("release_date", "min"),
                     eci=("eci", "max"), context_tokens=("context_tokens", "max"),
                     epoch_model=("epoch_model", "first")))
    prices = _model_prices(p).sort_values(["model_id", "valid_from"])
    comp = (epoch_models[["Model", "Training compute (FLOP)"]].dropna()
            .drop_duplicates("Model").set_index("Model")["Training compute (FLOP)"])
    models["training_compute_flop"] = models["epoch_model"].map(comp).astype(float)
    if end is None:
        end = str(models["release_date"].max().to_period("Q"))
    rows = []
    for q in _quarters(start, end):
        q_end = q.end_time.normalize()
        offered = models[models["release_date"] <= q_end]
        if offered.empty:
            continue
        pr = prices[prices["model_id"].isin(offered.index)]
        before = pr[pr["valid_from"] <= q_end].groupby("model_id")["price"].last()
        first = pr.groupby("model_id")["price"].first()
        price = before.reindex(offered.index).fillna(first.reindex(offered.index))
        o = offered.assign(price_usd_per_mtok=price).dropna(subset=["price_usd_per_mtok"])
        for dev, g in o.groupby("developer"):
            if pick == "flagship":
                g = g.sort_values(["eci", "price_usd_per_mtok"], ascending=[False, True])
            else:
                g = g.assign(_v=g["eci"] / g["price_usd_per_mtok"]).sort_values(
                    "_v", ascending=False)
            best = g.iloc[0]
            rows.append({"developer": dev, "quarter": str(q), "model_id": best.name,
                         "price_usd_per_mtok": float(best["price_usd_per_mtok"]),
                         "eci": float(best["eci"]),
                         "context_tokens": float(best["context_tokens"]),
                         "training_compute_flop": float(best["training_compute_flop"]),
                         "n_models_offered": len(g)})
    return pd.DataFrame(rows)


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class LLMFrontierResult(Result):
    """Malmquist decomposition of the LLM frontier, with sensitivity to the specification.

    Attributes
    ----------
    comparison : DataFrame
        ``spec, window, measure, estimate, paper_value, n_dmus, conf_low, conf_high,
        status, reason``: our 2024Q1–Q4 index, technical change and efficiency change
        beside the paper's 4.11 / 4.13, with DMU-bootstrap intervals (first ``boot_specs``
        specifications) and the estimability status of every row.
    by_quarter : DataFrame
        ``spec, period, base_period, effch, techch, pech, sech, tfpch, n`` (geometric
        means over developers for each adjacent quarter pair).
    dmu_panels : dict
        The DMU panel of each pick rule.
    """

    comparison: pd.DataFrame
    by_quarter: pd.DataFrame
    dmu_panels: dict[str, pd.DataFrame]
    vintage: str = ""
    title: str = "LLM production frontier: Malmquist index (developer × quarter DMUs)"

    keys = ('spec', 'window')

    def wide(self) -> pd.DataFrame:
        return self.comparison.copy()

    def __repr__(self) -> str:
        return f"LLMFrontierResult(specs={self.comparison['spec'].nunique()})"


@validated
def llm_malmquist(panel: pd.DataFrame, *, epoch_models: pd.DataFrame, start: DateLike = "2023Q1",
                  end: DateLike | None = None,
                  specs: dict[str, tuple[str, list[str], list[str]]] | None = None,
                  window: tuple[str, str] = ("2024Q1", "2024Q4"),
                  min_dmus: PositiveInt = 3, n_boot: NonNegativeInt = 99, seed: Seed | None = 0,
                  level: Level = 0.90, boot_specs: Annotated[int, Range(ge=0)] = 1) -> LLMFrontierResult:
    """Malmquist index of the LLM frontier per quarter pair, beside the paper's figures.

    Parameters
    ----------
    panel : DataFrame
        Canonical price panel (``load_panel()``).
    epoch_models : DataFrame
        Epoch's model table (training compute); ``StudyInputs(store).frontier()`` gives both.
    start, end : str
        Quarter range of the DMU panel.
    specs : dict, optional
        ``name → (pick, inputs, outputs)``; default :data:`DEFAULT_SPECS`.
    window : (str, str)
        The window compared with the paper (chained and direct).
    min_dmus : int
        Quarters with fewer DMUs than this (after dropping missing variables) are left out.
    n_boot, seed, level : int, int, float
        DMU bootstrap of the window's indices: developers redrawn with replacement (each
        with all its quarters in the window), the chained and direct indices recomputed;
        percentile intervals at ``level``. ``n_boot=0``: none.
    boot_specs : int
        How many specifications (in order; the first is the headline) get intervals.
        Every comparison row has a ``status`` (:func:`llmflation.methods.estimability.estimability`):
        fewer developers than DEA's rule of thumb ``max(m·s, 3(m+s))``, or an interval
        spanning more than two orders of magnitude, is ``"not estimable"``.

    Returns
    -------
    LLMFrontierResult

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> res = llm_malmquist(**StudyInputs().frontier())  # doctest: +SKIP
    >>> res.to_frame()  # doctest: +SKIP
    """
    specs = specs or DEFAULT_SPECS
    panels: dict[str, pd.DataFrame] = {}
    comp_rows: list[dict[str, Any]] = []
    bq_rows: list[pd.DataFrame] = []
    notes = [
        "DMU = developer × quarter; a developer's offered models are those released by the "
        "quarter's end with a price and an ECI in the canonical panel.",
        "Price in a quarter = last observed blended price on or before its end (first party "
        "preferred, median across providers); a model first priced later carries its "
        "earliest observed price back to release.",
        "Output-oriented FGNZ Malmquist, CRS frontier, VRS split; unbalanced panel: each "
        "quarter pair uses developers present in both quarters.",
        f"Paper (Du 2026): Malmquist index {PAPER_MI_2024} and technical change "
        f"{PAPER_TC_2024} in 2024Q1–Q4; its DMUs, inputs and outputs are not published.",
    ]
    rng = np.random.default_rng(seed)
    for k_spec, (name, (pick, ins, outs)) in enumerate(specs.items()):
        if pick not in panels:
            panels[pick] = llm_dmu_panel(panel, epoch_models=epoch_models, start=start, end=end, pick=pick)  # type: ignore[arg-type]
        d = panels[pick].dropna(subset=[*ins, *outs])
        d = d[(d[ins + outs] > 0).all(axis=1)]
        counts = d.groupby("quarter").size()
        d = d[d["quarter"].map(counts) >= min_dmus]
        if d["quarter"].nunique() < 2:
            notes.append(f"{name}: fewer than two quarters with {min_dmus}+ DMUs; skipped.")
            continue
        res = malmquist(d, dmu="developer", period="quarter", inputs=ins, outputs=outs,
                        orientation="output", rts="crs")
        bp = res.by_period()
        bp = bp[bp["period"] != "mean"]
        bq_rows.append(bp.assign(spec=name))
        w0, w1 = window
        qs = [q for q in res.periods if w0 <= q <= w1]
        chain = bp[bp["period"].isin(qs[1:]) & bp["base_period"].isin(qs[:-1])]
        if len(qs) >= 2 and len(chain) == len(qs) - 1:
            for m in ("tfpch", "techch", "effch"):
                comp_rows.append({"spec": name, "window": f"{w0}→{w1} chained", "measure": m,
                                  "estimate": float(np.prod(chain[m])),
                                  "paper_value": _paper(m), "n_dmus": int(chain["n"].min())})
        direct = d[d["quarter"].isin([w0, w1])]
        if direct["quarter"].nunique() == 2:
            r2 = malmquist(direct, dmu="developer", period="quarter", inputs=ins, outputs=outs,
                           orientation="output", rts="crs").by_period().iloc[0]
            for m in ("tfpch", "techch", "effch"):
                comp_rows.append({"spec": name, "window": f"{w0}→{w1} direct", "measure": m,
                                  "estimate": float(r2[m]), "paper_value": _paper(m),
                                  "n_dmus": int(r2["n"])})
        boot = (_dmu_bootstrap(d, ins, outs, qs, (w0, w1), n_boot, rng)
                if n_boot and k_spec < boot_specs and len(qs) >= 2 else None)
        need = _dea_min_dmus(len(ins), len(outs))
        for row in comp_rows:
            if row["spec"] != name or "status" in row:
                continue
            kind = "chained" if row["window"].endswith("chained") else "direct"
            lo = hi = float("nan")
            if boot is not None and len(boot[kind]):
                v = np.log(boot[kind][row["measure"]].to_numpy(dtype=float))
                v = v[np.isfinite(v)]
                if len(v):
                    lo, hi = float(np.exp(np.quantile(v, (1 - level) / 2))), float(np.exp(np.quantile(v, (1 + level) / 2)))
            st, why = estimability(n=float(row["n_dmus"]), min_n=need, conf_low=lo, conf_high=hi,
                                   interval=boot is not None, what=str(row["measure"]))
            row.update(conf_low=lo, conf_high=hi, status=st, reason=why or "")
    if not comp_rows and not bq_rows:
        raise InputError("no specification had two quarters with enough DMUs.")
    by_quarter = pd.concat(bq_rows, ignore_index=True)[
        ["spec", "period", "base_period", *COMPONENTS, "n"]] if bq_rows else pd.DataFrame()
    return LLMFrontierResult(references=refs("du2026.malmquist_2024", "du2026.techch_2024"),

        comparison=pd.DataFrame(comp_rows), by_quarter=by_quarter, dmu_panels=panels,
        config={"start": start, "end": end, "window": window, "min_dmus": min_dmus, "n_boot": n_boot,
                "seed": seed, "level": level, "boot_specs": boot_specs,
                "specs": {k: list(v) for k, v in specs.items()}},
        vintage=data_vintage(panel, epoch_models), notes=tuple(notes))


def _dea_min_dmus(n_inputs: int, n_outputs: int) -> int:
    from llmflation.methods.dea_bootstrap import min_dmus as _rule

    return _rule(n_inputs, n_outputs)


def _dmu_bootstrap(d: pd.DataFrame, ins: list[str], outs: list[str], qs: list[str], window: tuple[str, str],
                   n_boot: int, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Chained and direct window indices with developers redrawn with replacement (all their quarters).

    Each replicate's numbers are, bit for bit, those of :func:`malmquist` on the resampled panel
    (the developer drawn i-th renamed ``name#i``: the chained index on the window's quarters, the
    direct one on its two ends), computed on arrays: the same LP batches over the same DMUs in the
    same order, through :func:`~llmflation.methods.dea.farrell_scores` and the component formulas
    of :func:`~llmflation.methods.malmquist.components`. A batch the direct index shares with the
    chained one (each end of the window on its own frontier) is solved once, and a developer drawn
    twice is solved once per batch (see ``farrell_scores``). ``tests/test_malmquist_llm.py``
    compares this with the data-frame route.
    """
    w0, w1 = window
    dw = d[d["quarter"].isin(qs)]
    devs = dw["developer"].unique()
    pos = {v: i for i, v in enumerate(devs)}
    nq = len(qs)
    vals = dw[ins + outs].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    X, Y = np.ascontiguousarray(vals[:, :len(ins)]), np.ascontiguousarray(vals[:, len(ins):])
    # row[v, q]: the row of developer v in quarter q (-1: none). A developer with a missing, negative
    # or repeated value in the window makes malmquist() refuse any replicate that draws it: ``bad``.
    row = np.full((len(devs), nq), -1, dtype=np.intp)
    bad = np.zeros(len(devs), dtype=bool)
    qpos = {q: j for j, q in enumerate(qs)}
    finite = np.isfinite(vals).all(axis=1) & (vals >= 0).all(axis=1)
    for r, (v, q) in enumerate(zip(dw["developer"], dw["quarter"], strict=True)):
        i, j = pos[v], qpos[q]
        if row[i, j] >= 0 or not finite[r]:
            bad[i] = True
        row[i, j] = r
    a0, a1 = (qpos.get(w0), qpos.get(w1))
    direct_ok = a0 is not None and a1 is not None and a0 != a1
    out: dict[str, list[dict[str, float]]] = {"chained": [], "direct": []}
    measures = ("tfpch", "techch", "effch")
    for _ in range(n_boot):
        pick = rng.choice(devs, len(devs))
        idx = np.fromiter((pos[v] for v in pick), dtype=np.intp, count=len(pick))
        R = row[idx]  # (draws, quarters)
        present = R >= 0
        if (present.sum(axis=0) < 2).any() or bad[idx].any():
            continue
        cache: dict[tuple[int, int, str], np.ndarray] = {}

        def scores(e: int, f: int, rts: str, R: np.ndarray = R, present: np.ndarray = present,
                   cache: dict[tuple[int, int, str], np.ndarray] = cache) -> np.ndarray:
            """Quarter-e DMUs (in draw order) on the quarter-f frontier: ``malmquist``'s LP batch (e, f, rts)."""
            if (e, f, rts) not in cache:
                re, rf = R[present[:, e], e], R[present[:, f], f]
                cache[(e, f, rts)] = farrell_scores(X[re], Y[re], X[rf], Y[rf], rts=rts, orientation="output")[0]
            return cache[(e, f, rts)]

        def pair(a: int, b: int, present: np.ndarray = present) -> dict[str, float] | None:
            """The geometric means of the pair (a, b) over the draws present in both (None: no such draw)."""
            in_a, in_b = present[:, a], present[:, b]
            sel_a, sel_b = in_b[in_a], in_a[in_b]  # the common draws, in draw order, within a's and b's
            if not sel_a.any():
                return None
            return pair_means(components(scores(a, a, "crs")[sel_a], scores(b, a, "crs")[sel_b],
                                         scores(a, b, "crs")[sel_a], scores(b, b, "crs")[sel_b],
                                         scores(a, a, "vrs")[sel_a], scores(b, b, "vrs")[sel_b]))

        try:
            for j in range(nq):  # malmquist()'s order: every batch before any number
                scores(j, j, "crs")
                scores(j, j, "vrs")
            for j in range(nq - 1):
                scores(j + 1, j, "crs")
                scores(j, j + 1, "crs")
            chain = [p for p in (pair(j, j + 1) for j in range(nq - 1)) if p is not None]
        except (InputError, ValueError, KeyError, IndexError):
            continue
        if len(chain) == nq - 1:
            out["chained"].append({m: float(np.nanprod([p[m] for p in chain])) for m in measures})
        if not direct_ok:
            continue
        assert a0 is not None and a1 is not None
        try:
            r2 = pair(a0, a1)
        except (InputError, ValueError, KeyError, IndexError):
            continue
        if r2 is not None:
            out["direct"].append({m: float(r2[m]) for m in measures})
    return {k: pd.DataFrame(v, columns=["tfpch", "techch", "effch"]) for k, v in out.items()}


def _paper(measure: str) -> float:
    return {"tfpch": PAPER_MI_2024, "techch": PAPER_TC_2024}.get(measure, float("nan"))


# --------------------------------------------------------------------------- scale-invariant frontier


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class LLMFrontierInvariantResult(Result):
    """Frontier measures that do not depend on ECI's arbitrary zero, with bootstrap intervals.

    Input-oriented DEA with variable returns to scale (input: blended price; output: ECI)
    is translation invariant in the output: adding a constant to every ECI leaves every
    efficiency and every Malmquist component unchanged (tested). The paper's CRS
    output-oriented index is not: shifting ECI moves it.

    Attributes
    ----------
    efficiency : DataFrame
        Per quarter and developer: ``quarter, dmu, efficiency, bias_corrected, conf_low,
        conf_high, n, reason`` (Simar–Wilson 1998).
    malmquist : DataFrame
        ``period, base_period, term, estimate, conf_low, conf_high, n, n_common, window, reason``
        for adjacent quarters and the direct window comparison.
    shift_check : DataFrame
        The CRS output-oriented index (the paper's type) with ECI as is and shifted by
        ``shift``, beside the invariant one: ``model, eci_shift, term, estimate``.
    """

    efficiency: pd.DataFrame
    malmquist: pd.DataFrame
    shift_check: pd.DataFrame
    vintage: str = ""
    title: str = "LLM frontier, invariant to ECI's zero: input-oriented VRS DEA and Malmquist with bootstrap"
    keys = ("period", "base_period")

    def wide(self) -> pd.DataFrame:
        """:attr:`malmquist` (one row per period pair and component)."""
        return self.malmquist.copy()


@validated
def llm_frontier_invariant(
        panel: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (llmflation.load_panel())")], *,
        epoch_models: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (the bundled Epoch models table)")],
        start: DateLike = "2023Q1", end: DateLike | None = None, window: tuple[str, str] = ("2024Q1", "2024Q4"),
        pick: Literal["flagship", "value"] = "flagship", n_boot: Annotated[int, Range(ge=20)] = 200,
        seed: Seed | None = 0, level: Level = 0.95, shift: float = -100.0) -> LLMFrontierInvariantResult:
    """DEA/Malmquist on developer × quarter DMUs with outputs whose zero does not matter.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> r = llm_frontier_invariant(**StudyInputs().frontier(), n_boot=20)  # doctest: +SKIP
    """
    from llmflation.methods.dea_bootstrap import dea_bootstrap, malmquist_bootstrap, min_dmus
    from llmflation.validate import check_date

    t0 = check_date(start, "start")  # declared DateLike: parsed here, not re-checked
    t1 = check_date(end, "end", allow_none=True)
    if t1 is not None and t1 < t0:
        raise InputError(f"end={end!r} is before start={start!r}; give quarters in order, e.g. start='2023Q1', "
                         "end='2025Q4'.")
    if isinstance(window, str) or not hasattr(window, "__len__") or len(window) != 2:
        raise InputError(f"window must be two quarters (first, last), e.g. ('2024Q1', '2024Q4'); got {window!r}.")
    if check_date(window[1], "window[1]") < check_date(window[0], "window[0]"):
        raise InputError(f"window={window!r}: the last quarter is before the first; give (first, last).")
    d = llm_dmu_panel(panel, epoch_models=epoch_models, start=start, end=end, pick=pick)
    ins, outs = ["price_usd_per_mtok"], ["eci"]
    d = d.dropna(subset=ins + outs)
    d = d[d["price_usd_per_mtok"] > 0]
    d = d.assign(quarter=d["quarter"].astype(str))
    need = min_dmus(1, 1)
    eff = []
    for q, g in d.groupby("quarter", sort=True):
        if len(g) < 2:
            continue
        r = dea_bootstrap(g.set_index("developer")[ins], g.set_index("developer")[outs], rts="vrs",
                          n_boot=n_boot, level=level, seed=seed)
        eff.append(r.table.assign(quarter=q, n=r.n, reason=r.reason or ""))
    efficiency = pd.concat(eff, ignore_index=True) if eff else pd.DataFrame()
    qs = sorted(d["quarter"].unique())
    w0, w1 = window
    adj = [(a, b) for a, b in zip(qs[:-1], qs[1:], strict=True)]
    m1 = malmquist_bootstrap(d, dmu="developer", period="quarter", inputs=tuple(ins), outputs=tuple(outs), rts="vrs",
                             n_boot=n_boot, level=level, seed=seed, pairs=adj).table.assign(window="adjacent")
    parts = [m1]
    if w0 in qs and w1 in qs:
        m2 = malmquist_bootstrap(d, dmu="developer", period="quarter", inputs=tuple(ins), outputs=tuple(outs), rts="vrs",
                                 n_boot=n_boot, level=level, seed=seed, pairs=[(w0, w1)]).table
        parts.append(m2.assign(window=f"{w0}→{w1} direct"))
    mq = pd.concat(parts, ignore_index=True)
    # the paper's type of index (CRS, output) moves when ECI's zero moves; the invariant one does not
    chk = []
    dw = d[d["quarter"].isin([w0, w1])]
    if dw["quarter"].nunique() == 2:
        for c in (0.0, shift):
            dd = dw.assign(eci=dw["eci"] + c)
            if (dd["eci"] <= 0).any():
                continue
            crs = malmquist(dd, dmu="developer", period="quarter", inputs=ins, outputs=outs, orientation="output",
                            rts="crs").by_period().iloc[0]
            vrs = malmquist_bootstrap(dd, dmu="developer", period="quarter", inputs=tuple(ins), outputs=tuple(outs),
                                      rts="vrs",
                                      n_boot=20, seed=seed, pairs=[(w0, w1)]).table.set_index("term")
            for mm in ("tfpch", "techch"):
                chk.append({"model": "CRS, output-oriented (paper's type)", "eci_shift": c, "term": mm,
                            "estimate": float(crs[mm])})
                chk.append({"model": "VRS, input-oriented (invariant)", "eci_shift": c, "term": mm,
                            "estimate": float(vrs.loc[mm, "estimate"])})
    notes = (f"DMU = developer × quarter ({pick} model); input: blended price, output: ECI. Input-oriented VRS is "
             "translation invariant in outputs (Ali and Seiford 1990): ECI's arbitrary zero does not matter.",
             f"Fewer than {need} DMUs in a quarter (rule of thumb max(m·s, 3(m+s))): no intervals, said in 'reason'.",
             f"Bootstrap: Simar–Wilson (1998) smoothed, {n_boot} replicates, seed {seed}.")
    return LLMFrontierInvariantResult(efficiency=efficiency, malmquist=mq, shift_check=pd.DataFrame(chk),
                                      config={"start": start, "end": end, "window": list(window), "pick": pick,
                                              "n_boot": n_boot, "seed": seed, "level": level, "shift": shift},
                                      vintage=data_vintage(panel, epoch_models), notes=notes)
