"""DEA/Malmquist speed: our HiGHS frontier vs a scipy ``linprog`` loop (and Pyfrontier).

3 inputs, 2 outputs, uniform random data (seeded), CRS input orientation, radial scores
only (no slack stage) so that every solver does the same work. "ms per LP" is wall time
divided by the number of DMUs evaluated; ours includes the reference-set reduction.
The linprog baseline (``method="highs"``, the full reference set in every LP, as a user
would write it) is timed on a sample of DMUs at large n to keep the run short; each LP
in the sample has the same size as the others, so its mean time per LP is the rate.
Pyfrontier (an external CBC process per LP through PuLP) is timed where it finishes in
reasonable time (n = 100) if it is installed. Malmquist: 1,000 DMUs × 8 periods.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from llmflation.methods.dea import dea
from llmflation.methods.malmquist import malmquist

M, S = 3, 2


def _data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(1, 10, (n, M)), rng.uniform(1, 10, (n, S))


def _linprog_theta(X: np.ndarray, Y: np.ndarray, o: int, Xr: np.ndarray | None = None,
                   Yr: np.ndarray | None = None) -> float:
    Xr = X if Xr is None else Xr
    Yr = Y if Yr is None else Yr
    n = len(Xr)
    c = np.r_[np.zeros(n), 1.0]
    A = np.vstack([np.c_[Xr.T, -X[o][:, None]], np.c_[-Yr.T, np.zeros((S, 1))]])
    b = np.r_[np.zeros(M), -Y[o]]
    r = linprog(c, A_ub=A, b_ub=b, bounds=[(0, None)] * n + [(None, None)], method="highs")
    return float(r.fun)


def _time_linprog(X: np.ndarray, Y: np.ndarray, sample: int, check: np.ndarray) -> float:
    idx = np.linspace(0, len(X) - 1, min(sample, len(X))).astype(int)
    t0 = time.perf_counter()
    vals = [_linprog_theta(X, Y, o) for o in idx]
    dt = (time.perf_counter() - t0) / len(idx)
    assert np.allclose(vals, check[idx], atol=1e-7), "linprog and ours disagree"
    return dt * 1e3


def _time_pyfrontier(X: np.ndarray, Y: np.ndarray, check: np.ndarray) -> float | None:
    try:
        from Pyfrontier.frontier_model import EnvelopDEA
    except ImportError:
        return None
    t0 = time.perf_counter()
    model = EnvelopDEA(frontier="CRS", orient="in")
    model.fit(X, Y)
    dt = (time.perf_counter() - t0) / len(X)
    scores = np.array([r.score for r in model.result])
    assert np.allclose(scores, check, atol=1e-5), "Pyfrontier and ours disagree"
    return dt * 1e3


def run() -> list[dict]:
    rows: list[dict] = []
    for n, sample in ((100, 100), (1000, 200), (5000, 40)):
        X, Y = _data(n)
        t0 = time.perf_counter()
        ours = dea(X, Y, rts="crs", orientation="input", slacks=False)
        ours_ms = (time.perf_counter() - t0) / n * 1e3
        theta = ours.theta.to_numpy()
        t0 = time.perf_counter()
        dea(X, Y, rts="crs", orientation="input", slacks=True)
        ours_slack_ms = (time.perf_counter() - t0) / n * 1e3
        lp_ms = _time_linprog(X, Y, sample, theta)
        rows.append({"case": f"dea n={n}", "solver": "llmflation (HiGHS, one model/frontier)",
                     "ms_per_lp": ours_ms, "ms_per_dmu_with_slacks": ours_slack_ms,
                     "baseline": "scipy linprog loop", "baseline_ms_per_lp": lp_ms,
                     "baseline_dmus_timed": min(sample, n), "ratio": lp_ms / ours_ms})
        if n <= 100:
            pf = _time_pyfrontier(X, Y, theta)
            rows.append({"case": f"dea n={n}", "solver": "llmflation (HiGHS, one model/frontier)",
                         "ms_per_lp": ours_ms, "baseline": "Pyfrontier (PuLP/CBC)",
                         "baseline_ms_per_lp": pf,
                         "ratio": (pf / ours_ms) if pf is not None else None,
                         "note": "" if pf is not None else "Pyfrontier not installed"})
    # Malmquist: 1,000 DMUs × 8 periods (output orientation, CRS with VRS split).
    n, T = 1000, 8
    rng = np.random.default_rng(1)
    frames = []
    for t in range(T):
        X, Y = rng.uniform(1, 10, (n, M)), rng.uniform(1, 10, (n, S)) * 1.05 ** t
        frames.append(pd.DataFrame(np.c_[X, Y], columns=["x1", "x2", "x3", "y1", "y2"])
                      .assign(dmu=np.arange(n), t=t))
    panel = pd.concat(frames, ignore_index=True)
    t0 = time.perf_counter()
    malmquist(panel, dmu="dmu", period="t", inputs=["x1", "x2", "x3"], outputs=["y1", "y2"])
    m_s = time.perf_counter() - t0
    n_lps = n * (T + T + 2 * (T - 1))  # own CRS + own VRS + two cross-period per pair
    X0, Y0 = frames[0][["x1", "x2", "x3"]].to_numpy(), frames[0][["y1", "y2"]].to_numpy()
    idx = np.arange(0, n, 20)
    t0 = time.perf_counter()
    for o in idx:
        _linprog_theta(X0, Y0, o)
    lp_ms = (time.perf_counter() - t0) / len(idx) * 1e3
    est = lp_ms * n_lps / 1e3
    rows.append({"case": f"malmquist {n} DMUs x {T} periods", "solver": "llmflation",
                 "seconds": m_s, "lps": n_lps, "ms_per_lp": m_s / n_lps * 1e3,
                 "baseline": "scipy linprog loop (rate timed on 50 LPs, extrapolated)",
                 "baseline_ms_per_lp": lp_ms, "baseline_seconds_est": est, "ratio": est / m_s})
    return rows


if __name__ == "__main__":  # pragma: no cover
    for r in run():
        print(r)
