"""Break-even: monthly cost against volume for chosen routes (log axes), crossovers marked and stated."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import streamlit as st

from app import ui
from pricing import charts
from pricing.analysis import RouteCurve, breakeven_frame, key_pairs, route_curves
from pricing.analysis.breakeven import DEFAULT_MAX_REQUESTS, DEFAULT_MIN_REQUESTS
from pricing.schema import Scenario

ss = st.session_state
POINTS = 240
MAX_PAIRS_ALL = 6  # up to this many routes, every pair is checked; beyond, the key pairs only


@st.cache_data(show_spinner=False, max_entries=32)
def _curves(run_json: str, workload: str, route_ids: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cost at a log grid of volumes for each route, and the break-even rows of their pairs."""
    scn = Scenario.model_validate_json(run_json)
    df = ui.compare_json(run_json)
    df = df[df["workload"] == workload]
    curves = route_curves(scn, ui.catalog(), df)
    chosen = [c for c in curves if c.route_id in route_ids]
    if chosen:
        pairs = list(itertools.combinations(chosen, 2)) if len(chosen) <= MAX_PAIRS_ALL else key_pairs(chosen)
    else:  # the cheapest route of each kind (closed API, maker's API, host, rented, owned), every pair
        best: dict[str, RouteCurve] = {}
        for c in sorted(curves, key=lambda c: c.at(c.base_requests) if c.base_requests else 0.0):
            if np.isfinite(c.at(c.base_requests)):
                best.setdefault(c.route_kind, c)
        chosen = list(best.values())
        pairs = list(itertools.combinations(chosen, 2))
    vols = np.logspace(np.log10(DEFAULT_MIN_REQUESTS), np.log10(DEFAULT_MAX_REQUESTS), POINTS)
    grid = pd.concat([
        pd.DataFrame({"route_id": c.route_id, "label": c.label, "route_kind": c.route_kind,
                      "requests_per_month": vols, "tokens_per_month": vols * c.tokens_per_request,
                      "monthly_usd": c.cost(vols)})
        for c in chosen
    ], ignore_index=True) if chosen else pd.DataFrame()
    be = breakeven_frame(chosen, pairs)
    costs_at = []
    for _, r in be.iterrows():
        a = next(c for c in chosen if c.route_id == r["route_a"])
        costs_at.append(a.at(r["requests_per_month"]) if r["status"] == "crossing" else np.nan)
    be["monthly_usd_at_crossing"] = costs_at
    return grid, be


st.title("Break-even: from what volume on does the answer flip?")
st.caption("API routes cost in proportion to volume; self-hosting is a staircase of whole GPUs. "
           "Crossings are found to the request and marked on the chart.")
scn, run, df = ui.results_or_stop()
names = [w.name for w in scn.workloads]
focus = ss.get("focus") or names[0]
if focus not in names:
    focus = names[0]
if len(names) > 1:
    st.caption(f"Workload: **{focus}** (pick another under 'Results for' on the Compare page).")
sub = df[df["workload"] == focus]
labels = dict(zip(sub["route_id"], sub["label"], strict=True))
if any(r not in labels for r in ss.get("be_routes", [])):
    ss["be_routes"] = [r for r in ss["be_routes"] if r in labels]
st.multiselect("Routes (empty = the cheapest route of each kind: closed API, maker's API, host, rented, owned)",
               ui.route_choices(sub), key="be_routes", format_func=lambda r: labels.get(r, r), max_selections=8)

grid, be = _curves(run.model_dump_json(), focus, tuple(ss.get("be_routes", [])))
if grid.empty:
    st.info("No routes to draw.")
    st.stop()
code, rate = ui.currency()
w = next(x for x in scn.workloads if x.name == focus)
tokens_now = w.requests_per_month * (w.input_tokens + w.output_tokens + w.reasoning_tokens)
st.radio("Volume range", ("zoom", "full"), key="be_range", horizontal=True,
         format_func={"zoom": "a decade either side of your volume", "full": "1M to 100T tokens/month"}.get)
fig = charts.breakeven(grid, be[be["status"] == "crossing"], tokens_now, code, rate, zoom=ss["be_range"] == "zoom")
st.plotly_chart(fig, width="stretch", key="breakeven_chart")
st.caption(f"Your volume: {ui.fmt_tokens(tokens_now)} tokens/month ({ui.fmt_tokens(w.requests_per_month)} "
           "requests). Lines are coloured by route kind, as on every page; an × marks where two routes cost the same.")

st.subheader("In words")
crossing = be[be["status"] == "crossing"]
for sentence in crossing["sentence"]:
    st.markdown(f"- {sentence}")
if crossing.empty:
    st.markdown("No two of these routes trade places between "
                f"{ui.fmt_tokens(float(grid['tokens_per_month'].min()))} and "
                f"{ui.fmt_tokens(float(grid['tokens_per_month'].max()))} tokens/month.")
rest = be[be["status"] != "crossing"]
if len(rest):
    with st.expander(f"Pairs that never cross ({len(rest)})"):
        for sentence in rest["sentence"]:
            st.markdown(f"- {sentence}")
st.dataframe(
    pd.DataFrame({
        "Route A": be["label_a"].astype(str), "Route B": be["label_b"].astype(str),
        "Status": be["status"].astype(str),
        "Break-even volume": [ui.fmt_tokens(v) if np.isfinite(v) else ""
                              for v in pd.to_numeric(be["tokens_per_month"], errors="coerce")],
        "Requests/month": [ui.fmt_tokens(v) if np.isfinite(v) else ""
                           for v in pd.to_numeric(be["requests_per_month"], errors="coerce")],
        # which of the pair: the row already names both routes in full
        "Cheaper above": [("Route A" if r == a else "Route B" if r == b else "")
                          + (", always" if st_ in ("always", "never") and r in (a, b) else "")
                          for r, a, b, st_ in zip(be["cheaper_above"], be["route_a"], be["route_b"], be["status"],
                                                  strict=True)],
    }),
    hide_index=True, width="stretch", key="breakeven_table",
    column_config=ui.fixed_widths({
        "Route A": st.column_config.TextColumn(help="Select a cell to read the whole label"),
        "Route B": st.column_config.TextColumn(help="Select a cell to read the whole label"),
        "Status": st.column_config.TextColumn(width=70),
        "Break-even volume": st.column_config.TextColumn("Tokens/month", width=100,
                                                         help="Tokens per month at which the two cost the same"),
        "Requests/month": st.column_config.TextColumn(width=110, help="The break-even volume in requests"),
        "Cheaper above": st.column_config.TextColumn(width=110, help="Which route is cheaper above the break-even "
                                                                 "('always': at every volume drawn)"),
    }),
)
