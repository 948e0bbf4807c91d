"""Pure cleaning code shared by the bundled snapshot and live fetches (DESIGN.md §2).

``changelogs`` turns per-commit price change logs into price intervals; ``first_party``
builds the developers' own list-price intervals and checks every other interval against
them. Nothing here does I/O.
"""
