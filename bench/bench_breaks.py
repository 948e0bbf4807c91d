"""Bai-Perron dynamic programming vs brute force and vs ``ruptures.Dynp``.

Series of length 100, 1,000 and 5,000 with 5 mean shifts plus N(0, 1) noise (seeded);
minimum segment h = floor(0.15 n); up to 5 breaks. Timed in the same run:

* ``ours_dp``: the O(n^2) dynamic programme alone (all m = 0..5 at once);
* ``ours_full``: the public ``bai_perron()`` (DP + BIC/LWZ + sequential tests + CIs);
* ``ruptures_dynp``: ``ruptures.Dynp(model="l2", min_size=h, jump=1)`` fit + predict for
  n_bkps = 5 (one call; its recursion solves the fewer-break subproblems on the way, but
  ``bai_perron`` also returns the optima for m = 1..4 and the tests), same series;
* ``brute_force``: exhaustive search over all admissible partitions, m = 1..5 (n = 100 only;
  the number of partitions explodes beyond that).

``ratio`` = baseline seconds / our seconds (> 1: ours is faster); the break dates found
by each method are compared (``same_breaks``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench._timing import best_of
from llmflation.methods import _breaks_core as core
from llmflation.methods.breaks import bai_perron

SEED = 7
SIZES = (100, 1_000, 5_000)
MAX_BREAKS = 5
TRIM = 0.15


def _series(n: int) -> np.ndarray:
    rng = np.random.default_rng(SEED + n)
    levels = rng.normal(0.0, 3.0, MAX_BREAKS + 1)
    return np.repeat(levels, n // (MAX_BREAKS + 1) + 1)[:n] + rng.standard_normal(n)




def run() -> list[dict]:
    import ruptures as rpt

    rows: list[dict] = []
    for n in SIZES:
        y = _series(n)
        h = int(np.floor(TRIM * n))
        repeat = 3 if n <= 1_000 else 1
        Xc, yc = core.condition(np.ones((n, 1)), y)
        t_dp, (rss, pos) = best_of(lambda Xc=Xc, yc=yc, h=h: core.dp_breaks(Xc, yc, h, MAX_BREAKS), repeat)
        s = pd.Series(y)
        t_full, res = best_of(lambda s=s: bai_perron(s, max_breaks=MAX_BREAKS, trim=TRIM), repeat)
        ours = {m: tuple(int(v) for v in pos[m, :m]) for m in range(1, MAX_BREAKS + 1)}

        def rup(y=y, h=h) -> tuple[int, ...]:
            algo = rpt.Dynp(model="l2", min_size=h, jump=1).fit(y)
            return tuple(algo.predict(n_bkps=MAX_BREAKS)[:-1])

        t_rup, rup_bk = best_of(rup, 1)
        rows.append({"case": f"n={n}, h={h}, m<=5", "baseline": "ruptures.Dynp(l2, jump=1)",
                     "baseline_s": round(t_rup, 4), "ours_dp_s": round(t_dp, 4), "ours_full_s": round(t_full, 4),
                     "ratio": round(t_rup / t_dp, 2), "ratio_full": round(t_rup / t_full, 2),
                     "same_breaks": rup_bk == ours[MAX_BREAKS]})
        if n == 100:
            def brute(y=y, h=h) -> dict[int, tuple[int, ...]]:
                X = np.ones((len(y), 1))
                return {m: core.brute_force_breaks(X, y, h, m)[1] for m in range(1, MAX_BREAKS + 1)}

            t_bf, bf = best_of(brute, 1)
            rows.append({"case": f"n={n}, h={h}, m<=5", "baseline": "brute force (all partitions)",
                         "baseline_s": round(t_bf, 4), "ours_dp_s": round(t_dp, 4),
                         "ours_full_s": round(t_full, 4), "ratio": round(t_bf / t_dp, 2),
                         "ratio_full": round(t_bf / t_full, 2), "same_breaks": bf == ours})
        del res
    return rows
