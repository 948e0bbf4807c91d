"""Elasticity of launch price to training cost: log-log OLS with robust (HC1) or clustered SEs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.ols import robust_ols
from llmflation.results import Result, data_vintage
from llmflation.signature import Frame, Level, validated
from llmflation.study.paper import ref, refs

#: Du (2026): elasticity of inference price to training cost.
PAPER_ELASTICITY = float(ref("du2026.elasticity").value)


# --------------------------------------------------------------------------------------
# elasticity
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RegressionResult(Result):
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
    vintage: str = ""
    title: str = "Elasticity of launch price to training cost (log-log OLS)"

    def wide(self) -> pd.DataFrame:
        out = self.coefficients.copy()
        out["paper_value"] = np.where(out["term"] == "log_training_cost", self.paper_value,
                                      np.nan)
        return out

    def __repr__(self) -> str:
        return f"RegressionResult(elasticity={self.elasticity:.3f}, n={self.n}, {self.cov_type})"


def elasticity_data(panel: pd.DataFrame, epoch_models: pd.DataFrame) -> pd.DataFrame:
    """Model-level sample: launch price and Epoch training cost of linked models.

    One row per Epoch model linked from the canonical panel with a training compute cost:
    ``model, developer, price_usd_per_mtok`` (earliest observed blended price, first party
    preferred), ``training_cost_usd`` (2023 USD), ``release_year``, ``is_reasoning``,
    ``open_weights``.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> d = StudyInputs().elasticity()  # doctest: +SKIP
    """
    from llmflation.study.trends import canonical_rows

    panel = canonical_rows(panel)  # standard tariff of real models (no off-peak or promotional rows)
    p = panel[panel["epoch_model"].notna() & (panel["blended_usd_per_mtok"] > 0)].copy()
    fp = p["first_party"].astype("boolean").fillna(False).astype(bool)
    p = p[fp | ~fp.groupby(p["epoch_model"]).transform("any")]
    p = p.sort_values(["valid_from"])
    g = p.groupby("epoch_model").agg(
        developer=("developer", "first"), price_usd_per_mtok=("blended_usd_per_mtok", "first"),
        release=("release_date", "min"), is_reasoning=("is_reasoning", "max"),
        open_weights=("open_weights", "first"))
    em = epoch_models
    em = em[["Model", "Training compute cost (2023 USD)", "Publication date",
             "Open model weights?"]].drop_duplicates("Model").set_index("Model")
    g = g.join(em, how="inner")
    g = g[g["Training compute cost (2023 USD)"] > 0]
    rel = pd.to_datetime(g["release"]).fillna(pd.to_datetime(g["Publication date"]))
    ow = g["open_weights"].astype("boolean")
    ow = ow.fillna(g["Open model weights?"].astype(str).str.lower().eq("yes"))
    out = pd.DataFrame({
        "model": g.index.astype(str), "developer": g["developer"].astype(str).to_numpy(),
        "price_usd_per_mtok": g["price_usd_per_mtok"].to_numpy(float),
        "training_cost_usd": g["Training compute cost (2023 USD)"].to_numpy(float),
        "release_year": rel.dt.year.to_numpy(),
        "is_reasoning": g["is_reasoning"].astype(bool).to_numpy(),
        "open_weights": ow.astype(bool).to_numpy()}).reset_index(drop=True)
    out.attrs["vintage"] = data_vintage(panel, epoch_models)
    return out


@validated
def elasticity(data: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame of models (see study.inputs.StudyInputs)")],
               *, price: str = "price_usd_per_mtok",
               cost: str = "training_cost_usd",
               controls: tuple[str, ...] = ("release_year", "is_reasoning", "open_weights"),
               year_effects: Literal["fixed", "linear"] = "fixed",
               cov_type: Literal["HC1", "HC3", "cluster"] = "HC1",
               cluster: str = "developer", level: Level = 0.95) -> RegressionResult:
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
    fit, coefs = robust_ols(y, X, cov_type=cov_type, groups=groups, level=level)
    df_inf = (int(groups.max()) if groups is not None else int(fit.df_resid))
    notes = [f"n = {int(fit.nobs)} models with a price and an Epoch training-cost estimate.",
             f"Standard errors: {cov_type}" + (f" by {cluster}" if cov_type == "cluster" else "")
             + f"; tests and intervals use t({df_inf})"
             + (" (clusters − 1)." if cov_type == "cluster" else " (n − k)."),
             f"Paper (Du 2026): elasticity {PAPER_ELASTICITY}; its sample is not "
             "published."]
    if constant:
        notes.append(f"Dropped regressor(s) without variation in this sample: {constant}.")
    vint = data_vintage(data)
    return RegressionResult(references=refs("du2026.elasticity"),

        coefficients=coefs, elasticity=float(fit.params["log_training_cost"]),
        paper_value=PAPER_ELASTICITY, n=int(fit.nobs), r_squared=float(fit.rsquared),
        cov_type=cov_type, sample=data.loc[d.index].reset_index(drop=True),
        config={"price": price, "cost": cost, "controls": list(controls),
                "year_effects": year_effects, "cov_type": cov_type, "level": level},
        vintage=vint, notes=tuple(notes))




# --------------------------------------------------------------------------- small samples stated


def merge_singleton_years(years: pd.Series, *, min_count: int = 2) -> tuple[pd.Series, list[str]]:
    """Merge release years with fewer than ``min_count`` models into the adjacent year.

    A year dummy with one observation has leverage 1: its residual is 0 and HC3 divides
    by ``1 − h = 0`` (an infinite interval). The lone year joins its nearest neighbour
    (the later one on ties). Returns the merged years and what was merged.

    Examples
    --------
    >>> y, msg = merge_singleton_years(pd.Series([2022, 2023, 2023, 2024, 2024]))
    >>> y.tolist(), msg
    ([2023, 2023, 2023, 2024, 2024], ['2022 → 2023'])
    """
    y = years.astype(int).copy()
    merged: list[str] = []
    while True:
        counts = y.value_counts().sort_index()
        lone = counts[counts < min_count]
        if lone.empty or len(counts) < 2:
            return y, merged
        yr = int(lone.index[0])
        others = [int(v) for v in counts.index if int(v) != yr]
        target = min(others, key=lambda v: (abs(v - yr), -v))
        y[y == yr] = target
        merged.append(f"{yr} → {target}")


def elasticity_small_sample(data: pd.DataFrame, *, price: str = "price_usd_per_mtok",
                            cost: str = "training_cost_usd",
                            controls: tuple[str, ...] = ("release_year", "is_reasoning", "open_weights"),
                            level: float = 0.95) -> pd.DataFrame:
    """Bivariate and controlled elasticity with HC3 intervals, singleton year dummies merged.

    Returns a tidy frame ``spec, term, estimate, std_error, conf_low, conf_high, p_value,
    n, k, note`` for the bivariate ``ln price ~ ln cost`` and the regression with year
    effects (years with one model merged into the adjacent year) and the other controls.
    Intervals are finite by construction; ``n`` and ``k`` state how small the sample is.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> c = np.exp(rng.uniform(10, 20, 30))
    >>> d = pd.DataFrame({"price_usd_per_mtok": c ** 0.5 * np.exp(rng.normal(0, .1, 30)),
    ...                   "training_cost_usd": c, "release_year": [2022] + [2023] * 14 + [2024] * 15,
    ...                   "is_reasoning": False, "open_weights": [True, False] * 15})
    >>> f = elasticity_small_sample(d)
    >>> bool(np.isfinite(f[["conf_low", "conf_high"]].to_numpy()).all())
    True
    """
    cols = [price, cost, *controls]
    miss = [c for c in cols if c not in data.columns]
    if miss:
        raise InputError(f"columns {miss} not in data; available: {list(data.columns)}.")
    d = data[cols].dropna()
    d = d[(d[price] > 0) & (d[cost] > 0)].copy()
    notes = []
    if "release_year" in controls:
        d["release_year"], merged = merge_singleton_years(d["release_year"])
        if merged:
            notes.append("singleton years merged: " + ", ".join(merged))
    out = []
    y = np.log(d[price].astype(float))
    X0 = pd.DataFrame({"const": 1.0, "log_training_cost": np.log(d[cost].astype(float))}, index=d.index)
    specs = [("bivariate", X0)]
    Xc = X0.copy()
    for c in controls:
        if c == "release_year":
            Xc = Xc.join(pd.get_dummies(d[c].astype(int).astype(str), prefix="year", drop_first=True, dtype=float))
        else:
            Xc[c] = d[c].astype(float)
    Xc = Xc.loc[:, [c for c in Xc.columns if c == "const" or Xc[c].std(ddof=0) > 0]]
    specs.append(("controlled (" + ", ".join(controls) + ")", Xc))
    for name, X in specs:
        if len(d) <= X.shape[1] + 1:
            out.append({"spec": name, "term": "log_training_cost", "estimate": math.nan, "n": len(d), "k": X.shape[1],
                        "note": f"{len(d)} observations for {X.shape[1]} parameters"})
            continue
        fit, coefs = robust_ols(y, X, cov_type="HC3", level=level)
        r = coefs.set_index("term").loc["log_training_cost"]
        out.append({"spec": name, "term": "log_training_cost", "estimate": float(r["estimate"]),
                    "std_error": float(r["std_error"]), "conf_low": float(r["conf_low"]),
                    "conf_high": float(r["conf_high"]), "p_value": float(r["p_value"]), "n": int(fit.nobs),
                    "k": X.shape[1], "note": "; ".join(notes) if name != "bivariate" else ""})
    return pd.DataFrame(out)
