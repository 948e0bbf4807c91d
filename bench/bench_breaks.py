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

Size guard (issue 23): ``bai_perron`` refuses series above ``MAX_BAI_PERRON_N`` (20,000)
because its work grows as n². Rows ``size guard``: the full ``bai_perron`` at n = 10^4
against the same call at n = 10^3 measured in this run (``ratio`` = seconds(10^4) /
seconds(10^3), ~100 for n² work; ``n2_ratio`` = 100), and at n = 10^5 the refusal
(seconds until the ``InputError``) against the cost the guard avoids, extrapolated from
the 10^4 timing (by the growth from 10^3 to 10^4 seen in this run, and by n²; ``ratio`` =
avoided / refusal seconds), plus the documented way
out: the same series aggregated to 1,000 means (``aggregated_s``, breaks found).
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
    rows.extend(_size_guard())
    return rows


def _size_guard() -> list[dict]:
    from llmflation.errors import InputError
    from llmflation.methods.breaks import MAX_BAI_PERRON_N

    def full(n: int) -> float:
        s = pd.Series(_series(n))
        t, _ = best_of(lambda: bai_perron(s, max_breaks=MAX_BREAKS, trim=TRIM), 1)
        return t

    t3, t4 = full(1_000), full(10_000)
    rows = [{"case": "size guard: n=10^4 vs n=10^3", "baseline": "bai_perron at n=1,000 (same run)",
             "baseline_s": round(t3, 4), "ours_full_s": round(t4, 4), "ratio": round(t4 / t3, 1),
             "n2_ratio": 100.0}]
    n = 100_000
    y = pd.Series(_series(n))

    def refuse() -> str:
        try:
            bai_perron(y, max_breaks=MAX_BREAKS, trim=TRIM)
        except InputError as exc:
            return str(exc)
        raise AssertionError(f"n={n} above MAX_BAI_PERRON_N={MAX_BAI_PERRON_N} was not refused")

    t_ref, msg = best_of(refuse, 3)
    # the cost the guard avoids, extrapolated from n=10^4 two ways: by the growth measured
    # from 10^3 to 10^4 in this run (conservative: fixed costs still weigh at 10^3) and by n²
    avoided = t4 * (t4 / t3)
    avoided_n2 = t4 * (n / 10_000) ** 2
    agg = y.groupby(np.arange(n) // 100).mean()  # the way out the message names: aggregate
    t_agg, res = best_of(lambda: bai_perron(agg, max_breaks=MAX_BREAKS, trim=TRIM), 1)
    rows.append({"case": f"size guard: n=10^5 (limit {MAX_BAI_PERRON_N:,})", "baseline": "full run extrapolated "
                 "from n=10^4 (growth 10^3→10^4)", "baseline_s": round(avoided, 1), "baseline_n2_s": round(avoided_n2, 1),
                 "ours_full_s": round(t_ref, 4),
                 "ratio": round(avoided / t_ref, 1), "refused": "limit of" in msg, "aggregated_s": round(t_agg, 4),
                 "aggregated_breaks": len(res.breaks)})
    return rows
