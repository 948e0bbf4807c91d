"""Bootstrap CIs of every tier trend: vectorised resampling vs a loop of statsmodels fits.

Both sides fit the same 10,000 case resamples of each tier's dated prices (the panel's
default tiers and observations); the vectorised path builds one ``(B, n)`` index matrix
and gets all slopes from sums, the baseline calls ``statsmodels.OLS(...).fit()`` per
resample. The rows report both timings, their ratio, and the largest difference between
the two sets of slopes (they must agree to rounding).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

N_BOOT = 10_000
SEED = 20260328


def run() -> list[dict]:
    import statsmodels.api as sm

    import llmflation as lf
    from llmflation.methods.ols import bootstrap_slopes, percentile_interval
    from llmflation.study.trends import to_years

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = lf.load_panel()
    obs = lf.price_trend(panel, n_boot=0).observations
    rows = []
    for i, (group, d) in enumerate(obs.groupby("group", sort=False)):
        x = to_years(d["date"])
        y = np.log(d["price"].to_numpy(dtype=float))
        n = x.size
        t0 = time.perf_counter()
        fast = bootstrap_slopes(x, y, n_boot=N_BOOT, seed=SEED + i)
        ci_fast = percentile_interval(fast, 0.95)
        t_fast = time.perf_counter() - t0

        t0 = time.perf_counter()
        idx = np.random.default_rng(SEED + i).integers(0, n, size=(N_BOOT, n))
        slow = np.empty(N_BOOT)
        for b in range(N_BOOT):
            xb = x[idx[b]]
            slow[b] = sm.OLS(y[idx[b]], sm.add_constant(xb, has_constant="add")).fit().params[1]
        ci_slow = percentile_interval(slow, 0.95)
        t_slow = time.perf_counter() - t0
        rows.append({
            "case": f"bootstrap CI, tier {group}", "n": n, "resamples": N_BOOT,
            "vectorised_s": round(t_fast, 4), "statsmodels_loop_s": round(t_slow, 3),
            "ratio": round(t_slow / t_fast, 1),
            "max_abs_slope_diff": float(np.max(np.abs(fast - slow))),
            "ci_vectorised": [round(v, 6) for v in ci_fast], "ci_loop": [round(v, 6) for v in ci_slow],
        })
    return rows
