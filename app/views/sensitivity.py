"""How sure are we: each driver moved to the ends of a visible range, and whether the winner changes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import ui
from pricing import charts, clock
from pricing.analysis import DEFAULT_DRIVERS, sensitivity
from pricing.analysis.sensitivity import ALL, with_gpu_price_range
from pricing.analysis.uncertainty import market_gpu_price_range
from pricing.schema import Scenario

ss = st.session_state


@st.cache_data(show_spinner="Moving each driver to both ends of its range…", max_entries=16)
def _tornado(run_json: str) -> pd.DataFrame:
    """pricing.analysis.sensitivity with the default driver ranges (GPU price: the market's P10-P90)."""
    scn = Scenario.model_validate_json(run_json)
    drivers = with_gpu_price_range(DEFAULT_DRIVERS, market_gpu_price_range(ui.catalog(), scn, clock.today()))
    tornado, _costs = sensitivity(scn, lambda s: ui.compare_json(s.model_dump_json()), drivers)
    return tornado


st.title("How sure are we?")
st.caption("Each driver is moved to the low and the high end of its range (shown) while the rest stays put; "
           "the bars show how far the winner's monthly cost moves, and a flag marks drivers that change the winner.")
scn, run, _df = ui.results_or_stop()
tornado = _tornado(run.model_dump_json())
names = [w.name for w in scn.workloads]
scope = ALL if len(names) > 1 and not ss.get("focus") else (ss.get("focus") or names[0])
t = tornado[tornado["scope"] == scope]
if t.empty:
    t = tornado[tornado["scope"] == tornado["scope"].iloc[0]]
code, rate = ui.currency()
labels = dict(zip(_df["route_id"], _df["label"], strict=False))
winner = labels.get(str(t["base_winner"].iloc[0]), str(t["base_winner"].iloc[0]))
st.markdown(f"**{scope}**: the winner is **{winner}** at {ui.money(float(t['base_usd'].iloc[0]))}/month.")
flips = t[t["changes_winner"]]
if flips.empty:
    st.success("No single driver, moved across its range, changes the winner.")
for _, r in flips.iterrows():
    other = r["winner_low"] if r["winner_low"] != r["base_winner"] else r["winner_high"]
    end = "low" if r["winner_low"] != r["base_winner"] else "high"
    st.warning(f"{r['label']} at its {end} end ({r[end]:g} {r['unit']}) makes "
               f"{labels.get(str(other), other)} the cheapest.")

base = float(t["base_usd"].iloc[0]) * rate
fig = charts.tornado([(f"{r['label']} ({r['low']:g} to {r['high']:g} {r['unit']})", float(r["winner_usd_low"]) * rate,
                       float(r["winner_usd_high"]) * rate) for _, r in t.iterrows()], base, code,
                     x_title=f"the winner's cost, {code} per month (line: today)", zero_line=False)
st.plotly_chart(fig, width="stretch", key="tornado_chart")
sym = "$" if code == "USD" else code
rows = t
st.dataframe(pd.DataFrame({
    "Driver": rows["label"], "Unit": rows["unit"], "Low": rows["low"], "High": rows["high"],
    "Cost at low": rows["winner_usd_low"].astype(float) * rate, "Cost at high": rows["winner_usd_high"].astype(float) * rate,
    "Winner at low": rows["winner_low"].map(lambda r: labels.get(str(r), r)),
    "Winner at high": rows["winner_high"].map(lambda r: labels.get(str(r), r)),
    "Changes the winner": rows["changes_winner"],
}).style.format({"Cost at low": lambda v: ui.cmp.money(float(v), code),
                 "Cost at high": lambda v: ui.cmp.money(float(v), code), "Low": "{:g}", "High": "{:g}"}),
    hide_index=True, width="stretch", key="tornado_table", column_config=ui.fixed_widths({
        "Driver": st.column_config.TextColumn(width=200),
        "Unit": st.column_config.TextColumn(width=80, help="x = a multiple of today's value; +/- share = added "
                                                           "to today's share"),
        "Low": st.column_config.NumberColumn(width=55), "High": st.column_config.NumberColumn(width=55),
        "Cost at low": st.column_config.NumberColumn(f"At low ({sym}/mo)", width=100,
                                                     help="The winner's monthly cost with the driver at its low end"),
        "Cost at high": st.column_config.NumberColumn(f"At high ({sym}/mo)", width=100,
                                                      help="The winner's monthly cost with the driver at its high end"),
        "Winner at low": st.column_config.TextColumn(), "Winner at high": st.column_config.TextColumn(),
        "Changes the winner": st.column_config.CheckboxColumn("Flips", width=60,
                                                              help="Moving this driver changes the winner"),
    }))
