"""Write the lookup index ``src/llmflation/panel/lookup_index.json`` from the bundle and the code.

Re-run after changing the bundled snapshot or the code that derives the curated first-party
history (``tests/test_lookup_index.py`` fails until you do)::

    .venv/bin/python scripts/build_lookup_index.py
"""

from __future__ import annotations

import warnings

from llmflation.panel.lookup_index import write_index

if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        print(write_index())
