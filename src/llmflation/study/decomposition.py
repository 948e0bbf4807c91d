"""Supply-side accounting of LLM prices: growth accounting, elasticity, US–China costs.

* :func:`cost_decomposition` — growth accounting of the fall in the price of a unit of
  capability. Price per token = markup × (GPU $/hour) × (FLOP per token) / (FLOP/s per
  GPU) × hosting costs, so in logs

  ``Δln P = Δln(rental $/chip-h at constant chip) + Δln($/FLOP from the chip mix)
  + Δln(FLOP per token) + Δln(hosting PPI) + residual``.

  The residual (software, serving efficiency, utilisation, markups) is the
  total-factor-productivity term. Shares are each term over ``Δln P`` and add to 100%.
  The hosting PPI partly overlaps the GPU terms, so it can be left out
  (``hosting="exclude"``); the result reports the residual both ways.
* :func:`elasticity` — log launch price on log training cost with controls and robust
  (HC1) or clustered standard errors.
* :func:`us_china` — the US/China gap in training cost (ratio of geometric means with a
  bootstrap CI), its split into compute and $/FLOP, and tests of equal $/FLOP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from llmflation.analysis._results import HypothesisTest, ResultMixin
from llmflation.errors import InputError, check_choice

#: Du (2026), abstract: TFP residual share and GPU hardware share of the cost reduction.
PAPER_TFP_SHARE = 103.7
PAPER_GPU_SHARE = -0.9
#: Du (2026): elasticity of inference price to training cost.
PAPER_ELASTICITY = 0.432
#: Du (2026): US/China training-cost gap and the p-value of equal $/FLOP.
PAPER_US_CHINA_GAP = 63.0
PAPER_USD_PER_FLOP_P = 0.228

US = "United States of America"
CHINA = "China"


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _time_dummy_index(y: np.ndarray, period: np.ndarray, controls: np.ndarray | None = None
                      ) -> pd.Series:
    """Time-dummy regression ``y = Σ_t α_t 1[t] + controls·β``; returns α_t − α_first.

    ``controls`` may hold fixed-effect dummies or quality variables. Periods are sorted.
    """
    periods = np.array(sorted(pd.unique(period)))
    D = (period[:, None] == periods[None, :]).astype(float)
    Z = D if controls is None or controls.size == 0 else np.c_[D, controls]
    coef, *_ = np.linalg.lstsq(Z, y, rcond=None)
    a = coef[:len(periods)]
    return pd.Series(a - a[0], index=periods)


def _dummies(values: pd.Series) -> np.ndarray:
    d = pd.get_dummies(values.astype(str), drop_first=True, dtype=float)
    return d.to_numpy()


def _robust_ols(y: pd.Series, X: pd.DataFrame, *, cov_type: str,
                groups: np.ndarray | None = None, level: float = 0.95) -> tuple[Any, pd.DataFrame]:
    """OLS with HC1/HC3 or cluster-robust standard errors and a t reference distribution.

    HC1 is White's sandwich scaled by n/(n − k) (Stata ``regress, vce(robust)``); tests
    and intervals use t(n − k), as Stata and R's ``coeftest(vcovHC(type = "HC1"))`` do.
    ``cov_type="cluster"`` uses Stata's small-sample factor G/(G−1)·(n−1)/(n−k) and
    t(G − 1). Returns the statsmodels fit and the tidy coefficient table
    (``term, estimate, std_error, statistic, p_value, conf_low, conf_high, n``).
    """
    import statsmodels.api as sm

    model = sm.OLS(y, X)
    if cov_type == "cluster":
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    else:
        fit = model.fit(cov_type=cov_type, use_t=True)
    ci = fit.conf_int(alpha=1 - level)
    coefs = pd.DataFrame({"term": list(X.columns), "estimate": np.asarray(fit.params),
                          "std_error": np.asarray(fit.bse), "statistic": np.asarray(fit.tvalues),
                          "p_value": np.asarray(fit.pvalues),
                          "conf_low": np.asarray(ci)[:, 0], "conf_high": np.asarray(ci)[:, 1],
                          "n": int(fit.nobs)})
    return fit, coefs


# --------------------------------------------------------------------------------------
# cost decomposition
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class DecompositionResult(ResultMixin):
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
    config: dict[str, Any] = field(default_factory=dict)
    vintage: str = ""
    notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Growth accounting of the price of LLM capability, {self.start}→{self.end}"

    @property
    def tfp_share(self) -> float:
        return float(self.table.set_index("term").loc["tfp_residual", "share_pct"])

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __repr__(self) -> str:
        return f"DecompositionResult({self.start}→{self.end}, TFP share={self.tfp_share:.1f}%)"


def decomposition_inputs(panel: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Build the unit-level data behind :func:`cost_decomposition` from the bundle.

    Returns a dict of DataFrames: ``prices`` (model, year, ln_price, eci, ln_params),
    ``rentals`` (year, chip, ln_usd_per_chip_hour, ln_flops), ``ppi`` (year, ln_ppi).

    Examples
    --------
    >>> d = decomposition_inputs()  # doctest: +SKIP
    """
    from llmflation.sources.bundled import load_table

    if panel is None:
        from llmflation.panel.build import load_panel

        panel = load_panel()
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
    return {"prices": prices, "rentals": rentals, "ppi": ppi}


def cost_decomposition(data: dict[str, pd.DataFrame] | None = None, *, start: int = 2023,
                       end: int = 2025,
                       hosting: Literal["include", "exclude"] = "include") -> DecompositionResult:
    """Growth accounting of the fall in price per unit of capability (TFP residual).

    Parameters
    ----------
    data : dict, optional
        ``{"prices", "rentals", "ppi"}`` as returned by :func:`decomposition_inputs`
        (default: built from the bundled snapshot and canonical panel).
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
    check_choice("hosting", hosting, ("include", "exclude"))
    own = data is None
    if data is None:
        data = decomposition_inputs()
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
    # Price of capability: time-dummy hedonic index, ln price on year dummies + ECI.
    p_idx = _time_dummy_index(pr["ln_price"].to_numpy(float), pr["year"].to_numpy(),
                              pr[["eci"]].to_numpy(float))
    # Compute per token at constant capability: ln params on year dummies + ECI.
    pa = pr.dropna(subset=["ln_params"])
    why_no_params = ""
    if start in set(pa["year"]) and end in set(pa["year"]):
        f_idx = _time_dummy_index(pa["ln_params"].to_numpy(float), pa["year"].to_numpy(),
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
    r_idx = _time_dummy_index(rn["ln_usd_per_chip_hour"].to_numpy(float), rn["year"].to_numpy(),
                              _dummies(rn["chip"]))
    c_idx = _time_dummy_index((rn["ln_usd_per_chip_hour"] - rn["ln_flops"]).to_numpy(float),
                              rn["year"].to_numpy())
    h_idx = pp.groupby("year")["ln_ppi"].mean()
    h_idx = h_idx - h_idx.iloc[0]
    dP = float(p_idx[end] - p_idx[start])
    if abs(dP) < 1e-12:
        raise InputError("the price index did not change between start and end; shares are "
                         "undefined.")
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
    vint = ""
    if own:
        from llmflation.sources.bundled import vintage

        vint = vintage(["epoch_models", "hardware_prices", "ml_hardware", "ppi_hosting"])
    return DecompositionResult(table=table, series=series, sources=sources, start=start,
                               end=end, sensitivity=sensitivity,
                               config={"start": start, "end": end, "hosting": hosting},
                               vintage=vint, notes=tuple(notes))


# --------------------------------------------------------------------------------------
# elasticity
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class RegressionResult(ResultMixin):
    """A log-log regression with robust or clustered standard errors.

    Attributes
    ----------
    coefficients : DataFrame
        Tidy: ``term, estimate, std_error, statistic, p_value, conf_low, conf_high, n``.
    elasticity : float
        The coefficient of the log regressor of interest.
    paper_value : float
    n : int
    sample : DataFrame
        The observations used.
    """

    coefficients: pd.DataFrame
    elasticity: float
    paper_value: float
    n: int
    r_squared: float
    cov_type: str
    sample: pd.DataFrame
    config: dict[str, Any] = field(default_factory=dict)
    vintage: str = ""
    notes: tuple[str, ...] = ()
    title: str = "Elasticity of launch price to training cost (log-log OLS)"

    def to_frame(self) -> pd.DataFrame:
        out = self.coefficients.copy()
        out["paper_value"] = np.where(out["term"] == "log_training_cost", self.paper_value,
                                      np.nan)
        return out

    def __repr__(self) -> str:
        return f"RegressionResult(elasticity={self.elasticity:.3f}, n={self.n}, {self.cov_type})"


def elasticity_data(panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Model-level sample: launch price and Epoch training cost of linked models.

    One row per Epoch model linked from the canonical panel with a training compute cost:
    ``model, developer, price_usd_per_mtok`` (earliest observed blended price, first party
    preferred), ``training_cost_usd`` (2023 USD), ``release_year``, ``is_reasoning``,
    ``open_weights``.

    Examples
    --------
    >>> d = elasticity_data()  # doctest: +SKIP
    """
    from llmflation.sources.bundled import load_table

    if panel is None:
        from llmflation.panel.build import load_panel

        panel = load_panel()
    p = panel[panel["epoch_model"].notna() & (panel["blended_usd_per_mtok"] > 0)].copy()
    fp = p["first_party"].astype("boolean").fillna(False).astype(bool)
    p = p[fp | ~fp.groupby(p["epoch_model"]).transform("any")]
    p = p.sort_values(["valid_from"])
    g = p.groupby("epoch_model").agg(
        developer=("developer", "first"), price_usd_per_mtok=("blended_usd_per_mtok", "first"),
        release=("release_date", "min"), is_reasoning=("is_reasoning", "max"),
        open_weights=("open_weights", "first"))
    em = load_table("epoch_models")
    em = em[["Model", "Training compute cost (2023 USD)", "Publication date",
             "Open model weights?"]].drop_duplicates("Model").set_index("Model")
    g = g.join(em, how="inner")
    g = g[g["Training compute cost (2023 USD)"] > 0]
    rel = pd.to_datetime(g["release"]).fillna(pd.to_datetime(g["Publication date"]))
    ow = g["open_weights"].astype("boolean")
    ow = ow.fillna(g["Open model weights?"].astype(str).str.lower().eq("yes"))
    return pd.DataFrame({
        "model": g.index.astype(str), "developer": g["developer"].astype(str).to_numpy(),
        "price_usd_per_mtok": g["price_usd_per_mtok"].to_numpy(float),
        "training_cost_usd": g["Training compute cost (2023 USD)"].to_numpy(float),
        "release_year": rel.dt.year.to_numpy(),
        "is_reasoning": g["is_reasoning"].astype(bool).to_numpy(),
        "open_weights": ow.astype(bool).to_numpy()}).reset_index(drop=True)


def elasticity(data: pd.DataFrame | None = None, *, price: str = "price_usd_per_mtok",
               cost: str = "training_cost_usd",
               controls: tuple[str, ...] = ("release_year", "is_reasoning", "open_weights"),
               year_effects: Literal["fixed", "linear"] = "fixed",
               cov_type: Literal["HC1", "HC3", "cluster"] = "HC1",
               cluster: str = "developer", level: float = 0.95) -> RegressionResult:
    """Elasticity of inference price to training cost: ``ln price = a + b ln cost + controls``.

    Parameters
    ----------
    data : DataFrame, optional
        Model-level sample (default :func:`elasticity_data` from the bundle).
    price, cost : str
        Column names of the (positive) price and training cost.
    controls : tuple of str
        Control columns; ``release_year`` enters as fixed effects (``year_effects="fixed"``)
        or a linear trend; booleans as 0/1.
    cov_type : {"HC1", "HC3", "cluster"}
        Heteroskedasticity-robust or clustered (by ``cluster``) standard errors. Tests
        and intervals use t(n − k), or t(G − 1) with G clusters (Stata ``regress,
        vce(robust)`` / ``vce(cluster)``; checked against Stata's printed results).
        Regressors without variation in the sample are dropped and named in the notes;
        a constant training cost raises :class:`~llmflation.errors.InputError`.

    Returns
    -------
    RegressionResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> c = np.exp(rng.uniform(10, 20, 60))
    >>> d = pd.DataFrame({"price_usd_per_mtok": c ** 0.5 * np.exp(rng.normal(0, .1, 60)),
    ...                   "training_cost_usd": c})
    >>> round(elasticity(d, controls=()).elasticity, 1)
    0.5
    """
    check_choice("cov_type", cov_type, ("HC1", "HC3", "cluster"))
    check_choice("year_effects", year_effects, ("fixed", "linear"))
    own = data is None
    if data is None:
        data = elasticity_data()
    cols = [price, cost, *controls] + ([cluster] if cov_type == "cluster" else [])
    miss = [c for c in cols if c not in data.columns]
    if miss:
        raise InputError(f"columns {miss} not in data; available: {list(data.columns)}.")
    d = data[list(dict.fromkeys(cols))].dropna()
    d = d[(d[price] > 0) & (d[cost] > 0)]
    X = pd.DataFrame({"const": 1.0, "log_training_cost": np.log(d[cost].astype(float))},
                     index=d.index)
    for c in controls:
        if c == "release_year" and year_effects == "fixed":
            fe = pd.get_dummies(d[c].astype(int).astype(str), prefix="year", drop_first=True,
                                dtype=float)
            X = X.join(fe)
        else:
            X[c] = d[c].astype(float)
    if len(d) == 0:
        raise InputError(f"no row has a positive {price!r}, a positive {cost!r} and all of "
                         f"{list(controls)}; nothing to estimate.")
    constant = [c for c in X.columns if c != "const" and not X[c].std(ddof=0) > 0]
    if "log_training_cost" in constant:
        vals = sorted(set(d[cost].astype(float)))[:3]
        raise InputError(f"{cost!r} does not vary in the {len(d)} usable rows (values seen: "
                         f"{vals}); the elasticity is not identified. Use a sample in which "
                         f"training cost varies.")
    X = X.drop(columns=constant)
    if len(d) <= X.shape[1]:
        raise InputError(f"{len(d)} observations for {X.shape[1]} parameters; need more data "
                         f"or fewer controls.")
    y = np.log(d[price].astype(float))
    groups = None
    if cov_type == "cluster":
        groups = pd.factorize(d[cluster])[0]
        if groups.max() < 1:
            raise InputError(f"cov_type='cluster' needs at least 2 clusters in {cluster!r}; "
                             f"found {groups.max() + 1}. Use cov_type='HC1' instead.")
    fit, coefs = _robust_ols(y, X, cov_type=cov_type, groups=groups, level=level)
    df_inf = (int(groups.max()) if groups is not None else int(fit.df_resid))
    notes = [f"n = {int(fit.nobs)} models with a price and an Epoch training-cost estimate.",
             f"Standard errors: {cov_type}" + (f" by {cluster}" if cov_type == "cluster" else "")
             + f"; tests and intervals use t({df_inf})"
             + (" (clusters − 1)." if cov_type == "cluster" else " (n − k)."),
             f"Paper (Du 2026): elasticity {PAPER_ELASTICITY}; its sample is not "
             "published."]
    if constant:
        notes.append(f"Dropped regressor(s) without variation in this sample: {constant}.")
    vint = ""
    if own:
        from llmflation.sources.bundled import vintage

        vint = vintage(["epoch_models"])
    return RegressionResult(
        coefficients=coefs, elasticity=float(fit.params["log_training_cost"]),
        paper_value=PAPER_ELASTICITY, n=int(fit.nobs), r_squared=float(fit.rsquared),
        cov_type=cov_type, sample=data.loc[d.index].reset_index(drop=True),
        config={"price": price, "cost": cost, "controls": list(controls),
                "year_effects": year_effects, "cov_type": cov_type, "level": level},
        vintage=vint, notes=tuple(notes))


# --------------------------------------------------------------------------------------
# US–China
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class USChinaResult(ResultMixin):
    """US vs China training cost and cost per FLOP.

    Attributes
    ----------
    cost_gap : float
        Geometric-mean training cost of US models over Chinese models.
    cost_gap_ci : (float, float)
        Percentile bootstrap CI (resampling within each country).
    compute_gap, usd_per_flop_gap : float
        The split ``cost_gap = compute_gap × usd_per_flop_gap`` (models with compute).
    welch, mann_whitney, regression : HypothesisTest
        Tests of equal ln($/FLOP): Welch t, Mann–Whitney rank test, and the China
        coefficient of ``ln $/FLOP ~ china + year effects`` with HC1 SEs and a
        t(n − k) reference (models without a publication year left out).
    n_us, n_china : int
    sample : DataFrame
    """

    cost_gap: float
    cost_gap_ci: tuple[float, float]
    compute_gap: float
    usd_per_flop_gap: float
    welch: HypothesisTest
    mann_whitney: HypothesisTest
    regression: HypothesisTest
    n_us: int
    n_china: int
    sample: pd.DataFrame
    config: dict[str, Any] = field(default_factory=dict)
    vintage: str = ""
    notes: tuple[str, ...] = ()
    title: str = "US vs China: training cost and cost per FLOP (Epoch AI models)"

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {"term": "training_cost_gap_us_over_china", "estimate": self.cost_gap,
             "conf_low": self.cost_gap_ci[0], "conf_high": self.cost_gap_ci[1],
             "statistic": np.nan, "p_value": np.nan, "n": self.n_us + self.n_china,
             "paper_value": PAPER_US_CHINA_GAP},
            {"term": "compute_gap_us_over_china", "estimate": self.compute_gap,
             "conf_low": np.nan, "conf_high": np.nan, "statistic": np.nan, "p_value": np.nan,
             "n": int(self.sample["flop"].notna().sum()), "paper_value": np.nan},
            {"term": "usd_per_flop_gap_us_over_china", "estimate": self.usd_per_flop_gap,
             "conf_low": np.nan, "conf_high": np.nan, "statistic": np.nan, "p_value": np.nan,
             "n": int(self.sample["flop"].notna().sum()), "paper_value": np.nan},
        ]
        for t, pv in ((self.welch, PAPER_USD_PER_FLOP_P), (self.mann_whitney, np.nan),
                      (self.regression, np.nan)):
            rows.append({"term": t.name, "estimate": t.extra.get("estimate", np.nan),
                         "conf_low": np.nan, "conf_high": np.nan, "statistic": t.statistic,
                         "p_value": t.p_value, "n": t.extra.get("n", np.nan), "paper_value": pv})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return (f"USChinaResult(gap={self.cost_gap:.1f}x, n_us={self.n_us}, "
                f"n_china={self.n_china}, welch p={self.welch.p_value:.3f})")


def _boot_gap_task(args: tuple) -> np.ndarray:
    lu, lc, seed, b = args
    rng = np.random.default_rng(seed)
    iu = rng.integers(0, len(lu), (b, len(lu)))
    ic = rng.integers(0, len(lc), (b, len(lc)))
    return lu[iu].mean(axis=1) - lc[ic].mean(axis=1)


def us_china_data(models: pd.DataFrame | None = None, *, since_year: int | None = None,
                  domain: str | None = None, frontier_only: bool = False) -> pd.DataFrame:
    """Epoch models with a training cost, classified US / China by every listed country.

    A model counts as US (China) when every country of its organisations is the United
    States (China); multinational collaborations are left out. Optional filters:
    publication year ``>= since_year``, ``domain`` contained in Epoch's ``Domain``
    (e.g. ``"Language"``), and Epoch's ``Frontier model`` flag.

    Examples
    --------
    >>> d = us_china_data()  # doctest: +SKIP
    """
    if models is None:
        from llmflation.sources.bundled import load_table

        models = load_table("epoch_models")
    need = ["Model", "Country (of organization)", "Training compute cost (2023 USD)",
            "Training compute (FLOP)", "Publication date"]
    miss = [c for c in need if c not in models.columns]
    if miss:
        raise InputError(f"models lacks {miss}; expected Epoch's all_ai_models columns.")
    m = models.copy()
    m = m[m["Training compute cost (2023 USD)"] > 0]
    if since_year is not None:
        m = m[pd.to_datetime(m["Publication date"], errors="coerce").dt.year >= since_year]
    if domain is not None:
        m = m[m.get("Domain", pd.Series("", index=m.index)).fillna("").astype(str)
              .str.contains(domain, case=False, regex=False)]
    if frontier_only:
        fm = m.get("Frontier model", pd.Series(False, index=m.index))
        m = m[fm.astype(str).str.lower().isin(["true", "yes", "1", "checked"])]
    m = m[need]
    sets = m["Country (of organization)"].fillna("").astype(str).map(
        lambda s: frozenset(x.strip() for x in s.split(",") if x.strip()))
    country = np.where(sets == frozenset({US}), "US",
                       np.where(sets == frozenset({CHINA}), "China", ""))
    m = m.assign(country=country)
    m = m[m["country"] != ""]
    flop = m["Training compute (FLOP)"].astype(float)
    return pd.DataFrame({
        "model": m["Model"].astype(str).to_numpy(), "country": m["country"].to_numpy(),
        "cost_usd": m["Training compute cost (2023 USD)"].astype(float).to_numpy(),
        "flop": flop.where(flop > 0).to_numpy(),
        "year": pd.to_datetime(m["Publication date"], errors="coerce").dt.year.to_numpy()})


def us_china(data: pd.DataFrame | None = None, *, n_boot: int = 4000, seed: int = 0,
             level: float = 0.95, n_jobs: int = 1, backend: str = "loky") -> USChinaResult:
    """US/China training-cost gap (bootstrap CI) and tests of equal $/FLOP.

    Parameters
    ----------
    data : DataFrame, optional
        ``country`` ("US"/"China"), ``cost_usd``, ``flop``, ``year`` (default
        :func:`us_china_data` from the bundled Epoch models).
    n_boot, seed, level :
        Percentile bootstrap of the ratio of geometric means, resampling within country.
    n_jobs, backend :
        Bootstrap chunks through :mod:`llmflation.analysis._parallel`; a fixed ``seed``
        gives the same CI on every backend.

    Returns
    -------
    USChinaResult

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"country": ["US"] * 3 + ["China"] * 3,
    ...                   "cost_usd": [100.0, 200.0, 400.0, 1.0, 2.0, 4.0],
    ...                   "flop": [1e2, 2e2, 4e2, 1.0, 2.0, 4.0], "year": [2024] * 6})
    >>> round(us_china(d, n_boot=200).cost_gap, 6)
    100.0
    """
    from llmflation.analysis._parallel import BACKENDS, parallel_map, task_seeds

    check_choice("backend", backend, BACKENDS)
    if n_boot < 100:
        raise InputError(f"n_boot={n_boot} is too small; use at least 100 resamples.")
    own = data is None
    if data is None:
        data = us_china_data()
    miss = [c for c in ("country", "cost_usd", "flop", "year") if c not in data.columns]
    if miss:
        raise InputError(f"data lacks {miss}; expected country, cost_usd, flop, year.")
    d = data[data["country"].isin(["US", "China"]) & (data["cost_usd"] > 0)].copy()
    lu = np.log(d.loc[d["country"] == "US", "cost_usd"].to_numpy(float))
    lc = np.log(d.loc[d["country"] == "China", "cost_usd"].to_numpy(float))
    if len(lu) < 2 or len(lc) < 2:
        raise InputError(f"need at least 2 US and 2 Chinese models with a cost; got "
                         f"{len(lu)} and {len(lc)}.")
    gap = float(np.exp(lu.mean() - lc.mean()))
    chunks = max(1, min(16, n_boot // 250))
    sizes = [len(c) for c in np.array_split(np.arange(n_boot), chunks)]
    seeds = task_seeds(seed, chunks)
    parts = parallel_map(_boot_gap_task, [(lu, lc, s, b) for s, b in zip(seeds, sizes, strict=True)],
                         n_jobs=n_jobs, backend=backend)
    boot = np.concatenate(parts)
    a = (1 - level) / 2
    ci = (float(np.exp(np.quantile(boot, a))), float(np.exp(np.quantile(boot, 1 - a))))

    f = d.dropna(subset=["flop"])
    f = f.assign(ln_upf=np.log(f["cost_usd"] / f["flop"]), ln_flop=np.log(f["flop"]))
    fu, fc = f[f["country"] == "US"], f[f["country"] == "China"]
    compute_gap = float(np.exp(fu["ln_flop"].mean() - fc["ln_flop"].mean())) if len(fc) else np.nan
    upf_gap = float(np.exp(fu["ln_upf"].mean() - fc["ln_upf"].mean())) if len(fc) else np.nan
    null = "equal mean ln($/FLOP) in US and Chinese models"
    if len(fu) >= 2 and len(fc) >= 2:
        w = stats.ttest_ind(fu["ln_upf"], fc["ln_upf"], equal_var=False)
        welch = HypothesisTest(statistic=float(w.statistic), p_value=float(w.pvalue),
                               df=float(w.df), null=null, distribution=f"t({float(w.df):.1f})",
                               name="welch_t_ln_usd_per_flop",
                               extra={"estimate": float(fu["ln_upf"].mean() - fc["ln_upf"].mean()),
                                      "n": len(fu) + len(fc)})
        mw = stats.mannwhitneyu(fu["ln_upf"], fc["ln_upf"], alternative="two-sided")
        mann = HypothesisTest(statistic=float(mw.statistic), p_value=float(mw.pvalue),
                              null=null.replace("mean", "distribution of"),
                              distribution="Mann-Whitney U", name="mann_whitney_ln_usd_per_flop",
                              extra={"n": len(fu) + len(fc)})
        reg = _china_regression(f, null)
    else:
        why = f"too few models with compute: {len(fu)} US, {len(fc)} China (need 2 each)"
        welch = HypothesisTest.not_computed("welch_t_ln_usd_per_flop", null, why)
        mann = HypothesisTest.not_computed("mann_whitney_ln_usd_per_flop", null, why)
        reg = HypothesisTest.not_computed("regression_china_ln_usd_per_flop", null, why)
    notes = [f"US: {len(lu)} models, China: {len(lc)} models with an Epoch training-cost "
             f"estimate (2023 USD); multinational collaborations excluded.",
             "Gap = ratio of geometric means; CI: percentile bootstrap within country "
             f"({n_boot} resamples, seed {seed}).",
             f"Paper (Du 2026): 63-fold gap; $/FLOP difference p = {PAPER_USD_PER_FLOP_P}."]
    n_no_year = int(reg.extra.get("n_dropped_no_year", 0))
    if n_no_year:
        notes.append(f"{n_no_year} model(s) without a publication year left out of the "
                     f"year-effects regression (not imputed).")
    vint = ""
    if own:
        from llmflation.sources.bundled import vintage

        vint = vintage(["epoch_models"])
    return USChinaResult(cost_gap=gap, cost_gap_ci=ci, compute_gap=compute_gap,
                         usd_per_flop_gap=upf_gap, welch=welch, mann_whitney=mann,
                         regression=reg, n_us=len(lu), n_china=len(lc),
                         sample=d.reset_index(drop=True),
                         config={"n_boot": n_boot, "seed": seed, "level": level},
                         vintage=vint, notes=tuple(notes))


def _china_regression(f: pd.DataFrame, null: str) -> HypothesisTest:
    """China coefficient of ln $/FLOP ~ china + publication-year effects, HC1 SE, t(n − k).

    Models without a publication year are left out (counted in ``extra``), not imputed.
    """
    name = "regression_china_ln_usd_per_flop"
    null = null + " (given publication-year effects)"
    no_year = f["year"].isna()
    n_drop = int(no_year.sum())
    g = f[~no_year]
    china = (g["country"] == "China").astype(float)
    if china.nunique() < 2:
        return HypothesisTest.not_computed(
            name, null, f"after leaving out {n_drop} model(s) without a publication year, "
            f"only one country remains", extra={"n_dropped_no_year": n_drop})
    X = pd.DataFrame({"const": 1.0, "china": china}, index=g.index)
    yr = g["year"].astype(int).astype(str)
    X = X.join(pd.get_dummies(yr, prefix="year", drop_first=True, dtype=float))
    if len(g) <= X.shape[1] + 1:
        return HypothesisTest.not_computed(name, null,
                                           f"{len(g)} observations for {X.shape[1]} parameters",
                                           extra={"n_dropped_no_year": n_drop})
    fit, _ = _robust_ols(g["ln_upf"], X, cov_type="HC1")
    dfr = float(fit.df_resid)
    return HypothesisTest(statistic=float(fit.tvalues["china"]),
                          p_value=float(fit.pvalues["china"]), df=dfr, null=null,
                          distribution=f"t({dfr:.0f}), HC1 robust SE",
                          name=name,
                          extra={"estimate": float(fit.params["china"]), "n": int(fit.nobs),
                                 "n_dropped_no_year": n_drop})
