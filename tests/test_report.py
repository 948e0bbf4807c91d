import json

import pandas as pd

from llmflation.report import build
from llmflation.report import sections as _registered  # noqa: F401  (registers the analysis sections)


def test_report_escapes_untrusted_strings_and_survives_a_failing_section(tmp_path, monkeypatch, panel):
    evil = "<script>alert('x')</script>"

    def hostile(p):
        return build.Section("hostile", "Hostile", tables=[build.Table("t", pd.DataFrame({"model": [evil]}))])

    def broken(p):
        raise RuntimeError("boom <b>")

    monkeypatch.setattr(build, "SECTIONS", {"hostile": hostile, "broken": broken})
    sub = panel[panel["source"] == "milestones"]
    path = build.build_report(tmp_path, panel=sub)
    html = path.read_text()
    assert evil not in html and "&lt;script&gt;" in html
    assert "boom &lt;b&gt;" in html  # the failing section reports its error, escaped
    assert html.count("<section") == 5  # coverage, milestones, hostile, broken, paper vs ours
    assert "data:image/png;base64," in html  # figures are inlined (self-contained)
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["sections"]["broken"]["error"].startswith("RuntimeError")
    assert (tmp_path / "tables").is_dir() and any((tmp_path / "tables").iterdir())
    assert "CC BY 4.0" in html
