"""CLI: `llmflation dea | malmquist | decompose | elasticity | us-china`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cli_helpers import run

REF = Path(__file__).parent / "reference"
EG1 = str(REF / "dea_deap_eg1" / "data.csv")
GL = REF / "malmquist_productivity_grifell_lovell"
GL_CSV = str(GL / "data.csv")




def test_dea_json(capsys):
    code, out, _ = run(["dea", "--csv", EG1, "--inputs", "x1,x2", "--outputs", "y", "--dmu",
                        "firm", "--format", "json"], capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["title"] == "DEA (CRS, input orientation)"
    assert [round(r["efficiency"], 3) for r in payload["rows"]] == [0.5, 1.0, 0.833, 0.714, 1.0]


def test_dea_csv_vrs_output(capsys):
    code, out, _ = run(["dea", "--csv", EG1, "--inputs", "x1,x2", "--outputs", "y", "--rts",
                        "vrs", "--orientation", "output", "--format", "csv"], capsys)
    assert code == 0
    assert out.splitlines()[0].startswith("dmu,efficiency,phi,peers")


def test_dea_table(capsys):
    code, out, _ = run(["dea", "--csv", EG1, "--inputs", "x1,x2", "--outputs", "y"], capsys)
    assert code == 0 and "DEA (CRS, input orientation)" in out


def test_malmquist_by_period_csv(capsys):
    code, out, _ = run(["malmquist", "--csv", GL_CSV, "--dmu", "dmu", "--period", "year",
                        "--inputs", "x", "--outputs", "y", "--by", "period", "--format", "csv"],
                       capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "period,base_period,effch,techch,pech,sech,tfpch,n"
    # mean tfpch = geometric mean of R productivity's per-DMU Malmquist indices
    ref = json.loads((GL / "expected.json").read_text())["orientations"]["output"]
    mean = lines[-1].split(",")
    assert mean[0] == "mean" and mean[-1] == "8"
    assert float(mean[6]) == pytest.approx(np.exp(np.mean(np.log(ref["malmquist"]))), rel=1e-6)


def test_malmquist_rows_json(capsys):
    code, out, _ = run(["malmquist", "--csv", GL_CSV, "--dmu", "dmu", "--period", "year",
                        "--inputs", "x", "--outputs", "y", "--format", "json"], capsys)
    assert code == 0
    assert len(json.loads(out)["rows"]) == 8


@pytest.mark.parametrize("args, message", [
    (["dea", "--csv", "missing.csv", "--inputs", "x", "--outputs", "y"],
     "Error: --csv 'missing.csv' is not a file; expected a CSV."),
    (["dea", "--csv", EG1, "--inputs", "x9", "--outputs", "y"],
     "Error: --inputs: columns ['x9'] not in the CSV; available: ['firm', 'y', 'x1', 'x2']."),
    (["dea", "--csv", EG1, "--inputs", "x1", "--outputs", "y", "--rts", "bcc"],
     "Error: rts='bcc' is not allowed; expected one of: 'crs', 'vrs'."),
    (["malmquist", "--csv", GL_CSV, "--dmu", "dmu", "--period", "year", "--inputs", "x",
      "--outputs", "y", "--by", "year"],
     "Error: by='year' is not allowed; expected one of: 'rows', 'period', 'dmu'."),
])
def test_errors_exit_1(capsys, args, message):
    code, _, err = run(args, capsys)
    assert code == 1
    assert err.strip() == message


def test_missing_required_option_is_usage_error(capsys):
    code, _, err = run(["dea", "--csv", EG1, "--inputs", "x1"], capsys)
    assert code == 2 and "--outputs" in err


@pytest.mark.slow
def test_bundled_commands(capsys):
    code, out, _ = run(["us-china", "--n-boot", "200", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["rows"][0]["term"] == "training_cost_gap_us_over_china"
    code, out, _ = run(["decompose", "--format", "csv"], capsys)
    assert code == 0 and "tfp_residual" in out
    code, out, _ = run(["decompose", "--sources", "--format", "csv"], capsys)
    assert code == 0 and "hardware_prices" in out
    code, out, _ = run(["decompose", "--hosting", "exclude", "--format", "json"], capsys)
    payload = json.loads(out)
    assert code == 0 and "energy_hosting" not in {r["term"] for r in payload["rows"]}
    code, _, err = run(["decompose", "--hosting", "maybe"], capsys)
    assert code == 1 and err.strip() == ("Error: hosting='maybe' is not allowed; expected one "
                                         "of: 'include', 'exclude'.")
    code, out, _ = run(["elasticity", "--format", "csv"], capsys)
    assert code == 0 and "log_training_cost" in out
