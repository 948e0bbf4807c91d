"""Every public name exists, has a numpy docstring with an example."""

import inspect

import pytest

import llmflation as lf


@pytest.mark.parametrize("name", sorted(lf._API))
def test_public_name_documented(name):
    obj = getattr(lf, name)
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    assert "Examples" in doc or ">>>" in doc, f"{name}: docstring lacks an example"


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        lf.nope  # noqa: B018
