"""docs/tour.md runs: every `>>>` line of the notebook-style tour, as a doctest."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

TOUR = Path(__file__).resolve().parents[1] / "docs" / "tour.md"

pytestmark = pytest.mark.slow


def test_tour_runs():
    r = doctest.testfile(str(TOUR), module_relative=False, report=True, verbose=False,
                         optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert r.attempted >= 15, "the tour lost its examples"
    assert r.failed == 0, f"{r.failed} of {r.attempted} examples of docs/tour.md failed (see the output above)"
