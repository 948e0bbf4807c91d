import warnings

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def panel() -> pd.DataFrame:
    from llmflation.panel.build import load_panel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_panel(warn=False)
