"""Questions users ask of the panel: which model, what price on a date, what a workload cost."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from llmflation.errors import InputError, UnknownModelError
from llmflation.normalize import identity as ident
from llmflation.validate import check_price_date


def resolve_model(panel: pd.DataFrame, name: str) -> str:
    """Canonical ``model_id`` for a user-typed name (id, family, source key or display name).

    Raises
    ------
    UnknownModelError
        With the closest known names.

    Examples
    --------
    >>> from llmflation.panel.build import load_panel
    >>> p = load_panel(warn=False)
    >>> resolve_model(p, "openai/gpt-4o-2024-08-06")
    'gpt-4o-2024-08-06'
    >>> p.loc[p.model_id == resolve_model(p, "GPT-3 davinci"), "model_key"].iloc[0]
    'davinci'
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"model name must be a non-empty string, got {name!r}.")
    ids = panel["model_id"].astype(str)
    if name in set(ids):
        return name
    norm = ident.normalize_key(name)
    if norm in set(ids):
        return norm
    hit = panel.loc[panel["source_key"].astype(str).str.lower() == name.lower(), "model_id"]
    if len(hit):
        return str(hit.iloc[0])
    if "model_key" in panel.columns:
        # any id of a model (a label, a variant, an Epoch name) → the model's own id
        from llmflation.normalize.registry import resolve

        key = str(resolve(pd.Series([norm]))["model_key"].iloc[0])
        keyed = panel.loc[panel["model_key"].astype(str) == key, "model_id"].astype(str)
        if len(keyed):
            return key if key in set(keyed) else str(keyed.iloc[0])
    fam = panel.loc[panel["model_family"].astype(str) == norm]
    if len(fam):
        # the family's most recently priced version
        return str(fam.sort_values("valid_to")["model_id"].iloc[-1])
    hit = panel.loc[panel["model_name"].astype(str).str.lower() == name.lower(), "model_id"]
    if len(hit):
        return str(hit.iloc[0])
    choices = sorted(set(ids))
    sugg = difflib.get_close_matches(norm, choices, n=5, cutoff=0.5)
    raise UnknownModelError(name, sugg)


def served_on(name: str, on: str | pd.Timestamp) -> str:
    """The model a moving alias (``gpt-4o``, ``deepseek-chat``) served on a date; other names unchanged.

    Examples
    --------
    >>> served_on("gpt-4o", "2024-06-01"), served_on("gpt-4o-mini", "2024-06-01")
    ('gpt-4o-2024-05-13', 'gpt-4o-mini')
    """
    amap = ident._alias_map()
    d = pd.Timestamp(on)
    for lo, hi, target in amap.get(ident.normalize_key(name), []):
        if lo <= d <= hi:
            return target
    return name


def price_on(panel: pd.DataFrame, date: str | pd.Timestamp) -> pd.DataFrame:
    """One price per model valid on ``date``: first-party if any, else the median across providers.

    Returns columns model_id, developer, input/output/blended USD per 1M tokens, eci,
    basis ('first-party' or 'median of N providers'), providers.

    Examples
    --------
    >>> from llmflation.panel.build import load_panel
    >>> on = price_on(load_panel(warn=False), "2024-06-01")
    >>> bool((on["blended_usd_per_mtok"] > 0).all())
    True
    """
    d = pd.Timestamp(date)
    live = panel[(panel["valid_from"] <= d) & (panel["valid_to"] >= d)]
    if live.empty:
        lo, hi = panel["valid_from"].min(), panel["valid_to"].max()
        raise InputError(f"no prices are known on {d.date()}; the panel covers {lo.date()} → {hi.date()}. "
                         "Pick a date in that range.")
    return _one_price_per_model(live)


def _one_price_per_model(live: pd.DataFrame) -> pd.DataFrame:
    fp = live[live["first_party"].fillna(False).astype(bool)]
    rows = []
    for mid, g in live.groupby("model_id", sort=True):
        f = fp[fp["model_id"] == mid]
        use = f if len(f) else g
        basis = "first-party" if len(f) else f"median of {g['provider'].nunique()} providers"
        rows.append({
            "model_id": mid, "developer": g["developer"].iloc[0], "country": g["country"].iloc[0],
            "input_usd_per_mtok": float(np.median(use["input_usd_per_mtok"])),
            "output_usd_per_mtok": float(np.median(use["output_usd_per_mtok"])),
            "blended_usd_per_mtok": float(np.median(use["blended_usd_per_mtok"])),
            "eci": g["eci"].max(), "is_reasoning": bool(g["is_reasoning"].any()),
            "release_date": g["release_date"].min(), "basis": basis,
            "providers": ", ".join(sorted(g["provider"].astype(str).unique())[:6]),
        })
    return pd.DataFrame(rows)


def current_prices(panel: pd.DataFrame) -> pd.DataFrame:
    """Latest known price of every model (its newest interval across sources).

    Examples
    --------
    >>> from llmflation.panel.build import load_panel
    >>> cur = current_prices(load_panel(warn=False))
    >>> cur["model_id"].is_unique
    True
    """
    last = panel.groupby("model_id")["valid_to"].transform("max")
    latest = panel[panel["valid_to"] == last]
    out = _one_price_per_model(latest)
    out["as_of"] = out["model_id"].map(panel.groupby("model_id")["valid_to"].max()).dt.date
    return out


@dataclass(frozen=True)
class WorkloadCost:
    """What a workload cost on a date, and the cheapest model of equal or better capability."""

    model_id: str
    on: pd.Timestamp
    input_tokens: float
    output_tokens: float
    cost_usd: float
    basis: str
    capability: float | None
    cheapest_model: str | None
    cheapest_cost_usd: float | None
    cheapest_capability: float | None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([
            {"model": self.model_id, "on": self.on.date(), "capability_eci": self.capability,
             "cost_usd": self.cost_usd, "price_basis": self.basis},
            {"model": self.cheapest_model or "(none with a capability score)", "on": self.on.date(),
             "capability_eci": self.cheapest_capability, "cost_usd": self.cheapest_cost_usd,
             "price_basis": "cheapest with ECI >= the model's"},
        ])


def workload_cost(panel: pd.DataFrame, model: str, input_tokens: float, output_tokens: float,
                  on: str | pd.Timestamp | None = None) -> WorkloadCost:
    """Cost of ``input_tokens`` + ``output_tokens`` on ``model`` on date ``on`` (default: latest).

    Capability is Epoch's Capabilities Index (ECI); the comparison model is the cheapest
    one priced on that date whose ECI is at least the model's.

    Examples
    --------
    >>> from llmflation.panel.build import load_panel
    >>> w = workload_cost(load_panel(warn=False), "gpt-4o-2024-08-06", 1e6, 2e5, on="2024-10-01")
    >>> round(w.cost_usd, 2)
    4.5
    """
    for nm, v in (("input_tokens", input_tokens), ("output_tokens", output_tokens)):
        if not np.isfinite(v) or v < 0:
            raise InputError(f"{nm} must be a finite number >= 0, got {v!r}.")
    on = check_price_date(on, "on", allow_none=True)
    mid = resolve_model(panel, served_on(model, on) if on is not None else model)
    mp = panel[panel["model_id"] == mid]
    d = pd.Timestamp(on) if on is not None else mp["valid_to"].max()
    on_day = price_on(panel, d)
    row = on_day[on_day["model_id"] == mid]
    if row.empty:
        lo, hi = mp["valid_from"].min().date(), mp["valid_to"].max().date()
        raise InputError(f"no price of {mid} is known on {d.date()}; its prices cover {lo} → {hi}. "
                         "Pick a date in that span (see `llmflation history MODEL`).")
    r = row.iloc[0]
    with np.errstate(over="ignore"):
        cost = (input_tokens * r["input_usd_per_mtok"] + output_tokens * r["output_usd_per_mtok"]) / 1e6
    if not np.isfinite(cost):
        raise InputError(f"the cost of {input_tokens:g} input + {output_tokens:g} output tokens overflows (it is "
                         "not a finite number of dollars); expected token counts a workload can have, e.g. 1e9.")
    cap = r["eci"] if pd.notna(r["eci"]) else None
    cheapest = cheapest_cost = cheapest_cap = None
    if cap is not None:
        # A capability score only applies to a model that existed on that date: an alias such
        # as deepseek-chat linked to a later release must not lend it its score.
        released = on_day["release_date"].isna() | (on_day["release_date"] <= d)
        better = on_day[(on_day["eci"] >= cap) & released].copy()
        better["cost"] = (input_tokens * better["input_usd_per_mtok"] + output_tokens * better["output_usd_per_mtok"]) / 1e6
        b = better.sort_values("cost").iloc[0]
        cheapest, cheapest_cost, cheapest_cap = str(b["model_id"]), float(b["cost"]), float(b["eci"])
    return WorkloadCost(mid, d, float(input_tokens), float(output_tokens), float(cost), str(r["basis"]),
                        cap, cheapest, cheapest_cost, cheapest_cap)
