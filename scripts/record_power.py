"""Size and power of trend inference for a "cheapest above a threshold" pool, by simulation.

Writes ``docs/record_inference.md`` (re-run: ``.venv/bin/python scripts/record_power.py``;
``--reps`` for more or fewer Monte Carlo draws, ``--out -`` to print only).

Set-up (issue 19, acceptance point 1): a pool of ``n`` models released uniformly over two
years, log price ``= slope × t + σ ε`` with ε standard normal; under H0 ``slope = 0``,
under H1 the price falls 4.5× a year (``slope = −ln 4.5``). Every method sees the whole
pool; the record methods use only its running minimum. Nominal level 10% (the 90%
intervals of :mod:`llmflation.study.threshold`).

Columns
-------
* quantile τ=0.25 / τ=0.10 — :func:`llmflation.methods.quantile_trend.quantile_trend`,
  the exact rank-score permutation test of the pool's lower-quantile slope (the method
  used by ``calibrated_threshold_trends``); coverage of its 90% interval under H1.
* record permutation — :func:`llmflation.methods.permutation.record_trend_test`, the
  permutation test through the running minimum (size held, power absent: replaced).
* naive OLS — Epoch's t test through the running minimum (size not held).

A second table checks the cluster bootstrap used by
:func:`llmflation.study.decline.constant_capability_decline` when models have several
dated prices (a launch price and cuts): coverage of its 90% interval.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

from llmflation.methods.permutation import record_trend_test
from llmflation.methods.quantile_trend import _null_draws, quantile_trend

ALPHA = 0.10
SLOPE_H1 = -math.log(4.5)
SPAN_YEARS = 2.0
SIZES = (20, 40, 60, 100, 200)
SIGMAS = (0.5, 1.0, 1.5)


def _pool(rng: np.random.Generator, n: int, sigma: float, slope: float) -> tuple[np.ndarray, np.ndarray]:
    t = rng.uniform(0, SPAN_YEARS, n)
    return t, slope * t + rng.normal(0, sigma, n)


def _conditional_size(t: np.ndarray, tau: float, seed: int) -> float:
    """Rejection probability of the rank-score test given the dates, over random low sets (no y needed).

    Under H0 the items below the line are a uniformly random subset, so this is the test's
    exact size given ``t`` up to the Monte Carlo error of its own reference draws; averaged
    over pools it estimates the size without the noise of the simulated prices.
    """
    m = int(min(len(t) - 1, max(1, round(tau * len(t)))))
    d = _null_draws(t, m, 999, np.random.default_rng(seed))
    truth = _null_draws(t, m, 999, np.random.default_rng(seed + 10**7))
    tol = 1e-9 * (np.abs(truth) + 1.0)
    lo = (1 + np.searchsorted(d, truth + tol, side="right")) / (len(d) + 1)
    hi = (1 + len(d) - np.searchsorted(d, truth - tol, side="left")) / (len(d) + 1)
    return float(np.mean(np.minimum(1.0, 2 * np.minimum(lo, hi)) <= ALPHA))


def _cell(n: int, sigma: float, reps: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    out = {k: 0.0 for k in ("q25_size", "q25_size_cond", "q25_size5", "q25_power", "q25_cover", "q10_size", "q10_power",
                            "rec_size", "rec_power", "naive_size")}
    for i in range(reps):
        for h1 in (False, True):
            t, y = _pool(rng, n, sigma, SLOPE_H1 if h1 else 0.0)
            q25 = quantile_trend(t, y, tau=0.25, level=1 - ALPHA, n_perm=999, seed=i, interval=h1)
            q10 = quantile_trend(t, y, tau=0.10, level=1 - ALPHA, n_perm=999, seed=i, interval=False)
            rec = record_trend_test(t, y, n_perm=199, level=1 - ALPHA, interval=False, seed=i)
            tag = "power" if h1 else "size"
            out[f"q25_{tag}"] += q25.p_value <= ALPHA
            out[f"q10_{tag}"] += q10.p_value <= ALPHA
            out[f"rec_{tag}"] += bool(math.isfinite(rec.p_value) and rec.p_value <= ALPHA)
            if h1:
                out["q25_cover"] += q25.conf_low <= SLOPE_H1 <= q25.conf_high
            else:
                out["q25_size5"] += q25.p_value <= 0.05
                out["q25_size_cond"] += _conditional_size(t, 0.25, i)
                out["naive_size"] += bool(math.isfinite(rec.naive_p_value) and rec.naive_p_value < ALPHA)
    return {k: v / reps for k, v in out.items()}


def _clustered(n_models: int, reps: int, seed: int, n_boot: int) -> dict[str, float]:
    """Models with a launch price and, for 40% of them, one or two later cuts (same model effect)."""
    rng = np.random.default_rng(seed)
    cover = cover_naive = 0
    for i in range(reps):
        t, y, g = [], [], []
        for m in range(n_models):
            t0 = rng.uniform(0, 2.5)
            u = rng.normal(0, 1.0)                       # the model's own price level
            t.append(t0)
            y.append(SLOPE_H1 * t0 + u)
            g.append(m)
            for _ in range(rng.choice([0, 0, 0, 1, 2])):
                t0 = min(3.0, t0 + rng.uniform(0.1, 0.8))
                t.append(t0)
                y.append(SLOPE_H1 * t0 + u - abs(rng.normal(0, 0.3)) + 0.15)   # a cut, the model's level kept
                g.append(m)
        ta, ya = np.array(t), np.array(y)
        r = quantile_trend(ta, ya, tau=0.25, level=1 - ALPHA, clusters=np.array(g), n_boot=n_boot, seed=i)
        cover += r.conf_low <= SLOPE_H1 <= r.conf_high
        r0 = quantile_trend(ta, ya, tau=0.25, level=1 - ALPHA, n_perm=999, seed=i)
        cover_naive += r0.conf_low <= SLOPE_H1 <= r0.conf_high
    return {"cover": cover / reps, "cover_ignoring_clusters": cover_naive / reps}


def _pct(v: float) -> str:
    return f"{100 * v:.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000, help="Monte Carlo draws per cell and hypothesis")
    ap.add_argument("--cluster-reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs" / "record_inference.md"))
    a = ap.parse_args(argv)
    t_start = time.time()
    rows = []
    for j, n in enumerate(SIZES):
        for k, s in enumerate(SIGMAS):
            c = _cell(n, s, a.reps, a.seed + 100 * j + k)
            rows.append((n, s, c))
            print(f"n={n} sigma={s}: {c}", file=sys.stderr)
    crow = [(m, _clustered(m, a.cluster_reps, a.seed + 7 * m, n_boot=199)) for m in (20, 40, 90)]
    mc_se = math.sqrt(ALPHA * (1 - ALPHA) / a.reps)
    lines = [
        "# Trend inference for \"cheapest above a threshold\" pools: size and power",
        "",
        "Generated by `scripts/record_power.py` (re-run it to reproduce; "
        f"{a.reps} pools per cell and hypothesis, seed {a.seed}, {time.time() - t_start:.0f} s).",
        "",
        "**Set-up.** A pool of *n* models released uniformly over two years; log price = slope × t + σ ε. "
        "H0: no trend. H1: prices fall 4.5× a year. Nominal level 10% (two-sided), "
        f"Monte Carlo standard error of a rejection rate near 10%: {100 * mc_se:.1f} points. "
        "Acceptance (issue 19): size ≤ nominal + 3 points in every cell; power ≥ 80% at n ≥ 60. "
        "*Size given dates* is the test's rejection probability under H0 computed from the dates alone (under H0 "
        "the models below the line are a uniformly random subset, whatever σ), averaged over the simulated pools: "
        "the size without the noise of the simulated prices.",
        "",
        "**Methods.** *Quantile τ* — slope of the τ-th quantile of log price on time over the whole pool "
        "(`lf.quantile_trend`), exact rank-score permutation test, interval by test inversion; τ = 0.25 is "
        "the default and what `calibrated_threshold_trends` and `constant_capability_decline` use. "
        "*Record permutation* — the previous calibrated test (`lf.record_trend_test`: dates permuted, running "
        "minimum re-formed). *Naive OLS* — Epoch's t test through the running minimum.",
        "",
        "| n | σ | size τ=.25 (10%) | size τ=.25 given dates (10%) | size τ=.25 (5%) | power τ=.25 | coverage of 90% CI τ=.25 | size τ=.10 | "
        "power τ=.10 | size record perm. | power record perm. | size naive OLS |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, s, c in rows:
        lines.append(f"| {n} | {s:g} | {_pct(c['q25_size'])} | {_pct(c['q25_size_cond'])} | {_pct(c['q25_size5'])} | {_pct(c['q25_power'])} | "
                     f"{_pct(c['q25_cover'])} | {_pct(c['q10_size'])} | {_pct(c['q10_power'])} | "
                     f"{_pct(c['rec_size'])} | {_pct(c['rec_power'])} | {_pct(c['naive_size'])} |")
    worst = max(c["q25_size"] for _, _, c in rows)
    low = min(c["q25_power"] for n, _, c in rows if n >= 60)
    lines += [
        "",
        f"Quantile τ = 0.25: largest size {_pct(worst)}% (nominal 10%); smallest power at n ≥ 60 {_pct(low)}%. "
        "The record permutation test keeps its size but its power stays near or below its size: with a true "
        "trend the running minimum has more, flatter steps than without one, so its slope does not separate "
        "the hypotheses. It is no longer used for the calibrated column.",
        "",
        "## Models with several dated prices: cluster bootstrap",
        "",
        "Constant-capability pools hold each model's launch price and its later cuts, which share the model's "
        "price level. `constant_capability_decline` then uses a cluster (model) bootstrap of the same "
        "quantile-regression slope. Coverage of its 90% interval (true fall 4.5×/yr, 40% of models with one or "
        f"two cuts, {a.cluster_reps} pools, 199 resamples), beside the permutation interval that ignores the "
        "clusters:",
        "",
        "| models | coverage, cluster bootstrap | coverage, ignoring clusters |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {m} | {_pct(c['cover'])} | {_pct(c['cover_ignoring_clusters'])} |" for m, c in crow]
    lines += [
        "",
        "## Why the estimand changed",
        "",
        "A running minimum is a handful of order statistics selected from the pool; its points depend on each "
        "other and OLS through them finds a decline without any trend (column *size naive OLS*). Its slope also "
        "depends on which model happened to be first. The lower-quantile slope uses every model at or above "
        "the threshold; when the pool's price distribution shifts over time, the running minimum's expected path "
        "falls at the same rate. Epoch's running-minimum OLS is kept, labelled, as an exact reproduction of "
        "Epoch (`lf.epoch_reproduction`).",
        "",
    ]
    text = "\n".join(lines)
    if a.out == "-":
        print(text)
    else:
        Path(a.out).write_text(text, encoding="utf-8")
        print(f"wrote {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
