"""The report's sections on two processes (issue 20): the worker is forked before the panel is
built, runs the sections that need no panel meanwhile, and gets the panel this process built."""

from __future__ import annotations

import os
import time

import pandas as pd

from llmflation.report import build, sections
from llmflation.report.render import Section
from llmflation.study.inputs import StudyInputs


def test_worker_forked_before_the_panel_gets_this_process_panel(monkeypatch, tmp_path, panel):
    small = panel[panel["source"] == "milestones"].copy()
    small.attrs["vintage"] = "test vintage"
    built = tmp_path / "built"

    def load_panel(**kw):  # the panel build: slow, recorded per process
        with built.open("a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(2.0)  # ample time for the fork to be scheduled, even on a loaded machine
        return small.copy()

    monkeypatch.setattr("llmflation.study.inputs.load_panel", load_panel)
    monkeypatch.setattr(build, "NO_PANEL", frozenset({"early"}))

    def early(inputs):  # needs no panel: the worker takes it while this process builds the panel
        return Section("early", "Early", notes=[f"pid {os.getpid()}"], no_figure="none")

    def uses(name):
        def run(inputs):
            p = inputs.panel()
            return Section(name, name.title(), notes=[f"{len(p)} rows, {p.attrs['vintage']}",
                                                      str(pd.util.hash_pandas_object(p).sum())], no_figure="none")
        return run

    specs = (sections.DataSpec("early", early), *(sections.DataSpec(f"p{i}", uses(f"p{i}")) for i in range(4)))
    with build._sharing(1):  # the study modules imported here: the worker starts on "early" at once
        pass
    inputs = StudyInputs()
    outs = build._run_all(specs, inputs, None, jobs=2)
    assert built.read_text().split() == [str(os.getpid())]            # built once, here
    assert outs[0][0].notes != [f"pid {os.getpid()}"]                  # ran in the worker meanwhile
    want = [f"{len(small)} rows, test vintage", str(pd.util.hash_pandas_object(small).sum())]
    assert [o[0].notes for o in outs[1:]] == [want] * 4                # the same panel in both processes


def test_a_panel_that_cannot_be_built_is_reported_by_each_section(monkeypatch):
    def load_panel(**kw):
        raise RuntimeError("no panel today")

    monkeypatch.setattr("llmflation.study.inputs.load_panel", load_panel)

    def uses(inputs):
        inputs.panel()
        return Section("p", "P", no_figure="none")

    specs = tuple(sections.DataSpec(f"p{i}", uses) for i in range(3))
    outs = build._run_all(specs, StudyInputs(), None, jobs=2)
    assert [o[0].error for o in outs] == ["RuntimeError: no panel today"] * 3
