"""Plan: month-by-month and cumulative cost with each workload's growth and the price-trend assumptions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app import ui
from pricing import charts, clock
from pricing.analysis import PlanAssumptions, overtakes, plan_frame, route_curves
from pricing.schema import Scenario

ss = st.session_state
TOP = 8


@st.cache_data(show_spinner=False, max_entries=16)
def _plan(run_json: str, months: int, api_trend: float | None, gpu_trend: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """pricing.analysis.plan_frame over every route of the scenario, and the months where routes overtake."""
    scn = Scenario.model_validate_json(run_json)
    curves = route_curves(scn, ui.catalog(), ui.compare_json(run_json))
    growth = {w.name: w.monthly_growth for w in scn.workloads}
    a = PlanAssumptions.for_catalog(ui.catalog(), months=months, today=scn.as_of or clock.today(),
                                    api_price_change_per_year=api_trend, gpu_price_change_per_year=gpu_trend)
    plan = plan_frame(curves, growth, a)
    return plan, overtakes(plan, "cash", top=TOP)


st.title("Plan: what the next months cost as traffic grows")
st.caption("Each workload grows at its own monthly rate (set on the Compare page). Owned GPUs are paid "
           "when bought (cash view). API prices follow the trend measured on the price history unless you set "
           "your own; scheduled price changes (e.g. an introductory price ending) are billed from their month.")
defaults = PlanAssumptions()
measured = PlanAssumptions.for_catalog(ui.catalog())
c = st.columns(3)
c[0].number_input("Months", key="plan_months", min_value=1, max_value=60, step=1)
c[1].checkbox("Measured API price trend", key="plan_api_measured",
              help=f"Closed weights {measured.api_trend_closed:+.0%} per year, open weights "
                   f"{measured.api_trend_open:+.0%} per year. Source: {measured.api_trend_source}.")
c[1].caption(f"closed {measured.api_trend_closed:+.0%}/yr, open {measured.api_trend_open:+.0%}/yr")
c[1].number_input("else your API price change per year", key="plan_api", min_value=-0.9, max_value=1.0,
                  step=0.05, format="%.2f", disabled=bool(ss["plan_api_measured"]),
                  help="A fraction per year: -0.2 = API prices 20% lower each year.")
c[2].number_input("GPU price change per year (assumption)", key="plan_gpu", min_value=-0.9, max_value=1.0,
                  step=0.05, format="%.2f", help=f"A fraction per year: -0.15 = GPU prices 15% lower each year. Default "
                       f"{defaults.gpu_price_change_per_year:+.2f}: an assumption.")
scn, run, _df = ui.results_or_stop()
growth = ", ".join(f"{w.name} {w.monthly_growth:+.0%}/month" for w in scn.workloads)
st.markdown(f"Growth: {growth}.")
plan, over = _plan(run.model_dump_json(), int(ss["plan_months"]),
                   None if ss["plan_api_measured"] else float(ss["plan_api"]), float(ss["plan_gpu"]))
for warning in plan.attrs.get("warnings", []):
    st.warning(warning)
cash = plan[plan["view"] == "cash"]
if cash.empty:
    st.info("No route serves every workload, so there is no plan to draw.")
    st.stop()
code, rate = ui.currency()
final = cash[cash["month"] == cash["month"].max()].sort_values("cumulative_usd")
last = pd.concat([final.head(TOP), final.drop_duplicates("route_kind")]).drop_duplicates("route_id")
last = last.sort_values("cumulative_usd")
keep = list(last["route_id"])
st.caption(f"Drawn: the {TOP} cheapest routes at the end and the cheapest of every other kind "
           f"({len(keep)} of {len(final)}); colours are the route kinds used on every page.")
fig = charts.lines([(str(cash[cash["route_id"] == rid]["label"].iloc[0]),
                     str(cash[cash["route_id"] == rid]["route_kind"].iloc[0]),
                     (cash[cash["route_id"] == rid].sort_values("month")["cumulative_usd"] * rate).tolist())
                    for rid in keep], code)
st.plotly_chart(fig, width="stretch", key="plan_chart")
st.subheader("Who overtakes whom")
if over.empty:
    st.markdown(f"No route overtakes another in cumulative cost within {int(ss['plan_months'])} months.")
for sentence in over["sentence"]:
    st.markdown(f"- {sentence}")
months_n = int(ss["plan_months"])
as_of = _df.groupby("route_id")["price_as_of"].agg(
    lambda d: min((x for x in d if isinstance(x, dt.date)), default=None))
sym = "$" if code == "USD" else code
st.dataframe(
    pd.DataFrame({"Route": last["label"].astype(str),
                  "Kind": last["route_kind"].map(ui.KIND_SHORT).fillna(last["route_kind"]).astype(str),
                  f"Total after {months_n} months": last["cumulative_usd"].to_numpy() * rate,
                  "GPUs at the end": [f"{g:.0f}" if pd.notna(g) else "" for g in
                                      pd.to_numeric(last["gpus"], errors="coerce")],
                  "Price age": [ui.age_badge(as_of.get(r)) if isinstance(as_of.get(r), dt.date) else ""
                                for r in last["route_id"]]}).style.format(
        {f"Total after {months_n} months": lambda v: ui.cmp.money(float(v), code)}),
    hide_index=True, width="stretch", key="plan_table",
    column_config=ui.fixed_widths({
        "Route": st.column_config.TextColumn(help="Select a cell to read it whole"),
        "Kind": st.column_config.TextColumn(width=140),
        f"Total after {months_n} months": st.column_config.NumberColumn(
            f"Total after {months_n} months ({sym})", width=190, help=f"Cumulative {code}, cash view"),
        "GPUs at the end": st.column_config.TextColumn(width=120),
        "Price age": st.column_config.TextColumn(width=108, help="Age of the price the plan starts from"),
    }),
)
