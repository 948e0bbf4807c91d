"""The headline answer to "how fast do LLM prices fall": a chained quality-adjusted price index.

:func:`headline_index` is a **chained adjacent-period time-dummy hedonic index** (CPI
Manual 2020 §§ 6.110–6.118; de Haan & Krsinich 2014) over every first-party canonical
model in the market (:func:`~llmflation.study.trends.canonical_rows`), each at the price
in effect in every period it is listed (so the index sees price cuts as well as
launches). For each pair of adjacent periods ``(t−1, t)``

``ln p_it = α + d_t · 1[period = t] + β' quality_i + ε_it``

is fitted on the models listed in either period, and the index is
``exp(Σ_{s≤t} d_s)`` (first period = 1). A model priced in both periods contributes its
own price change; an entrant or exiting model contributes its price relative to what
its capability predicts, so a new model that brings more capability for the same money
lowers the index even when no incumbent cuts. The quality coefficients are re-estimated
in every link, so the valuation of capability may drift.

Intervals come from a **cluster bootstrap** that redraws whole models (or developers)
with all their periods, the same draw for every link, so a model's correlation over time
is kept; with few clusters (developers), ``bootstrap="wild"`` gives a **wild cluster
bootstrap** (Webb six-point weights on the link residuals, the same cluster weight in
every link; Cameron, Gelbach & Miller 2008; Webb 2023). The annual rate is the OLS slope
of the log index on period midpoints (years), with the bootstrap percentile interval.

Beside it: a **token-weighted** variant (each link weighted least squares with the
models' OpenRouter token shares as weights, over the models with ranked volume; the
rankings cover 2026 only, so the weights are fixed, not period-specific) and the
**matched-model** index (chained Jevons of the models listed in both adjacent periods,
the same sample), which misses what entrants bring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.ols import percentile_interval
from llmflation.results import Result, SummaryFormat, render_table
from llmflation.signature import (
    Columns,
    DateLike,
    Frame,
    Level,
    NonNegativeInt,
    PositiveInt,
    Seed,
    validated,
)
from llmflation.study.indices import _matched_logs, _model_attributes, _posted_prices
from llmflation.study.paper import refs
from llmflation.study.trends import _first_party, canonical_rows, price_column, to_years

Cluster = Literal["model", "developer"]
Bootstrap = Literal["auto", "pairs", "wild"]

#: Default start of the headline index: enough first-party models with a capability score per month.
HEADLINE_START = "2023-01-01"
#: Fewest models (with a quality score) in a period for it to enter the index.
MIN_MODELS = 5
#: An annual-rate interval wider than this many log points (two orders of magnitude) is not a finding.
MAX_CI_WIDTH_LOG = math.log(100.0)
#: Webb (2023) six-point weights for the wild cluster bootstrap (mean 0, variance 1).
WEBB_WEIGHTS = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])

_TABLE_COLUMNS = ["period", "index", "conf_low", "conf_high", "log_index", "std_error", "n_models",
                  "weighted_index", "weighted_conf_low", "weighted_conf_high", "n_weighted",
                  "matched_index", "n_matched", "n_entrants"]


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class HeadlineIndexResult(Result):
    """The headline chained quality-adjusted LLM price index, its annual rate and its companions.

    Attributes
    ----------
    table : DataFrame
        One row per period: ``index`` (chained hedonic, first period = 1) with its
        pointwise bootstrap ``conf_low, conf_high``, ``log_index``, ``std_error``
        (bootstrap s.d. of the log index), ``n_models``; the token-weighted index
        (``weighted_*``, NaN before its first estimable link) and the matched-model
        index (``matched_index``, ``n_matched`` models in the link into the period).
    annual : DataFrame
        One row per index (``hedonic``, ``token_weighted``, ``matched``):
        ``log_change_per_year`` (slope of the log index on period midpoints, years),
        its bootstrap interval, ``pct_per_year`` (``exp(slope) − 1``, %),
        ``factor_per_year`` (``exp(−slope)``, the fall factor per year), ``n_periods``,
        ``n_models`` and ``status``.
    log_change_per_year : float
        The headline: annual log change of the hedonic index.
    log_change_ci : (float, float)
    factor_per_year : float
        ``exp(−log_change_per_year)``: prices of constant capability fall this many times a year.
    pct_per_year : float
    n, n_models, n_clusters, n_periods : int
        Model-period observations, models, bootstrap clusters, periods.
    status : str
        ``"estimated"``, or ``"not estimable"`` (too few periods or models, or an interval
        spanning more than two orders of magnitude a year; the reason is in the notes).
    """

    table: pd.DataFrame
    annual: pd.DataFrame
    log_change_per_year: float
    log_change_ci: tuple[float, float]
    factor_per_year: float
    pct_per_year: float
    n: int
    n_models: int
    n_clusters: int
    n_periods: int
    status: str

    title = "Headline LLM price index: chained quality-adjusted (time-dummy hedonic), first-party canonical models"
    keys = ("period",)

    def wide(self) -> pd.DataFrame:
        return self.table.reindex(columns=_TABLE_COLUMNS).copy()

    def to_frame(self) -> pd.DataFrame:
        """Tidy: per period one row per index (``term`` hedonic, token_weighted, matched) with its
        interval and ``n`` models (the annual rates are ``annual``)."""
        from llmflation.results import tidy

        t = self.table
        parts = []
        for term, cols in (("hedonic", ("index", "conf_low", "conf_high", "n_models")),
                           ("token_weighted", ("weighted_index", "weighted_conf_low", "weighted_conf_high",
                                               "n_weighted")),
                           ("matched", ("matched_index", None, None, "n_matched"))):
            parts.append(pd.DataFrame({"period": t["period"].astype(str), "term": term,
                                       "estimate": t[cols[0]].to_numpy(float),
                                       "conf_low": t[cols[1]].to_numpy(float) if cols[1] else np.nan,
                                       "conf_high": t[cols[2]].to_numpy(float) if cols[2] else np.nan,
                                       "n": t[cols[3]].to_numpy(float)}))
        return tidy(pd.concat(parts, ignore_index=True), self.keys)

    def to_csv(self, path: Any = None) -> str | None:
        """The index table as CSV with the vintage, options and the annual rates as ``#`` comment lines.

        Returns the text when ``path`` is None (read back with ``pd.read_csv(..., comment="#")``).
        """
        lines = [f"# {self.title}", f"# vintage: {self.vintage}",
                 f"# config: {', '.join(f'{k}={v}' for k, v in self.config.items())}"]
        for r in self.annual.itertuples(index=False):
            lines.append(f"# {r.index_kind}: {r.log_change_per_year:+.4f} log points/year "
                         f"[{r.conf_low:+.4f}, {r.conf_high:+.4f}], {r.pct_per_year:+.1f}%/year, "
                         f"{r.n_models} models, {r.n_periods} periods, status {r.status}")
        text = "\n".join(lines) + "\n" + self.wide().to_csv(index=False)
        if path is None:
            return text
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return None

    def figure_data(self) -> pd.DataFrame:
        """Long frame for a plot: ``period_start, series, index, conf_low, conf_high``."""
        start = pd.PeriodIndex(self.table["period"], freq=self.config.get("period", "M")).start_time
        parts = []
        for series, cols in (("hedonic", ("index", "conf_low", "conf_high")),
                             ("token_weighted", ("weighted_index", "weighted_conf_low", "weighted_conf_high")),
                             ("matched", ("matched_index", None, None))):
            parts.append(pd.DataFrame({
                "period_start": start, "series": series, "index": self.table[cols[0]].to_numpy(float),
                "conf_low": self.table[cols[1]].to_numpy(float) if cols[1] else np.nan,
                "conf_high": self.table[cols[2]].to_numpy(float) if cols[2] else np.nan}))
        return pd.concat(parts, ignore_index=True)

    def summary(self, fmt: SummaryFormat = "text") -> str:
        lvl = int(round(100 * float(self.config.get("level", 0.95))))
        head = render_table(self.annual, f"{self.title} — annual change ({lvl}% bootstrap CIs)", [], fmt)
        body = render_table(self.wide(), "Index by period (first period = 1)", self._notes(), fmt)
        return head + ("" if fmt == "html" else "\n\n") + body

    def __repr__(self) -> str:
        lo, hi = self.log_change_ci
        return (f"HeadlineIndexResult({self.n_periods} periods, {self.n_models} models: "
                f"{self.log_change_per_year:+.3f} log points/yr [{lo:+.3f}, {hi:+.3f}], status={self.status})")


# --------------------------------------------------------------------------- data


def headline_observations(panel: pd.DataFrame, *, quality: str = "eci", controls: tuple[str, ...] = (),
                          period: str = "M", first_party_only: bool = True, price: str = "blended",
                          scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each canonical model's price in effect in each period it is listed, with its quality.

    Columns ``model, period, price, developer`` plus the quality and control columns
    (model attributes: the largest value across the model's rows). With
    ``first_party_only`` only models their developer sells itself enter. ``scores``
    (columns ``epoch_model`` and ``quality``) supplies a quality not in the panel
    (a benchmark score per Epoch model), joined on the panel's ``epoch_model``.

    Examples
    --------
    >>> p = pd.DataFrame({"model_id": ["a", "a", "b"], "developer": "D", "provider": "D", "first_party": True,
    ...                   "valid_from": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01"]),
    ...                   "valid_to": pd.to_datetime(["2024-02-29", "2024-04-30", "2024-04-30"]),
    ...                   "blended_usd_per_mtok": [4.0, 1.0, 2.0], "eci": [100.0, 100.0, 110.0]})
    >>> headline_observations(p)[["model", "period", "price"]].astype(str).values.tolist()[:4]
    [['a', '2024-01', '4.0'], ['a', '2024-02', '4.0'], ['a', '2024-03', '1.0'], ['a', '2024-04', '1.0']]
    """
    rows = canonical_rows(panel)
    price_column(price)
    if scores is not None:
        on = "model_key" if "model_key" in scores.columns else "epoch_model"
        if quality not in scores.columns or (on == "epoch_model" and (
                "epoch_model" not in scores.columns or "epoch_model" not in rows.columns)):
            raise InputError(f"scores needs a key column ('model_key', or 'epoch_model' with the panel's "
                             f"epoch_model) and {quality!r}; got scores columns {list(scores.columns)}.")
        left = "model_id" if on == "model_key" else "epoch_model"  # canonical rows carry the key as model_id
        sc = scores[[on, quality]].drop_duplicates(on).rename(columns={on: left})
        rows = rows.drop(columns=[quality], errors="ignore").merge(sc, on=left, how="left")
    if "model_id" not in rows.columns:
        raise InputError("the panel needs a model_id column (canonical model key).")
    if first_party_only and "developer" in rows.columns:
        fp = _first_party(rows).fillna(False).astype(bool)
        has_fp = set(rows.loc[fp, "model_id"].astype(str))
        rows = rows[rows["model_id"].astype(str).isin(has_fp)]
    if rows.empty:
        raise InputError("no first-party canonical model rows in the panel.")
    obs = _posted_prices(rows, "model_id", price, period, None, None)
    attrs = _model_attributes(rows, "model_id", (quality, *controls))
    obs = obs.join(attrs, on="model")
    dev = (rows.assign(_m=rows["model_id"].astype(str)).groupby("_m")["developer"].first().astype(str)
           if "developer" in rows.columns else pd.Series(dtype=str))
    obs["developer"] = obs["model"].map(dev).fillna(obs["model"])
    return obs.sort_values(["model", "period"], kind="stable").reset_index(drop=True)


def arena_scores(lmarena: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """Each canonical model's latest LMArena (Chatbot Arena) score: ``model_key, arena_elo``.

    Arena names are matched to the panel's listed ids and model keys after lower-casing
    and writing ``.``, ``_`` and spaces as ``-`` (``gpt-4o-2024-05-13``,
    ``gemini-1.5-pro`` → ``gemini-1-5-pro``); unmatched names are left out. The score
    is the model's last published one (the leaderboard's latest scale).

    Examples
    --------
    >>> lm = pd.DataFrame({"date": ["2024-01-01", "2024-06-01"], "model": ["m.1", "m.1"], "score": [1000.0, 1010.0]})
    >>> pn = pd.DataFrame({"model_id": ["m-1"], "model_key": ["m-1"]})
    >>> arena_scores(lm, pn).values.tolist()
    [['m-1', 1010.0]]
    """
    if not {"date", "model", "score"} <= set(lmarena.columns):
        raise InputError(f"lmarena needs columns date, model, score; got {list(lmarena.columns)}.")

    def norm(x: pd.Series) -> pd.Series:
        return x.astype(str).str.lower().str.replace(r"[._ ]", "-", regex=True)

    key_col = "model_key" if "model_key" in panel.columns else "model_id"
    ids = pd.concat([pd.DataFrame({"k": norm(panel[c]), "model_key": panel[key_col].astype(str)})
                     for c in ("model_id", key_col) if c in panel.columns]).drop_duplicates("k")
    a = lmarena.assign(k=norm(lmarena["model"]), _d=pd.to_datetime(lmarena["date"]))
    a = a.sort_values("_d").groupby("k", sort=False).tail(1).merge(ids, on="k")
    a = a.sort_values("_d").groupby("model_key", sort=True).tail(1)
    return pd.DataFrame({"model_key": a["model_key"].to_numpy(), "arena_elo": a["score"].to_numpy(float)}
                        ).sort_values("model_key").reset_index(drop=True)


def token_weights(rankings: pd.DataFrame, openrouter_daily: pd.DataFrame, panel: pd.DataFrame) -> pd.Series:
    """OpenRouter token share (%) of each canonical model key, over the week-end rankings snapshots.

    Ranked ids are mapped to OpenRouter listing ids (``openrouter_daily``'s canonical
    slug → id) and then to the panel's ``model_key`` through its OpenRouter rows;
    ``:free`` variants count toward their model.

    Examples
    --------
    >>> rk = pd.DataFrame({"snapshot_date": ["2026-01-01"] * 2, "section": "models", "model_id": ["x/a-1", "x/b"],
    ...                    "tokens": [3.0, 1.0]})
    >>> od = pd.DataFrame({"canonical_slug": ["x/a-1", "x/b"], "id": ["x/a", "x/b"]})
    >>> pn = pd.DataFrame({"provider": "openrouter", "source_key": ["x/a", "x/b"], "model_key": ["a", "b"]})
    >>> token_weights(rk, od, pn).to_dict()
    {'a': 75.0, 'b': 25.0}
    """
    m = rankings[rankings["section"].astype(str) == "models"].copy()
    if m.empty:
        return pd.Series(dtype=float)
    m["snapshot_date"] = pd.to_datetime(m["snapshot_date"])
    tot = m.groupby("snapshot_date")["tokens"].sum()
    dates = tot.index.sort_values()
    ends = [d for d, nxt in zip(dates[:-1], dates[1:], strict=True) if tot[nxt] < tot[d]] + [dates[-1]]
    m = m[m["snapshot_date"].isin(ends)]
    slug = m["model_id"].astype(str).str.replace(":free$", "", regex=True)
    to_id = openrouter_daily.drop_duplicates("canonical_slug").set_index("canonical_slug")["id"].astype(str)
    or_id = slug.map(to_id).fillna(slug)
    key_col = "model_key" if "model_key" in panel.columns else "model_id"
    q = panel[panel["provider"].astype("string") == "openrouter"]
    keymap = (q.assign(_id=q["source_key"].astype(str).str.replace("^openrouter/", "", regex=True))
              .dropna(subset=[key_col]).drop_duplicates("_id").set_index("_id")[key_col].astype(str))
    key = or_id.map(keymap)
    tok = pd.to_numeric(m["tokens"], errors="coerce").groupby(key).sum()
    tok = tok[tok > 0]
    return (tok / tok.sum() * 100).rename("token_share_pct")


# --------------------------------------------------------------------------- estimation


def _links(obs: pd.DataFrame, periods: list[pd.Period], regs: list[str], weights: np.ndarray
           ) -> list[dict[str, Any]]:
    """Design of every adjacent-period regression: rows, X, y, weights (zero-weight rows dropped)."""
    pos = {p: i for i, p in enumerate(periods)}
    t_all = obs["period"].map(pos).to_numpy()
    y_all = np.log(obs["price"].to_numpy(float))
    q_all = obs[regs].to_numpy(float) if regs else np.zeros((len(obs), 0))
    out = []
    for t in range(1, len(periods)):
        rows = np.nonzero(((t_all == t) | (t_all == t - 1)) & (weights > 0))[0]
        q = q_all[rows]
        # a control constant within the link (no reasoning model yet) is not identified there: dropped
        vary = np.array([j == 0 or np.ptp(q[:, j]) > 0 for j in range(q.shape[1])], dtype=bool) if len(rows) \
            else np.ones(q.shape[1], dtype=bool)
        X = np.column_stack([np.ones(len(rows)), (t_all[rows] == t).astype(float), q[:, vary]])
        out.append({"rows": rows, "X": X, "y": y_all[rows], "w": weights[rows]})
    return out


def _fit_link(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray | None]:
    """WLS of one link: (d_t, residuals, M = (X'WX)^-1 X'W row of d_t) or NaN when not identified."""
    if len(y) == 0:
        return math.nan, np.zeros(0), None
    in_t = X[:, 1] > 0
    if not in_t.any() or in_t.all():
        return math.nan, np.zeros(len(y)), None
    A = X.T @ (X * w[:, None])
    if np.linalg.matrix_rank(A) < X.shape[1]:
        return math.nan, np.zeros(len(y)), None
    Ainv = np.linalg.inv(A)
    beta = Ainv @ (X.T @ (w * y))
    return float(beta[1]), y - X @ beta, (Ainv @ (X * w[:, None]).T)[1]


def _boot_links(link: dict[str, Any], codes: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Pairs cluster bootstrap: d_t for each of B cluster-count vectors (NaN when not identified)."""
    X, y, w = link["X"], link["y"], link["w"]
    B = draws.shape[0]
    if len(y) == 0:
        return np.full(B, np.nan)
    W = draws[:, codes[link["rows"]]] * w[None, :]
    A = np.einsum("bn,ni,nj->bij", W, X, X)
    r = np.einsum("bn,ni->bi", W, X * y[:, None])
    k = X.shape[1]
    ok = (np.linalg.matrix_rank(A) == k)
    ok &= (W * X[None, :, 1]).sum(axis=1) > 0
    ok &= (W * (1 - X[None, :, 1])).sum(axis=1) > 0
    out = np.full(B, np.nan)
    if ok.any():
        out[ok] = np.linalg.solve(A[ok], r[ok][..., None])[:, 1, 0]
    return out


def _slope(mid: np.ndarray, logs: np.ndarray) -> np.ndarray:
    """OLS slope of each row of ``logs`` on ``mid`` over its finite entries (needs >= 3)."""
    logs = np.atleast_2d(logs)
    ok = np.isfinite(logs)
    out = np.full(logs.shape[0], np.nan)
    for pattern in {tuple(r) for r in ok}:
        sel = np.all(ok == np.array(pattern), axis=1)
        cols = np.array(pattern, dtype=bool)
        if cols.sum() < 3:
            continue
        x = mid[cols] - mid[cols].mean()
        out[sel] = logs[sel][:, cols] @ x / float(x @ x)
    return out


def _chain(links: np.ndarray) -> np.ndarray:
    """Log index from links (..., T−1): 0 at the first period after the last unidentified link.

    A weighted chain may start late (its first estimable link); a gap later ends it.
    """
    links = np.atleast_2d(links)
    B, L = links.shape
    out = np.full((B, L + 1), np.nan)
    for b in range(B):
        lk = links[b]
        fin = np.isfinite(lk)
        if not fin.any():
            continue
        start = int(np.argmax(fin))
        acc = 0.0
        out[b, start] = 0.0
        for t in range(start, L):
            if not fin[t]:
                break
            acc += lk[t]
            out[b, t + 1] = acc
    return out


@validated
def headline_index(panel: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (llmflation.load_panel())")], *,
                   quality: str = "eci", controls: Columns = (), period: Literal["M", "Q"] = "M",
                   start: DateLike | None = HEADLINE_START, end: DateLike | None = None,
                   first_party_only: bool = True, cluster: Cluster = "model", bootstrap: Bootstrap = "auto",
                   min_models: PositiveInt = MIN_MODELS, price: Literal["blended", "input", "output"] = "blended",
                   scores: Annotated[pd.DataFrame, Frame(what="a DataFrame of epoch_model and a quality score")]
                   | None = None,
                   rankings: Annotated[pd.DataFrame, Frame(what="the bundled openrouter_rankings table")] | None = None,
                   openrouter_daily: Annotated[pd.DataFrame, Frame(what="the bundled openrouter_daily table")]
                   | None = None,
                   n_boot: NonNegativeInt = 499, seed: Seed | None = 0, level: Level = 0.95) -> HeadlineIndexResult:
    """Chained quality-adjusted price index of first-party canonical LLMs, with a cluster-bootstrap interval.

    Parameters
    ----------
    panel : DataFrame
        The panel (``lf.load_panel()``); its canonical rows are used (issue 18).
    quality : str
        Capability column (default Epoch's Capabilities Index ``eci``; with ``scores`` a
        benchmark score per Epoch model, e.g. ``Study.headline_index(quality="GPQA Diamond")``,
        or per model key, e.g. LMArena's ``arena_elo`` from :func:`arena_scores`).
    controls : sequence of str
        Further model attributes in every link (``is_reasoning``, ``log_context_tokens`` …).
    period : {"M", "Q"}
        Month or quarter.
    start, end : date, optional
        Window of the index (default from 2023-01, when enough scored models are listed).
    first_party_only : bool
        Only models their developer sells itself (default).
    cluster : {"model", "developer"}
        Bootstrap cluster: a model (all its periods) or a developer (all its models).
    bootstrap : {"auto", "pairs", "wild"}
        Pairs cluster bootstrap (redraw clusters) or wild cluster bootstrap (Webb weights
        on link residuals; for few clusters). ``"auto"``: pairs by model, wild by
        developer (a redraw of few developers often leaves a period empty).
    min_models : int
        Periods (from the start) with fewer scored models are left out.
    rankings, openrouter_daily : DataFrame, optional
        OpenRouter rankings and listings: with both, the token-weighted variant is computed.
    n_boot, seed, level
        Bootstrap draws (``0``: no intervals), seed, interval level.

    Returns
    -------
    HeadlineIndexResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rows = []
    >>> for i in range(30):
    ...     born = pd.Timestamp("2024-01-01") + pd.DateOffset(months=int(i % 12))
    ...     q = rng.normal(100, 10)
    ...     for m in range(int(i % 12), 12):
    ...         t = m / 12
    ...         rows.append({"model_id": f"m{i}", "developer": f"d{i % 6}", "provider": f"d{i % 6}",
    ...                      "first_party": True, "eci": q,
    ...                      "valid_from": pd.Timestamp("2024-01-01") + pd.DateOffset(months=m),
    ...                      "valid_to": pd.Timestamp("2024-01-01") + pd.DateOffset(months=m + 1, days=-1),
    ...                      "blended_usd_per_mtok": float(np.exp(0.05 * q - 1.0 * t + rng.normal(0, .05)))})
    >>> r = headline_index(pd.DataFrame(rows), start="2024-01-01", n_boot=50)
    >>> bool(-1.2 < r.log_change_per_year < -0.8)
    True
    """
    controls = tuple(controls)
    if bootstrap == "auto":
        bootstrap = "pairs" if cluster == "model" else "wild"
    regs = [quality, *controls]
    obs = headline_observations(panel, quality=quality, controls=controls, period=period,
                                first_party_only=first_party_only, price=price, scores=scores)
    notes: list[str] = []
    n_all = obs["model"].nunique()
    miss = obs[regs].isna().any(axis=1)
    obs = obs[~miss]
    notes.append(f"{n_all} first-party canonical models listed; {obs['model'].nunique()} with {', '.join(regs)} "
                 f"enter the index ({n_all - obs['model'].nunique()} without a score are left out).")
    if start is not None:
        obs = obs[obs["period"] >= pd.Period(pd.Timestamp(start), freq=period)]
    if end is not None:
        obs = obs[obs["period"] <= pd.Period(pd.Timestamp(end), freq=period)]
    per_n = obs.groupby("period")["model"].nunique().sort_index()
    ok_periods = per_n[per_n >= min_models]
    if len(ok_periods) < 2:
        raise InputError(f"the index needs at least 2 periods with >= min_models={min_models} scored models; got "
                         f"{len(ok_periods)} (models per period: {per_n.to_dict()}). Lower min_models or widen "
                         "start/end.")
    first = ok_periods.index[0]
    periods = list(pd.period_range(first, per_n.index[-1], freq=period))
    obs = obs[obs["period"].isin(periods)].reset_index(drop=True)
    thin = [str(p) for p in periods if per_n.get(p, 0) < min_models]
    if thin:
        notes.append(f"Periods with fewer than {min_models} scored models inside the window (kept, links noisier): "
                     f"{', '.join(thin)}.")
    for c in controls:
        if obs[c].nunique() < 2:
            raise InputError(f"control {c!r} does not vary in the sample; drop it from controls=.")

    clusters = obs["model"].astype(str) if cluster == "model" else obs["developer"].astype(str)
    labels, codes = np.unique(clusters.to_numpy(), return_inverse=True)
    G = len(labels)
    mid = np.array([to_years([p.start_time + (p.end_time - p.start_time) / 2])[0] for p in periods])

    wts: dict[str, pd.Series] = {}
    if rankings is not None and openrouter_daily is not None:
        wts["token_weighted"] = token_weights(rankings, openrouter_daily, panel)
    elif (rankings is None) != (openrouter_daily is None):
        raise InputError("the token-weighted variant needs both rankings= and openrouter_daily=.")

    variants: dict[str, np.ndarray] = {"hedonic": np.ones(len(obs))}
    weight_basis = ""
    for k, s in wts.items():
        wm = obs["model"].astype(str).map(s).fillna(0.0).to_numpy(float)
        if obs.loc[wm > 0, "model"].nunique() >= 2 * min_models:
            variants[k], weight_basis = wm, "model"
        else:
            # ranked models rarely have a score yet: weight by the developer's token share instead,
            # split equally over its scored models
            dev_of = (canonical_rows(panel).assign(_m=lambda f: f["model_id"].astype(str))
                      .groupby("_m")["developer"].first().astype(str))
            dev_share = s.groupby(s.index.map(dev_of)).sum()
            n_dev = obs.groupby("developer")["model"].nunique()
            variants[k] = (obs["developer"].map(dev_share).fillna(0.0) / obs["developer"].map(n_dev)).to_numpy(float)
            weight_basis = "developer"

    rng = np.random.default_rng(seed)
    counts = (np.stack([np.bincount(rng.integers(0, G, G), minlength=G) for _ in range(n_boot)]).astype(float)
              if n_boot > 0 and bootstrap == "pairs" else np.zeros((0, G)))
    webb = (WEBB_WEIGHTS[rng.integers(0, 6, size=(n_boot, G))] if n_boot > 0 and bootstrap == "wild"
            else np.zeros((0, G)))

    est: dict[str, dict[str, Any]] = {}
    for name, w in variants.items():
        links = _links(obs, periods, regs, w)
        point = np.full(len(links), np.nan)
        boot = np.full((n_boot, len(links)), np.nan)
        for j, lk in enumerate(links):
            d, resid, mrow = _fit_link(lk["X"], lk["y"], lk["w"])
            point[j] = d
            if n_boot == 0 or not np.isfinite(d):
                continue
            if bootstrap == "pairs":
                boot[:, j] = _boot_links(lk, codes, counts)
            else:
                assert mrow is not None
                c = codes[lk["rows"]]
                boot[:, j] = d + (webb[:, c] * (mrow * resid)[None, :]).sum(axis=1)
        logs = _chain(point)[0]
        blogs = _chain(boot) if n_boot else np.zeros((0, len(periods)))
        # a bootstrap chain counts only where the point chain exists
        if n_boot:
            blogs[:, ~np.isfinite(logs)] = np.nan
            first_ok = int(np.argmax(np.isfinite(logs))) if np.isfinite(logs).any() else 0
            blogs = blogs - blogs[:, [first_ok]]
        est[name] = {"logs": logs, "boot": blogs, "n_models": int(obs.loc[w > 0, "model"].nunique()),
                     "n_obs": int((w > 0).sum()), "point_links": point}

    # matched-model index over the same models and periods (cluster draws reused)
    mids = sorted(obs["model"].astype(str).unique())
    lp = np.full((len(mids), len(periods)), np.nan)
    mi = pd.Index(mids).get_indexer(obs["model"].astype(str))
    lp[mi, obs["period"].map({p: i for i, p in enumerate(periods)}).to_numpy()] = np.log(obs["price"].to_numpy(float))
    m_logs, n_link = _matched_logs(lp)
    m_boot = np.zeros((0, len(periods)))
    if n_boot:
        model_cluster = pd.Series(codes, index=obs["model"].astype(str)).groupby(level=0).first().reindex(mids)
        draws = counts if bootstrap == "pairs" else np.stack(
            [np.bincount(rng.integers(0, G, G), minlength=G) for _ in range(n_boot)]).astype(float)
        m_boot, _ = _matched_logs(lp, draws[:, model_cluster.to_numpy()])
    est["matched"] = {"logs": m_logs, "boot": m_boot, "n_models": len(mids), "n_obs": len(obs)}

    annual_rows = []
    for name, e in est.items():
        logs, blogs = e["logs"], e["boot"]
        s = float(_slope(mid, logs)[0])
        bs = _slope(mid, blogs) if len(blogs) else np.zeros(0)
        bs = bs[np.isfinite(bs)]
        ci = percentile_interval(bs, level) if len(bs) > 1 else (math.nan, math.nan)
        sd = float(np.std(bs, ddof=1)) if len(bs) > 1 else math.nan
        n_per = int(np.isfinite(logs).sum())
        status, why = "estimated", ""
        if not np.isfinite(s):
            status, why = "not estimable", "fewer than 3 periods in the chain"
        elif np.isfinite(ci[0]) and ci[1] - ci[0] > MAX_CI_WIDTH_LOG:
            status, why = "not estimable", "interval spans more than two orders of magnitude a year"
        elif name != "matched" and e["n_models"] < 2 * min_models:
            status, why = "not estimable", f"fewer than {2 * min_models} models"
        if why:
            notes.append(f"{name}: {status} ({why}).")
        if len(blogs) and len(bs) < n_boot:
            notes.append(f"{name}: {n_boot - len(bs)} of {n_boot} bootstrap draws left a link unidentified (a "
                         "period without drawn models) and were dropped.")
        annual_rows.append({"index_kind": name, "log_change_per_year": s, "std_error": sd, "conf_low": ci[0],
                            "conf_high": ci[1], "pct_per_year": 100 * math.expm1(s) if np.isfinite(s) else math.nan,
                            "factor_per_year": math.exp(-s) if np.isfinite(s) else math.nan,
                            "n_periods": n_per, "n_models": e["n_models"], "n": e["n_obs"], "status": status,
                            "n_boot": int(len(bs))})
    annual = pd.DataFrame(annual_rows)

    def band(e: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        b = e["boot"]
        if not len(b):
            nan = np.full(len(periods), np.nan)
            return nan, nan, nan
        lo = np.array([percentile_interval(b[:, i][np.isfinite(b[:, i])], level)[0] if np.isfinite(b[:, i]).sum() > 1
                       else math.nan for i in range(b.shape[1])])
        hi = np.array([percentile_interval(b[:, i][np.isfinite(b[:, i])], level)[1] if np.isfinite(b[:, i]).sum() > 1
                       else math.nan for i in range(b.shape[1])])
        with np.errstate(invalid="ignore"):
            sd = np.nanstd(np.where(np.isfinite(b), b, np.nan), axis=0, ddof=1) if b.shape[0] > 1 else lo * np.nan
        return np.exp(lo), np.exp(hi), sd

    h = est["hedonic"]
    h_lo, h_hi, h_sd = band(h)
    table = pd.DataFrame({"period": [str(p) for p in periods], "index": np.exp(h["logs"]), "conf_low": h_lo,
                          "conf_high": h_hi, "log_index": h["logs"], "std_error": h_sd,
                          "n_models": obs.groupby("period")["model"].nunique().reindex(periods).fillna(0)
                          .to_numpy(int)})
    if "token_weighted" in est:
        tw = est["token_weighted"]
        lo, hi, _ = band(tw)
        wmask = variants["token_weighted"] > 0
        table["weighted_index"] = np.exp(tw["logs"])
        table["weighted_conf_low"], table["weighted_conf_high"] = lo, hi
        table["n_weighted"] = (obs[wmask].groupby("period")["model"].nunique().reindex(periods).fillna(0)
                               .to_numpy(int))
    else:
        table["weighted_index"] = table["weighted_conf_low"] = table["weighted_conf_high"] = np.nan
        table["n_weighted"] = 0
    table["matched_index"] = np.exp(m_logs)
    table["n_matched"] = np.concatenate([[0], n_link]).astype(int)

    first_seen = obs.groupby("model")["period"].min()
    entrants = first_seen[first_seen > periods[0]]
    table["n_entrants"] = entrants.value_counts().reindex(periods).fillna(0).to_numpy(int)
    if len(entrants):
        last_entry = entrants.max()
        if last_entry < periods[-1]:
            notes.append(f"The last model with a {quality} score entered in {last_entry}; after it the index follows "
                         "the price changes and exits of scored models only (newer models have no score yet).")
    head = annual.iloc[0]
    notes.append(f"Chained adjacent-period time-dummy regressions of ln {price} price on a period dummy and "
                 f"{', '.join(regs)}, over {len(periods)} {'months' if period == 'M' else 'quarters'} "
                 f"({periods[0]} to {periods[-1]}); each model at the price in effect in every period it is listed.")
    notes.append(f"Intervals: {'pairs cluster' if bootstrap == 'pairs' else 'wild cluster (Webb weights)'} bootstrap "
                 f"by {cluster} ({G} clusters, {n_boot} draws, the same draw in every link), percentile.")
    if "token_weighted" in est:
        notes.append("Token-weighted: each link weighted by OpenRouter token shares (rankings snapshots, fixed "
                     + ("weights) of the ranked models with a score" if weight_basis == "model" else
                        "weights): too few ranked models have a score, so each model carries its developer's share "
                        "split equally over the developer's scored models")
                     + f" ({est['token_weighted']['n_models']} models).")
    else:
        notes.append("Token-weighted variant not computed (pass rankings= and openrouter_daily=).")
    notes.append("Matched-model index: chained Jevons of the same models listed in both adjacent periods; it "
                 "misses what entrants bring.")
    config = {"quality": quality, "controls": controls, "period": period, "start": str(start) if start else None,
              "end": str(end) if end else None, "first_party_only": first_party_only, "cluster": cluster,
              "bootstrap": bootstrap, "min_models": min_models, "weight_basis": weight_basis or None, "price": price, "n_boot": n_boot, "seed": seed,
              "level": level}
    base = str(panel.attrs.get("vintage", "user data"))
    vintage = f"{base}; index {periods[0]} to {periods[-1]}"
    return HeadlineIndexResult(
        table=table, annual=annual, log_change_per_year=float(head["log_change_per_year"]),
        log_change_ci=(float(head["conf_low"]), float(head["conf_high"])),
        factor_per_year=float(head["factor_per_year"]), pct_per_year=float(head["pct_per_year"]),
        n=int(len(obs)), n_models=int(obs["model"].nunique()), n_clusters=G, n_periods=len(periods),
        status=str(head["status"]), config=config, vintage=vintage, notes=tuple(notes),
        references=refs("zhu2026.hedonic", "zhu2026.matched"))
