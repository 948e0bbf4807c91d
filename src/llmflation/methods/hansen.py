"""Hansen (1997) response-surface p-values for sup-F, ave-F and exp-F structural-change tests.

Source of the coefficients
--------------------------
Hansen, B. E. (1997), "Approximate asymptotic p values for structural-change tests",
*Journal of Business & Economic Statistics* 15(1), 60-67. The coefficient tables are
copied verbatim (as data) from the R package strucchange 1.5-4 (Zeileis, Leisch, Hornik,
Kleiber), file ``R/pvalue.Fstats.R``, objects ``sc.beta.sup``, ``sc.beta.ave`` and
``sc.beta.exp`` (CRAN snapshot github.com/cran/strucchange, commit 3e40f84 "version 1.5-4"),
which reproduce Hansen's published tables. They are stored as data in
``methods/tables/hansen1997.csv`` (its provenance in ``methods/tables/SOURCE.md``),
verified by sha256 when loaded.

Layout: for each test, 1000 rows = 40 numbers of breaking regressors ``k`` (1..40) x 25
trimming values (row ``(k-1)*25 + i``, i = 1..25, holds ``tau = 0.51 - 0.02*i``, i.e.
0.49, 0.47, ..., 0.01; see :func:`hansen_pvalue`); columns = coefficients of a polynomial in the statistic (degree 1
for sup-F, 3 for ave-F and exp-F) followed by the degrees of freedom ``nu`` of the
approximating chi-square: ``p = 1 - F_chi2(nu)(max(0, sum_j beta_j x**j))``.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np
from scipy import stats

from llmflation.errors import SnapshotIntegrityError
from llmflation.signature import PositiveFloat, PositiveInt, Real, validated

Kind = Literal["sup", "ave", "exp"]

#: The coefficient tables: ``tables/hansen1997.csv`` (kind, k, tau, b0..b3, nu; see tables/SOURCE.md).
TABLE_FILE = "hansen1997.csv"
#: sha256 of that file, checked on load (the file is package data, outside the bundle's MANIFEST).
TABLE_SHA256 = "8ab038c249ab1126346cf23aa81ab43c5ffed34c5016894fffb60756e8ed27ed"


@lru_cache(maxsize=1)
def _tables() -> dict[str, np.ndarray]:
    """``kind → (1000, m + 1)`` arrays: polynomial coefficients then ``nu``, rows ordered by (k, tau desc)."""
    raw = (resources.files("llmflation.methods") / "tables" / TABLE_FILE).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != TABLE_SHA256:
        raise SnapshotIntegrityError(f"methods/tables/{TABLE_FILE} has sha256 {digest}, expected {TABLE_SHA256}; "
                                 "the Hansen (1997) table was altered: reinstall llmflation.")
    out: dict[str, np.ndarray] = {}
    lines = raw.decode().splitlines()[1:]
    for kind, m in (("sup", 2), ("ave", 4), ("exp", 4)):
        rows = [line.split(",") for line in lines if line.startswith(kind + ",")]
        out[kind] = np.array([[float(v) for v in r[3:3 + m]] + [float(r[7])] for r in rows])
    return out


def tau_from_lambda(lam: float) -> float:
    """Hansen's trimming parameter ``tau`` from Andrews' ``lambda``.

    For a symmetric trimming ``[pi0, 1 - pi0]``, ``lambda = ((1 - pi0) / pi0)**2`` and
    ``tau = pi0``. In general ``lambda = pi2 (1 - pi1) / (pi1 (1 - pi2))`` for candidate
    break fractions ``[pi1, pi2]`` and ``tau = 1 / (1 + sqrt(lambda))``.

    Examples
    --------
    >>> round(tau_from_lambda(((1 - 0.15) / 0.15) ** 2), 10)
    0.15
    """
    return float(lam) if lam < 1 else float(1.0 / (1.0 + np.sqrt(lam)))


@validated
def hansen_pvalue(x: Real, kind: Kind, k: PositiveInt, lam: PositiveFloat) -> float:
    """Asymptotic p-value of a sup-F/ave-F/exp-F statistic (Hansen 1997 approximation).

    Parameters
    ----------
    x : float
        The statistic on the Wald (chi-square) scale, i.e. ``k`` times the F form.
    kind : {"sup", "ave", "exp"}
        Which functional of the F sequence.
    k : int
        Number of regressors allowed to break (1..40; larger values use 40, as strucchange).
    lam : float
        Andrews' ``lambda`` of the candidate range (see :func:`tau_from_lambda`).

    Notes
    -----
    Interpolates linearly in ``tau`` between Hansen's 25 grid points
    ``tau = 0.49, 0.47, ..., 0.01`` (``tau = 0.5``: chi-square(k); ``tau <= 0.01``: the
    last grid point), exactly as ``strucchange::pvalue.Fstats``.

    Examples
    --------
    >>> round(hansen_pvalue(8.68, "sup", 1, ((1 - 0.15) / 0.15) ** 2), 2)
    0.05
    """
    k = int(min(max(k, 1), 40))
    beta = _tables()[kind][(k - 1) * 25 : k * 25]
    m = beta.shape[1] - 1
    tau = tau_from_lambda(lam)
    powers = np.power(float(x), np.arange(m))
    dummy = beta[:, :m] @ powers
    dummy = np.where(dummy > 0, dummy, 0.0)
    pp = stats.chi2.sf(dummy, beta[:, m])
    if tau == 0.5:
        p = stats.chi2.sf(x, k)
    elif tau <= 0.01:
        p = pp[24]
    elif tau >= 0.49:
        p = ((0.5 - tau) * pp[0] + (tau - 0.49) * stats.chi2.sf(x, k)) * 100
    else:
        taua = (0.51 - tau) * 50
        tau1 = int(np.floor(taua))
        p = (tau1 + 1 - taua) * pp[tau1 - 1] + (taua - tau1) * pp[tau1]
    return float(min(max(p, 0.0), 1.0))
