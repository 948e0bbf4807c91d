"""`--format json|csv` prints nothing but data on stdout, for every command.

Run as real subprocesses: C libraries (HiGHS prints a banner from C++ when a solver is
built) write to file descriptor 1 directly, which ``capsys`` and in-process runners
never see. Every leaf command that has ``--format`` must appear in ``CASES`` (or in
``NOT_DATA`` with a reason), so a new command cannot skip this check.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import typer.main

from llmflation.cli import app
from llmflation.sources import bundled

pytestmark = pytest.mark.slow

REF = Path(__file__).parent / "reference"
DATA = Path(__file__).parent / "data"


def _nile() -> list[str]:
    return ["--csv", str(REF / "breaks_nile" / "data.csv"), "--column", "flow", "--date-column", "year"]


# command path -> extra arguments ({tmp} is replaced by a per-test temporary directory)
CASES: dict[str, list[str]] = {
    "breaks": [*_nile(), "--method", "supf"],
    "ingest": ["--db", "{tmp}/ingest.duckdb"],
    "models": [],
    "history": ["gpt-4o"],
    "cost": ["--model", "gpt-4o", "--input-tokens", "1e6", "--output-tokens", "2e5", "--on", "2025-06-01",
             "--cached-input-tokens", "5e5", "--batch", "--at", "17:00"],
    "sources": [],
    "tariff": ["gemini-2.5-pro", "--on", "2025-08-01"],
    "changes": ["--since", "2026-01-01", "--until", "2026-06-30"],
    "dispersion": ["llama-3.3-70b-instruct", "--source", "litellm", "--since", "2026-01-01"],
    "discrepancies": [],
    "dea": ["--csv", str(REF / "dea_deap_eg1" / "data.csv"), "--inputs", "x1,x2", "--outputs", "y"],
    "malmquist": ["--csv", str(REF / "malmquist_dea_jl_3periods" / "data.csv"), "--dmu", "dmu",
                  "--period", "period", "--inputs", "x", "--outputs", "y"],
    "decompose": [],
    "elasticity": [],
    "us-china": [],
    "price-index": ["--prices", "{tmp}/prices.csv", "--formula", "jevons"],
    "hedonic": [],
    "headline-index": ["--n-boot", "20"],
    "hhi": ["--csv", str(DATA / "wheel_smoke_shares.csv")],
    "trend": [],
    "decline": [],
    "premium": [],
    "threshold": [],
    "forecast": [],
    "baumol": ["--part", "rates"],
    "jevons": ["--part", "accounting"],
    "price": ["gpt-4o-mini", "--on", "2024-09-01"],
    "robustness": ["--claim", "hhi"],
    "validate": [],
    "fetch openrouter": ["--payload", "{tmp}/openrouter.json", "--db", "{tmp}/fetch.duckdb"],
    "fetch openrouter-endpoints": ["--payload", str(DATA / "openrouter_endpoints_2026-11-01.json"),
                                   "--db", "{tmp}/endpoints.duckdb"],
    "fetch log": ["--db", "{tmp}/fetch.duckdb"],
    "fetch list": ["--db", "{tmp}/fetch.duckdb"],
}

# leaf commands with --format that cannot run offline in a test, and why
NOT_DATA: dict[str, str] = {
    "fetch litellm": "needs the network or a LiteLLM payload; same emit path as fetch openrouter",
    "fetch epoch": "needs the network or Epoch's zip; same emit path as fetch openrouter",
    "fetch artificial-analysis": "needs an API key",
    "fetch openrouter-rankings": "needs the network; same emit path as fetch openrouter",
    "fetch drop": "removes a snapshot the parallel `fetch log`/`fetch list` read; its JSON and CSV are checked "
                  "in tests/hostile/test_store_fetch.py",
}


def _leaf_commands_with_format() -> list[str]:
    out: list[str] = []

    def walk(c, path: tuple[str, ...] = ()) -> None:
        if hasattr(c, "commands"):
            for name, sub in c.commands.items():
                walk(sub, (*path, name))
        elif any("--format" in getattr(p, "opts", []) for p in c.params):
            out.append(" ".join(path))

    walk(typer.main.get_command(app))
    return sorted(out)


def test_every_command_with_format_is_checked() -> None:
    missing = [c for c in _leaf_commands_with_format() if c not in CASES and c not in NOT_DATA]
    assert not missing, f"add these commands to CASES (or NOT_DATA with a reason): {missing}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("stdout")
    pd.DataFrame({"period": ["2020", "2021", "2022"], "a": [1.0, 2.0, 4.0], "b": [1.0, 1.0, 2.0]}).to_csv(
        tmp / "prices.csv", index=False)
    (tmp / "openrouter.json").write_bytes(bundled.load_openrouter_payload(bundled.openrouter_payload_dates()[0]))
    return tmp


def _run(cmd: str, fmt: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    args = [a.replace("{tmp}", str(tmp)) for a in CASES[cmd]]
    # the default store lives in the (empty) user data dir: commands analyse the bundle alone
    env = {k: v for k, v in os.environ.items() if k != "LLMFLATION_DB"}
    env.update(COLUMNS="80", XDG_DATA_HOME=str(tmp / "xdg"), HOME=str(tmp / "home"))
    return subprocess.run([sys.executable, "-m", "llmflation", *cmd.split(), *args, "--format", fmt],
                          capture_output=True, text=True, env=env, timeout=300, cwd=tmp)


# ingest and fetch change the store: run them first so that `fetch log` has rows
ORDER = ["ingest", "fetch openrouter", *[c for c in CASES if c not in ("ingest", "fetch openrouter")]]
CSV_CASES = [c for c in ORDER if not c.startswith(("ingest", "fetch openrouter"))]


@pytest.fixture(scope="module")
def outputs(workdir: Path) -> dict[tuple[str, str], subprocess.CompletedProcess[str]]:
    """Every (command, format) run once: the two that write the store first, the rest in
    parallel (each is a separate process loading the bundle; the suite has 2 cores)."""
    from concurrent.futures import ThreadPoolExecutor

    done = {(c, "json"): _run(c, "json", workdir) for c in ORDER[:2]}
    jobs = [(c, "json") for c in ORDER[2:]] + [(c, "csv") for c in CSV_CASES]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        for key, res in zip(jobs, pool.map(lambda j: _run(j[0], j[1], workdir), jobs), strict=True):
            done[key] = res
    return done


@pytest.mark.parametrize("cmd", ORDER)
def test_json_is_only_json(cmd: str, outputs) -> None:
    r = outputs[(cmd, "json")]
    assert r.returncode == 0, r.stderr[-2000:]
    json.loads(r.stdout)  # raises on any banner, log line or table mixed into stdout


@pytest.mark.parametrize("cmd", CSV_CASES)
def test_csv_is_only_csv(cmd: str, outputs) -> None:
    r = outputs[(cmd, "csv")]
    assert r.returncode == 0, r.stderr[-2000:]
    assert "HiGHS" not in r.stdout and "Running" not in r.stdout
    if r.stdout.strip():
        df = pd.read_csv(io.StringIO(r.stdout))
        assert len(df.columns) >= 1
        # a stray line before the header would make every row ragged or the header odd
        first = r.stdout.splitlines()[0]
        assert first.count(",") == len(df.columns) - 1
