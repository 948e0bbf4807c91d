"""CLI: threshold (Epoch data, user CSV)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_helpers import run
from tolerances import EXACT_RTOL


def test_threshold_epoch_json_shows_reference(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["threshold", "--benchmark", "MMLU", "--format", "json"], capsys)
    assert code == 0
    rows = json.loads(out)["rows"]
    assert len(rows) == 5
    for r in rows:
        assert r["estimate"] == pytest.approx(r["reference_factor"], rel=1e-6)


def test_threshold_user_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = pd.DataFrame({"name": list("abcdef"),
                      "when": pd.date_range("2022-01-01", periods=6, freq="180D").strftime("%Y-%m-%d"),
                      "usd": 100 * 0.1 ** (np.arange(6) * 180 / 365), "score": [60, 62, 64, 66, 68, 70]})
    p = tmp_path / "mine.csv"
    d.to_csv(p, index=False)
    code, out, _ = run(["threshold", "--csv", str(p), "--date-column", "when", "--price-column", "usd",
                        "--model-column", "name", "--benchmark", "score", "--thresholds", "60", "--format", "csv"],
                       capsys)
    assert code == 0
    f = pd.read_csv(__import__("io").StringIO(out))
    assert f["estimate"].iloc[0] == pytest.approx(10.0, rel=EXACT_RTOL) and f["n"].iloc[0] == 6


def test_threshold_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["threshold", "--benchmark", "BLEU"], capsys)
    assert code == 1 and err.startswith("Error: benchmark column(s) ['BLEU'] not in prices")
    code, _, err = run(["threshold", "--source", "web"], capsys)
    assert code == 1 and err.strip() == "Error: --source 'web' is not allowed; expected one of: 'epoch', 'panel'."
