"""Named tolerances for numeric comparisons, each with its reason.

A tolerance tighter than ``IMPL_RTOL`` tests the floating-point behaviour of a library
version (summation order, BLAS kernels, SIMD paths), not our code: the first session's
suite failed on a fresh install because a CR1 standard error computed two ways agreed
to 4.6e-10 instead of 1e-10 under numpy 2.4 / statsmodels 0.15.
"""

#: The same quantity computed by two implementations (ours vs statsmodels/scipy, a
#: vectorised path vs a loop, joblib vs dask): both are exact in exact arithmetic, and
#: they differ only by rounding that depends on library versions.
IMPL_RTOL = 1e-8

#: A noiseless synthetic input with a closed-form answer (exactness is the point): the
#: only error is rounding in one least-squares solve, well below this.
EXACT_RTOL = 1e-10

#: An algebraic identity between fields of one result (a product of factors equals the
#: total, a geometric mean of its parts): a few floating-point operations apart.
IDENTITY_RTOL = 1e-10

#: Answers of a linear programme (DEA, Malmquist): HiGHS's default primal and dual
#: feasibility tolerances are 1e-7, so a vertex can move by that much across versions.
LP_RTOL = 1e-7

#: An absolute version of ``EXACT_RTOL`` for quantities whose exact value is zero (a slope
#: of a constant series, a running minimum's non-positive steps).
EXACT_ATOL = 1e-10

#: Our quantile-regression slope (the zero of the rank score, bisection to 2^-60 of the
#: bracket) against statsmodels' QuantReg, which stops its iteratively reweighted least
#: squares at a 1e-6 change in the parameters.
QUANTREG_ATOL = 1e-5
