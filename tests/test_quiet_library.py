"""The library prints nothing in normal use (issue 22, point 4).

Run as subprocesses: HiGHS writes its banner from C++ straight to a file descriptor,
which ``capsys`` never sees. A Python API call that solves linear programs (DEA) must
leave both fd 1 and fd 2 empty.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

LP_CALL = """
import pandas as pd
import llmflation as lf
x = pd.DataFrame({"x": [2.0, 3.0, 4.0, 5.0]}, index=list("abcd"))
y = pd.DataFrame({"y": [1.0, 2.0, 2.5, 2.0]}, index=list("abcd"))
r = lf.dea(x, y, rts="vrs")
m = lf.malmquist(pd.DataFrame({"firm": list("abab"), "year": [1, 1, 2, 2], "x": [1.0, 2.0, 1.0, 2.0],
                               "y": [1.0, 1.5, 2.0, 2.5]}), dmu="firm", period="year", inputs=["x"], outputs=["y"])
assert r.efficiency.between(0, 1).all() and len(m.to_frame())
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)


def test_highs_banner_would_be_seen_by_this_test() -> None:
    """The capture works: building a bare ``highspy.Highs()`` does print the banner."""
    r = _run("import highspy; highspy.Highs()")
    assert "HiGHS" in r.stdout + r.stderr


def test_lp_api_call_prints_nothing() -> None:
    r = _run(LP_CALL)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", f"the library wrote to stderr: {r.stderr[:300]!r}"
    assert r.stdout == "", f"the library wrote to stdout: {r.stdout[:300]!r}"
