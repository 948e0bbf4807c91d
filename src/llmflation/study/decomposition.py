"""Growth accounting of the fall in the price of a unit of capability.

Price per token = markup × (GPU $/hour) × (FLOP per token) / (FLOP/s per GPU) × hosting
costs, so in logs

``Δln P = Δln(rental $/chip-h at constant chip) + Δln($/FLOP from the chip mix)
+ Δln(FLOP per token) + Δln(hosting PPI) + residual``.

The residual (software, serving efficiency, utilisation, markups) is the
total-factor-productivity term. Shares are each term over ``Δln P`` and add to 100%.
The hosting PPI partly overlaps the GPU terms, so it can be left out
(``hosting="exclude"``); the result reports the residual both ways.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.estimability import ESTIMATED, NOT_ESTIMABLE, estimability
from llmflation.methods.index import time_dummy_index
from llmflation.methods.ols import dummies
from llmflation.results import Result, data_vintage
from llmflation.signature import Level, NonNegativeInt, Seed, validated
from llmflation.study.paper import ref, refs

#: Du (2026), abstract: TFP residual share and GPU hardware share of the cost reduction.
PAPER_TFP_SHARE = float(ref("du2026.tfp_share").value)
PAPER_GPU_SHARE = float(ref("du2026.gpu_share").value)
#: Fewest models with a price and ECI in each end year for the hedonic change to be a finding.
MIN_MODELS_PER_YEAR = 5


# --------------------------------------------------------------------------------------
# cost decomposition
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class DecompositionResult(Result):
    """Growth accounting of the price of capability between two years.

    Attributes
    ----------
    table : DataFrame
        ``term, log_change, share_pct, paper_share_pct``: each factor's log change over
        the window, its share of the total log change (shares add to 100), and the
        paper's share where it reports one.
    series : DataFrame
        The annual log indices (base year = 0) behind each factor.
    sources : DataFrame
        ``term, series, source, n``: every input series and where it comes from.
    start, end : int
    sensitivity : DataFrame
        ``hosting, energy_hosting_log_change, tfp_residual_log_change,
        tfp_residual_share_pct``: the TFP residual with the hosting PPI subtracted
        (``"include"``) and left in the residual (``"exclude"``), whichever was chosen.
    """

    table: pd.DataFrame
    series: pd.DataFrame
    sources: pd.DataFrame
    start: int
    end: int
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    vintage: str = ""

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Growth accounting of the price of LLM capability, {self.start}→{self.end}"

    @property
    def tfp_share(self) -> float:
        return float(self.table.set_index("term").loc["tfp_residual", "share_pct"])

    def wide(self) -> pd.DataFrame:
        """The table, with each row's share as ``estimate`` and its bootstrap interval as ``conf_low/high``."""
        t = self.table.copy()
        t.insert(1, "estimate", t["share_pct"])
        if "conf_low_pct" in t:
            t.insert(2, "conf_low", t["conf_low_pct"])
            t.insert(3, "conf_high", t["conf_high_pct"])
        return t

    def __repr__(self) -> str:
        return f"DecompositionResult({self.start}→{self.end}, TFP share={self.tfp_share:.1f}%)"


def decomposition_inputs(panel: pd.DataFrame, *, epoch_models: pd.DataFrame, hardware_prices: pd.DataFrame,
                         ml_hardware: pd.DataFrame, ppi_hosting: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Build the unit-level data behind :func:`cost_decomposition` from the panel and Epoch/BLS tables.

    Returns a dict of DataFrames: ``prices`` (model, year, ln_price, eci, ln_params),
    ``rentals`` (year, chip, ln_usd_per_chip_hour, ln_flops), ``ppi`` (year, ln_ppi),
    each with ``attrs["vintage"]`` from its inputs.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> d = StudyInputs().decomposition()  # doctest: +SKIP
    """
    tables = {"epoch_models": epoch_models, "hardware_prices": hardware_prices, "ml_hardware": ml_hardware,
              "ppi_hosting": ppi_hosting}
    load_table = tables.__getitem__
    from llmflation.study.trends import canonical_rows

    panel = canonical_rows(panel)
    p = panel[panel["eci"].notna() & (panel["blended_usd_per_mtok"] > 0)
              & panel["release_date"].notna()].copy()
    p = p.sort_values("valid_from")
    first = p.groupby("model_id").agg(price=("blended_usd_per_mtok", "first"),
                                      release=("release_date", "min"), eci=("eci", "max"),
                                      epoch_model=("epoch_model", "first"))
    em = load_table("epoch_models")[["Model", "Parameters"]].dropna().drop_duplicates("Model")
    params = em.set_index("Model")["Parameters"]
    first["params"] = first["epoch_model"].map(params).astype(float)
    prices = pd.DataFrame({"model": first.index, "year": first["release"].dt.year.to_numpy(),
                           "ln_price": np.log(first["price"].to_numpy(float)),
                           "eci": first["eci"].to_numpy(float),
                           "ln_params": np.log(first["params"].to_numpy(float))})
    hp = load_table("hardware_prices")
    hw = load_table("ml_hardware")
    col = "Price per chip-hour (on-demand)"
    r = hp.dropna(subset=[col]).copy()
    r = r[r[col] > 0]
    perf = hw.set_index("Hardware name")
    flops = (perf["Tensor-FP16/BF16 performance (FLOP/s)"]
             .fillna(perf["FP16 (half precision) performance (FLOP/s)"])
             .fillna(perf["FP32 (single precision) performance (FLOP/s)"]))
    flops = flops[~flops.index.duplicated()]
    r["flops"] = r["Hardware model"].map(flops)
    r = r.dropna(subset=["flops"])
    rentals = pd.DataFrame({"year": pd.to_datetime(r["Price date"]).dt.year.to_numpy(),
                            "chip": r["Hardware model"].astype(str).to_numpy(),
                            "ln_usd_per_chip_hour": np.log(r[col].to_numpy(float)),
                            "ln_flops": np.log(r["flops"].to_numpy(float))})
    ppi = load_table("ppi_hosting")
    ppi = pd.DataFrame({"year": pd.to_datetime(ppi["observation_date"]).dt.year,
                        "ln_ppi": np.log(ppi["PCU518210518210"].astype(float))})
    prices.attrs["vintage"] = data_vintage(panel, epoch_models)
    rentals.attrs["vintage"] = data_vintage(hardware_prices, ml_hardware)
    ppi.attrs["vintage"] = data_vintage(ppi_hosting)
    return {"prices": prices, "rentals": rentals, "ppi": ppi}


def _accounting(pr: pd.DataFrame, rn: pd.DataFrame, pp: pd.DataFrame, start: int, end: int, hosting: str
                ) -> tuple[Any, ...] | None:
    """Log changes of the price of capability and of each factor; None when the price index did not move."""
    # Price of capability: time-dummy hedonic index, ln price on year dummies + ECI.
    p_idx = time_dummy_index(pr["ln_price"].to_numpy(float), pr["year"].to_numpy(),
                              pr[["eci"]].to_numpy(float))
    # Compute per token at constant capability: ln params on year dummies + ECI.
    pa = pr.dropna(subset=["ln_params"])
    why_no_params = ""
    if start in set(pa["year"]) and end in set(pa["year"]):
        f_idx = time_dummy_index(pa["ln_params"].to_numpy(float), pa["year"].to_numpy(),
                                  pa[["eci"]].to_numpy(float))
        f_change = float(f_idx[end] - f_idx[start])
    else:
        counts = pa["year"].value_counts()
        why_no_params = (
            f"model_compute_per_token not measured: models with a parameter count — "
            f"{int(counts.get(start, 0))} in {start}, {int(counts.get(end, 0))} in {end} "
            f"(need at least one in each end year). It, the TFP residual and their shares "
            f"are NaN rather than 0; choose years with parameter counts or supply "
            f"'ln_params'.")
        f_idx, f_change = pd.Series(dtype=float), math.nan
    # GPU: constant-chip rental index (chip fixed effects) and $ per FLOP/s-hour (no FE).
    r_idx = time_dummy_index(rn["ln_usd_per_chip_hour"].to_numpy(float), rn["year"].to_numpy(),
                              dummies(rn["chip"]))
    c_idx = time_dummy_index((rn["ln_usd_per_chip_hour"] - rn["ln_flops"]).to_numpy(float),
                              rn["year"].to_numpy())
    h_idx = pp.groupby("year")["ln_ppi"].mean()
    h_idx = h_idx - h_idx.iloc[0]
    dP = float(p_idx[end] - p_idx[start])
    if abs(dP) < 1e-12:
        return None
    d_hosting = float(h_idx[end] - h_idx[start])
    comp = {
        "gpu_rental_price": float(r_idx[end] - r_idx[start]),
        "hardware_price_performance": float((c_idx[end] - c_idx[start]) - (r_idx[end] - r_idx[start])),
        "model_compute_per_token": f_change,
    }
    base_residual = dP - sum(comp.values())  # NaN when a factor could not be measured
    residual = {"include": base_residual - d_hosting, "exclude": base_residual}
    if hosting == "include":
        comp["energy_hosting"] = d_hosting
    comp["tfp_residual"] = residual[hosting]
    return dP, comp, residual, d_hosting, (p_idx, r_idx, c_idx, f_idx, h_idx), why_no_params, pa


def _change(y: np.ndarray, year: np.ndarray, X: np.ndarray | None, start: int, end: int) -> float:
    """``α_end − α_start`` of the time-dummy regression ``y = Σ α_t 1[t] + X β`` (as :func:`time_dummy_index`)."""
    years = np.unique(year)
    if start not in years or end not in years:
        return math.nan
    D = (year[:, None] == years[None, :]).astype(float)
    Z = D if X is None else np.c_[D, X]
    coef = np.linalg.pinv(Z.T @ Z) @ (Z.T @ y)     # normal equations: k is small, n is not
    return float(coef[np.searchsorted(years, end)] - coef[np.searchsorted(years, start)])


def _boot_rows(pr: pd.DataFrame, rn: pd.DataFrame, pp: pd.DataFrame, start: int, end: int, hosting: str,
               n_boot: int, seed: int | None) -> pd.DataFrame:
    """Log changes in each bootstrap replicate: models and rental quotes redrawn within year (PPI fixed)."""
    rng = np.random.default_rng(seed)
    p_y, p_year = pr["ln_price"].to_numpy(float), pr["year"].to_numpy()
    p_eci, p_par = pr[["eci"]].to_numpy(float), pr["ln_params"].to_numpy(float)
    r_y, r_year = rn["ln_usd_per_chip_hour"].to_numpy(float), rn["year"].to_numpy()
    r_flop = rn["ln_flops"].to_numpy(float)
    chips = dummies(rn["chip"])
    r_chip = None if np.size(chips) == 0 else np.asarray(chips, dtype=float)
    h = pp.groupby("year")["ln_ppi"].mean()
    d_hosting = float(h[end] - h[start])
    pr_groups = [np.flatnonzero(p_year == y) for y in np.unique(p_year)]
    rn_groups = [np.flatnonzero(r_year == y) for y in np.unique(r_year)]
    out = []
    for _ in range(n_boot):
        pi = np.concatenate([rng.choice(g, len(g)) for g in pr_groups])
        ri = np.concatenate([rng.choice(g, len(g)) for g in rn_groups])
        dP = _change(p_y[pi], p_year[pi], p_eci[pi], start, end)
        if not math.isfinite(dP) or abs(dP) < 1e-12:
            continue
        ok = np.isfinite(p_par[pi])
        f = _change(p_par[pi][ok], p_year[pi][ok], p_eci[pi][ok], start, end) if ok.any() else math.nan
        r = _change(r_y[ri], r_year[ri], None if r_chip is None else r_chip[ri], start, end)
        c = _change(r_y[ri] - r_flop[ri], r_year[ri], None, start, end)
        comp = {"gpu_rental_price": r, "hardware_price_performance": c - r, "model_compute_per_token": f}
        resid = dP - sum(comp.values())
        if hosting == "include":
            comp["energy_hosting"] = d_hosting
            resid -= d_hosting
        comp["tfp_residual"] = resid
        out.append({"price_per_capability": dP, **comp, "gpu_hardware (rental + price-performance)": c})
    return pd.DataFrame(out)


def _with_intervals(table: pd.DataFrame, pr: pd.DataFrame, rn: pd.DataFrame, pp: pd.DataFrame, start: int,
                    end: int, hosting: str, n_boot: int, seed: int | None, level: float) -> pd.DataFrame:
    """Add bootstrap intervals (log change and share) and the estimability status of every row."""
    t = table.copy()
    for c in ("log_change_conf_low", "log_change_conf_high", "conf_low_pct", "conf_high_pct"):
        t[c] = math.nan
    counts = pr["year"].value_counts()
    n_end = int(min(counts.get(start, 0), counts.get(end, 0)))
    if n_boot == 0:
        st, why = estimability(n=n_end, min_n=MIN_MODELS_PER_YEAR, interval=False)
        t["status"], t["reason"] = st, why or ""
        return t
    boots = _boot_rows(pr, rn, pp, start, end, hosting, n_boot, seed)
    a = (1 - level) / 2
    dP = boots["price_per_capability"] if len(boots) else pd.Series(dtype=float)
    for i, term in enumerate(t["term"]):
        if term not in boots or not boots[term].notna().any():
            continue
        v = boots[term].dropna()
        t.loc[i, ["log_change_conf_low", "log_change_conf_high"]] = [float(v.quantile(a)), float(v.quantile(1 - a))]
        sh = (100 * boots[term] / dP).dropna()
        t.loc[i, ["conf_low_pct", "conf_high_pct"]] = [float(sh.quantile(a)), float(sh.quantile(1 - a))]
    p = t.set_index("term").loc["price_per_capability"]
    st, why = estimability(n=n_end, min_n=MIN_MODELS_PER_YEAR, conf_low=math.exp(-p["log_change_conf_high"]),
                           conf_high=math.exp(-p["log_change_conf_low"]), what="fall in the price of capability")
    if st == ESTIMATED and p["log_change_conf_low"] <= 0 <= p["log_change_conf_high"]:
        st, why = NOT_ESTIMABLE, ("the interval of the change in the price of capability includes no change, so "
                                  "the shares' denominator is not pinned down")
    t["status"], t["reason"] = st, why or ""
    unmeasured = t["log_change"].isna()
    t.loc[unmeasured, "status"] = NOT_ESTIMABLE
    t.loc[unmeasured, "reason"] = "a factor could not be measured (see notes)"
    return t


@validated
def cost_decomposition(data: dict[str, pd.DataFrame], *, start: int = 2023,
                       end: int = 2025,
                       hosting: Literal["include", "exclude"] = "include", n_boot: NonNegativeInt = 499,
                       seed: Seed | None = 0, level: Level = 0.90) -> DecompositionResult:
    """Growth accounting of the fall in price per unit of capability (TFP residual).

    Parameters
    ----------
    data : dict
        ``{"prices", "rentals", "ppi"}`` as returned by :func:`decomposition_inputs`
        (``StudyInputs(store).decomposition()``).
        ``prices``: one row per model (``year``, ``ln_price``, ``eci``, ``ln_params``);
        ``rentals``: one row per rental quote (``year``, ``chip``,
        ``ln_usd_per_chip_hour``, ``ln_flops``); ``ppi``: (``year``, ``ln_ppi``).
    start, end : int
        Years compared (log indices are annual time-dummy estimates).
    hosting : {"include", "exclude"}
        Whether the hosting-services PPI (BLS PPI 518210, data processing, hosting and
        related services) is subtracted as its own factor. That index prices hosting
        services, which themselves embed server/GPU rental and hardware costs, so it
        partly overlaps the GPU rental and $/FLOP terms (possible double counting).
        ``"exclude"`` drops the ``energy_hosting`` row and leaves that change in the
        residual. The result's ``sensitivity`` frame and notes show the TFP residual
        under both choices.
    n_boot, seed, level : int, int, float
        Bootstrap of the shares: models redrawn within each year (the hedonic price and
        compute indices) and rental quotes within each year (the GPU indices), the PPI
        held fixed; percentile intervals at ``level`` (``conf_low_pct``/``conf_high_pct``).
        ``n_boot=0``: no intervals. A share is ``"not estimable"`` when the price of
        capability's own change is (its interval spans more than two orders of magnitude
        or it rests on fewer than :data:`MIN_MODELS_PER_YEAR` models in an end year) or
        when the interval of that change includes no change (the shares' denominator).

    Returns
    -------
    DecompositionResult
        Shares of ``Δln P`` (adding to 100%) for ``gpu_rental_price`` (constant-chip
        rental index), ``hardware_price_performance`` (chip mix: $ per FLOP/s-hour beyond
        the constant-chip rental), ``model_compute_per_token`` (parameters at constant
        ECI, FLOP/token ≈ 2 × parameters), ``energy_hosting`` (PPI 518210, unless
        excluded) and ``tfp_residual``. When either end year has no model with a
        parameter count, ``model_compute_per_token`` cannot be measured: it, the TFP
        residual and their shares are NaN and the notes say why (never a silent 0).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> prices = pd.DataFrame({"year": [2023, 2023, 2024, 2024],
    ...     "ln_price": np.log([8.0, 4.0, 1.0, 0.5]), "eci": [1.0, 0.0, 1.0, 0.0],
    ...     "ln_params": np.log([4.0, 2.0, 2.0, 1.0])})
    >>> rentals = pd.DataFrame({"year": [2023, 2024], "chip": ["a", "a"],
    ...     "ln_usd_per_chip_hour": np.log([2.0, 2.0]), "ln_flops": [30.0, 30.0]})
    >>> ppi = pd.DataFrame({"year": [2023, 2024], "ln_ppi": [4.6, 4.6]})
    >>> r = cost_decomposition({"prices": prices, "rentals": rentals, "ppi": ppi},
    ...                        start=2023, end=2024)
    >>> r.table.set_index("term")["share_pct"].round(1).to_dict()["tfp_residual"]
    66.7
    >>> r.sensitivity.set_index("hosting")["tfp_residual_share_pct"].round(1).tolist()
    [66.7, 66.7]
    """
    for k in ("prices", "rentals", "ppi"):
        if k not in data:
            raise InputError(f"data lacks {k!r}; expected keys 'prices', 'rentals', 'ppi' "
                             f"(see decomposition_inputs()).")
    if not end > start:
        raise InputError(f"end={end} must be after start={start}.")
    pr = data["prices"].dropna(subset=["ln_price", "eci"])
    pr = pr[(pr["year"] >= start) & (pr["year"] <= end)]
    rn = data["rentals"].dropna(subset=["ln_usd_per_chip_hour", "ln_flops"])
    rn = rn[(rn["year"] >= start) & (rn["year"] <= end)]
    pp = data["ppi"][(data["ppi"]["year"] >= start) & (data["ppi"]["year"] <= end)]
    for name, df in (("prices", pr), ("rentals", rn), ("ppi", pp)):
        yrs = set(df["year"])
        if start not in yrs or end not in yrs:
            raise InputError(f"{name} has no observation in {start} or {end} (years present: "
                             f"{sorted(yrs)}); choose start/end within its coverage.")
    parts = _accounting(pr, rn, pp, start, end, hosting)
    if parts is None:
        raise InputError("the price index did not change between start and end; shares are "
                         "undefined.")
    dP, comp, residual, d_hosting, (p_idx, r_idx, c_idx, f_idx, h_idx), why_no_params, pa = parts
    sensitivity = pd.DataFrame({
        "hosting": ["include", "exclude"],
        "energy_hosting_log_change": [d_hosting, math.nan],
        "tfp_residual_log_change": [residual["include"], residual["exclude"]],
        "tfp_residual_share_pct": [100 * residual["include"] / dP,
                                   100 * residual["exclude"] / dP]})
    paper = {"tfp_residual": PAPER_TFP_SHARE}
    rows = [{"term": "price_per_capability", "log_change": dP, "share_pct": 100.0,
             "paper_share_pct": 100.0}]
    rows += [{"term": k, "log_change": v, "share_pct": 100 * v / dP,
              "paper_share_pct": paper.get(k, math.nan)} for k, v in comp.items()]
    gpu = comp["gpu_rental_price"] + comp["hardware_price_performance"]
    rows.append({"term": "gpu_hardware (rental + price-performance)", "log_change": gpu,
                 "share_pct": 100 * gpu / dP, "paper_share_pct": PAPER_GPU_SHARE})
    table = pd.DataFrame(rows)
    table = _with_intervals(table, pr, rn, pp, start, end, hosting, n_boot, seed, level)
    series = pd.DataFrame({"price_per_capability": p_idx, "gpu_rental_price": r_idx,
                           "gpu_usd_per_flop": c_idx, "model_compute_per_token": f_idx,
                           "energy_hosting": h_idx})
    sources = pd.DataFrame([
        {"term": "price_per_capability", "series": "blended launch price (USD/1M tokens), "
         "time-dummy hedonic on ECI", "source": "canonical panel (first observed price) + "
         "Epoch Capabilities Index", "n": len(pr)},
        {"term": "gpu_rental_price", "series": "on-demand $/chip-hour, chip fixed effects",
         "source": "Epoch AI hardware prices (hardware_prices)", "n": len(rn)},
        {"term": "hardware_price_performance", "series": "$/chip-hour ÷ FLOP/s (Tensor FP16/"
         "BF16, else FP16/FP32), minus the constant-chip rental change",
         "source": "Epoch AI hardware prices + Epoch ML hardware (ml_hardware)", "n": len(rn)},
        {"term": "model_compute_per_token", "series": "ln parameters at constant ECI "
         "(FLOP/token ≈ 2 × parameters; total, not active, where Epoch lists total)",
         "source": "Epoch AI models (Parameters) via the panel's epoch_model link", "n": len(pa)},
        {"term": "energy_hosting", "series": "PPI 518210 data processing & hosting, annual mean"
         + (" (excluded: hosting='exclude')" if hosting == "exclude" else ""),
         "source": "BLS via FRED PCU518210518210 (ppi_hosting)", "n": len(pp)},
    ])
    sens = sensitivity.set_index("hosting")["tfp_residual_share_pct"]
    notes = [
        "Shares = factor's log change / log change of the price of capability; they add to "
        "100% with the TFP residual. A residual above 100% means the measured inputs moved "
        "against the price fall.",
        "Shares depend on the end points; the paper's window and factor definitions are not "
        "published (its figures: TFP 103.7%, GPU hardware −0.9%).",
        "PPI 518210 (data processing, hosting and related services) prices hosting services, "
        "which embed server/GPU rental and hardware costs, so it partly overlaps the GPU "
        "rental and $/FLOP terms (possible double counting). "
        + ("It is subtracted as energy_hosting" if hosting == "include"
           else "It is excluded here (hosting='exclude') and its change stays in the residual")
        + f"; TFP residual share {sens['include']:.1f}% with it, {sens['exclude']:.1f}% "
        f"without it (log change {d_hosting:+.3f}).",
    ]
    if why_no_params:
        notes.append(why_no_params)
    vint = data_vintage(*(data[k] for k in ("prices", "rentals", "ppi")))
    return DecompositionResult(references=refs("du2026.tfp_share", "du2026.gpu_share"),
        table=table, series=series, sources=sources, start=start,
                               end=end, sensitivity=sensitivity,
                               config={"start": start, "end": end, "hosting": hosting, "n_boot": n_boot,
                                       "seed": seed, "level": level},
                               vintage=vint, notes=tuple(notes))


