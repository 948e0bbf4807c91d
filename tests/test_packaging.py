"""The set-up a user gets: the lock covers the project, the wheel carries every data file.

`.ci/run` also installs the built wheel into a fresh virtual environment and runs
commands from it (`make check-wheel`); these tests catch the same mistakes earlier.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
PKG = ROOT / "src" / "llmflation"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _lock_pins() -> dict[str, list[tuple[str, str]]]:
    """name -> [(version, marker)] from the hashed lock."""
    pins: dict[str, list[tuple[str, str]]] = {}
    for line in LOCK.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", line)
        if m:
            name = re.sub(r"\[.*\]", "", m.group(1)).lower().replace("_", "-")
            pins.setdefault(name, []).append((m.group(2), (m.group(3) or "").strip()))
    return pins


def _norm(name: str) -> str:
    return name.lower().replace("_", "-")


def test_every_declared_dependency_is_pinned_with_hashes() -> None:
    meta = _pyproject()["project"]
    declared = [Requirement(r) for r in meta["dependencies"] + meta["optional-dependencies"]["dev"]]
    pins = _lock_pins()
    missing = [str(r) for r in declared if _norm(r.name) not in pins]
    assert not missing, f"not in {LOCK.name}: {missing}; run `make lock`"
    # every pin satisfies the range pyproject.toml asks for
    for r in declared:
        for version, _marker in pins[_norm(r.name)]:
            assert r.specifier.contains(version, prereleases=True), (r, version)
    body = LOCK.read_text()
    # hashes on every pinned requirement (pip --require-hashes refuses the file otherwise)
    blocks = re.split(r"\n(?=[A-Za-z0-9])", body)
    unhashed = [b.split()[0] for b in blocks if "==" in b.split("\n")[0] and "--hash=sha256:" not in b]
    assert not unhashed, unhashed


@pytest.mark.skipif(os.environ.get("LLMFLATION_UNLOCKED") == "1",
                    reason="make test-latest runs the newest releases on purpose (not the lock)")
def test_the_running_environment_is_the_locked_one() -> None:
    """`make test` installs the lock: what runs is what is pinned (for this Python)."""
    env = {"python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
           "python_full_version": ".".join(map(str, sys.version_info[:3]))}
    wrong = []
    for name, versions in _lock_pins().items():
        want = [v for v, marker in versions if not marker or Marker(marker).evaluate(env)]
        if not want:
            continue
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # a platform-specific dependency that does not apply here
        if have != want[0]:
            wrong.append(f"{name}: installed {have}, locked {want[0]}")
    if wrong and not (ROOT / ".venv" / ".installed").exists():
        pytest.skip("not running from the project's locked .venv")
    assert not wrong, "the environment drifted from requirements.lock: " + "; ".join(wrong[:10])


def test_build_requirement_matches_the_metadata() -> None:
    """`license = "<SPDX>"` (PEP 639) needs setuptools >= 77."""
    pp = _pyproject()
    req = [Requirement(r) for r in pp["build-system"]["requires"] if r.startswith("setuptools")][0]
    if isinstance(pp["project"].get("license"), str):
        assert not req.specifier.contains("76.9"), f"build requires {req}; a string licence needs >= 77"


@pytest.mark.slow
def test_the_wheel_carries_every_file_the_package_reads(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                        "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    (whl,) = tmp_path.glob("llmflation-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    tracked = subprocess.run(["git", "ls-files", "src/llmflation"], cwd=ROOT, capture_output=True,
                             text=True).stdout.split()
    if not tracked:  # not a git checkout: every file on disk
        tracked = [str(p.relative_to(ROOT)) for p in PKG.rglob("*") if p.is_file()]
    want = {t.removeprefix("src/") for t in tracked if "__pycache__" not in t}
    missing = sorted(n for n in want if n not in names)
    assert not missing, f"files in src/ missing from the wheel (add them to package-data): {missing[:20]}"


REL_LITERAL = re.compile(r"\b(?:rel|rtol|rel_tol)\s*=\s*[0-9.]*e-(\d+)")
#: absolute tolerances on exact synthetic quantities (of order one) may go to 1e-9
ABS_LITERAL = re.compile(r"\b(?:abs|atol|abs_tol)\s*=\s*[0-9.]*e-(\d+)|<=\s*[0-9.]*e-(\d+)\)")


def test_no_unnamed_tolerance_tighter_than_implementation_rounding() -> None:
    """Comparisons use the named constants of tests/tolerances.py (with their reasons):
    relative literals tighter than 1e-8 and absolute ones tighter than 1e-9 are refused."""
    bad = []
    for f in sorted((ROOT / "tests").glob("*.py")):
        for i, line in enumerate(f.read_text().splitlines(), 1):
            rel, ab = REL_LITERAL.search(line), ABS_LITERAL.search(line)
            if (rel and int(rel.group(1)) > 8) or (ab and int(ab.group(1) or ab.group(2)) > 9):
                bad.append(f"{f.name}:{i}: {line.strip()}")
    assert not bad, "use a named tolerance from tests/tolerances.py:\n" + "\n".join(bad)
