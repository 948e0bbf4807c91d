"""US vs China: training cost gap (ratio of geometric means, bootstrap CI), its split into
compute and $/FLOP, and tests of equal $/FLOP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from scipy import stats

from llmflation.errors import InputError
from llmflation.methods.ols import robust_ols
from llmflation.results import HypothesisTest, Result, data_vintage
from llmflation.signature import Frame, Level, Range, Seed, validated
from llmflation.study.paper import ref, refs

#: Du (2026): US/China training-cost gap and the p-value of equal $/FLOP.
PAPER_US_CHINA_GAP = float(ref("du2026.us_china_gap").value)
PAPER_USD_PER_FLOP_P = float(ref("du2026.usd_per_flop_p").value)

US = "United States of America"
CHINA = "China"




# --------------------------------------------------------------------------------------
# US–China
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class USChinaResult(Result):
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
    vintage: str = ""
    title: str = "US vs China: training cost and cost per FLOP (Epoch AI models)"

    def wide(self) -> pd.DataFrame:
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


def us_china_data(models: pd.DataFrame, *, since_year: int | None = None,
                  domain: str | None = None, frontier_only: bool = False) -> pd.DataFrame:
    """Epoch models with a training cost, classified US / China by every listed country.

    A model counts as US (China) when every country of its organisations is the United
    States (China); multinational collaborations are left out. Optional filters:
    publication year ``>= since_year``, ``domain`` contained in Epoch's ``Domain``
    (e.g. ``"Language"``), and Epoch's ``Frontier model`` flag.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> d = us_china_data(StudyInputs().table("epoch_models"))  # doctest: +SKIP
    """
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
        doms = m.get("Domain", pd.Series("", index=m.index)).fillna("").astype(str)
        m = m[doms.str.contains(domain, case=False, regex=False)]
        if m.empty:
            known = sorted({d.strip() for v in doms for d in v.split(",") if d.strip()})
            raise InputError(f"domain={domain!r} matches no model with a training cost; expected part of an Epoch "
                             f"domain such as {', '.join(repr(d) for d in known[:12])} (CLI: --domain Language).")
    if frontier_only:
        fm = m.get("Frontier model", pd.Series(False, index=m.index))
        m = m[fm.astype(str).str.lower().isin(["true", "yes", "1", "checked"])]
    if m.empty:
        raise InputError(f"no model is left after the filters (since_year={since_year!r}, domain={domain!r}, "
                         f"frontier_only={frontier_only!r}); loosen them.")
    m = m[need]
    sets = m["Country (of organization)"].fillna("").astype(str).map(
        lambda s: frozenset(x.strip() for x in s.split(",") if x.strip()))
    country = np.where(sets == frozenset({US}), "US",
                       np.where(sets == frozenset({CHINA}), "China", ""))
    m = m.assign(country=country)
    m = m[m["country"] != ""]
    flop = m["Training compute (FLOP)"].astype(float)
    out = pd.DataFrame({
        "model": m["Model"].astype(str).to_numpy(), "country": m["country"].to_numpy(),
        "cost_usd": m["Training compute cost (2023 USD)"].astype(float).to_numpy(),
        "flop": flop.where(flop > 0).to_numpy(),
        "year": pd.to_datetime(m["Publication date"], errors="coerce").dt.year.to_numpy()})
    out.attrs["vintage"] = data_vintage(models)
    return out


@validated
def us_china(data: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame of models (see us_china_data())")], *,
             n_boot: Annotated[int, Range(ge=100, hint="A percentile bootstrap needs at least 100 resamples.")] = 4000,
             seed: Seed = 0, level: Level = 0.95, n_jobs: int = 1,
             backend: Literal["sequential", "loky", "threading", "dask"] = "loky",
             same_years: bool = True) -> USChinaResult:
    """US/China training-cost gap (bootstrap CI) and tests of equal $/FLOP.

    Parameters
    ----------
    data : DataFrame, optional
        ``country`` ("US"/"China"), ``cost_usd``, ``flop``, ``year`` (default
        :func:`us_china_data` from the bundled Epoch models).
    n_boot, seed, level :
        Percentile bootstrap of the ratio of geometric means, resampling within country.
    n_jobs, backend :
        Bootstrap chunks through :mod:`llmflation.methods.bootstrap`; a fixed ``seed``
        gives the same CI on every backend.
    same_years : bool, default True
        Keep only release years with at least one model of each country. Epoch's US
        list reaches back decades while Chinese models start later, so the pooled gap of
        all years is mostly vintage (composition), and a Welch test on it disagrees with
        the regression that controls for year; ``False`` gives that pooled comparison.

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
    from llmflation.methods.bootstrap import parallel_map, task_seeds

    miss = [c for c in ("country", "cost_usd", "flop", "year") if c not in data.columns]
    if miss:
        raise InputError(f"data lacks {miss}; expected country, cost_usd, flop, year.")
    d = data[data["country"].isin(["US", "China"]) & (data["cost_usd"] > 0)].copy()
    sample_note = "all release years pooled (same_years=False): the gap mixes vintages"
    if same_years:
        yrs = pd.to_numeric(d["year"], errors="coerce")
        both = d.assign(_y=yrs).dropna(subset=["_y"]).groupby("_y")["country"].nunique()
        keep = sorted(int(y) for y in both[both == 2].index)
        n_all = len(d)
        d = d[yrs.isin(keep)]
        sample_note = (f"same release years only ({keep[0]}–{keep[-1]}, years with models of both countries; "
                       f"{n_all - len(d)} of {n_all} models from other years left out)" if keep else
                       "no release year has models of both countries")
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
             f"estimate (2023 USD); multinational collaborations excluded; {sample_note}.",
             "Gap = ratio of geometric means; CI: percentile bootstrap within country "
             f"({n_boot} resamples, seed {seed}).",
             f"Paper (Du 2026): 63-fold gap; $/FLOP difference p = {PAPER_USD_PER_FLOP_P}."]
    n_no_year = int(reg.extra.get("n_dropped_no_year", 0))
    if n_no_year:
        notes.append(f"{n_no_year} model(s) without a publication year left out of the "
                     f"year-effects regression (not imputed).")
    vint = data_vintage(data)
    return USChinaResult(references=refs("du2026.us_china_gap", "du2026.usd_per_flop_p"),
        cost_gap=gap, cost_gap_ci=ci, compute_gap=compute_gap,
                         usd_per_flop_gap=upf_gap, welch=welch, mann_whitney=mann,
                         regression=reg, n_us=len(lu), n_china=len(lc),
                         sample=d.reset_index(drop=True),
                         config={"n_boot": n_boot, "seed": seed, "level": level, "same_years": same_years},
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
    fit, _ = robust_ols(g["ln_upf"], X, cov_type="HC1")
    dfr = float(fit.df_resid)
    return HypothesisTest(statistic=float(fit.tvalues["china"]),
                          p_value=float(fit.pvalues["china"]), df=dfr, null=null,
                          distribution=f"t({dfr:.0f}), HC1 robust SE",
                          name=name,
                          extra={"estimate": float(fit.params["china"]), "n": int(fit.nobs),
                                 "n_dropped_no_year": n_drop})


# --------------------------------------------------------------------------- same release years


def us_china_same_years(data: pd.DataFrame, *, since_year: int | None = None, n_boot: int = 2000, seed: int = 0,
                        level: float = 0.95) -> pd.DataFrame:
    """US/China gaps among models of the **same release years**, and a test that agrees with them.

    Epoch's US list reaches back to before 2020 while Chinese models start later, so a
    pooled gap is mostly vintage. Only years with at least one model of each country are
    kept (``since_year`` restricts further). Returns a tidy frame with, for training cost
    and for $/FLOP: ``geometric_gap`` (exp of the China-vs-US coefficient with year
    effects, inverted to US/China, HC1 t interval), ``geometric_gap_pooled`` (ratio of
    geometric means, year-stratified bootstrap CI), ``arithmetic_gap`` (ratio of arithmetic
    means) and the headline test: the year-effects regression's p-value on ln $/FLOP
    (``p_value``) beside Welch on the same sample.

    Examples
    --------
    >>> d = pd.DataFrame({"country": ["US", "US", "China", "China", "US", "China"],
    ...                   "cost_usd": [100.0, 400.0, 10.0, 40.0, 1e4, 1e3],
    ...                   "flop": [1.0, 4.0, 1.0, 4.0, 100.0, 100.0], "year": [2023, 2023, 2023, 2023, 2019, 2024]})
    >>> f = us_china_same_years(d, n_boot=200).set_index("term")
    >>> round(float(f.loc["cost_geometric_gap", "estimate"]), 6)
    10.0
    """
    need = ("country", "cost_usd", "flop", "year")
    miss = [c for c in need if c not in data.columns]
    if miss:
        raise InputError(f"data lacks {miss}; expected country, cost_usd, flop, year.")
    d = data[data["country"].isin(["US", "China"]) & (data["cost_usd"] > 0)].dropna(subset=["year"]).copy()
    d["year"] = d["year"].astype(int)
    if since_year is not None:
        d = d[d["year"] >= since_year]
    both = d.groupby("year")["country"].nunique()
    years = sorted(int(y) for y in both[both == 2].index)
    d = d[d["year"].isin(years)]
    nu, nc = int((d["country"] == "US").sum()), int((d["country"] == "China").sum())
    if nu < 2 or nc < 2:
        raise InputError(f"same-year sample has {nu} US and {nc} Chinese models; need at least 2 each.")
    rows = []
    note = f"years {years[0]}–{years[-1]} with models of both countries ({len(years)} years); {nu} US, {nc} China"
    rng = np.random.default_rng(seed)
    a = (1 - level) / 2
    for label, col in (("cost", "cost_usd"), ("usd_per_flop", None)):
        g = d if col else d.dropna(subset=["flop"])
        g = g[g["flop"] > 0] if not col else g
        v = np.log(g["cost_usd"]) if col else np.log(g["cost_usd"] / g["flop"])
        us = (g["country"] == "US").to_numpy()
        X = pd.DataFrame({"const": 1.0, "us": us.astype(float)}, index=g.index)
        X = X.join(pd.get_dummies(g["year"].astype(str), prefix="year", drop_first=True, dtype=float))
        if len(g) <= X.shape[1] + 1 or us.all() or (~us).all():
            rows.append({"term": f"{label}_geometric_gap", "estimate": np.nan, "n": len(g),
                         "note": "too few models for year effects"})
            continue
        fit, coefs = robust_ols(v, X, cov_type="HC1", level=level)
        r = coefs.set_index("term").loc["us"]
        rows.append({"term": f"{label}_geometric_gap", "estimate": float(np.exp(r["estimate"])),
                     "conf_low": float(np.exp(r["conf_low"])), "conf_high": float(np.exp(r["conf_high"])),
                     "p_value": float(r["p_value"]), "n": int(fit.nobs),
                     "note": "US/China, exp of the US coefficient with release-year effects (HC1, t(n − k)); " + note})
        vu, vc = v[us].to_numpy(), v[~us].to_numpy()
        # year-stratified bootstrap of the ratio of geometric means
        yrs = g["year"].to_numpy()
        boot = np.empty(n_boot)
        for b in range(n_boot):
            idx = np.concatenate([rng.choice(np.flatnonzero(yrs == y), size=int((yrs == y).sum())) for y in years
                                  if (yrs == y).any()])
            bu, bc = us[idx], ~us[idx]
            vv = v.to_numpy()[idx]
            boot[b] = vv[bu].mean() - vv[bc].mean() if bu.any() and bc.any() else np.nan
        boot = boot[np.isfinite(boot)]
        w = stats.ttest_ind(vu, vc, equal_var=False)
        rows.append({"term": f"{label}_geometric_gap_pooled", "estimate": float(np.exp(vu.mean() - vc.mean())),
                     "conf_low": float(np.exp(np.quantile(boot, a))), "conf_high": float(np.exp(np.quantile(boot, 1 - a))),
                     "p_value": float(w.pvalue), "n": len(g),
                     "note": "ratio of geometric means in the same years, year-stratified bootstrap CI; p: Welch"})
        raw = np.exp(v)
        rows.append({"term": f"{label}_arithmetic_gap", "estimate": float(raw[us].mean() / raw[~us].mean()),
                     "conf_low": np.nan, "conf_high": np.nan, "p_value": np.nan, "n": len(g),
                     "note": "ratio of arithmetic means (dominated by the largest runs; no interval)"})
    out = pd.DataFrame(rows).reindex(columns=["term", "estimate", "conf_low", "conf_high", "p_value", "n", "note"])
    return out
