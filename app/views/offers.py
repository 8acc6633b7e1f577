"""All API offers: every token-metered offer in the catalog ranked for one workload, with source and age."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import state, ui
from pricing import quality
from pricing.errors import PricingError

ss = st.session_state
cat = ui.catalog()


@st.cache_data(show_spinner=False, max_entries=32)
def _all_offers(scenario_json: str, workload: str) -> pd.DataFrame:
    """api_cost_frame over every offer for one workload of the scenario (cached on its inputs)."""
    from pricing.api_cost import api_cost_frame
    from pricing.schema import Scenario

    s = Scenario.model_validate_json(scenario_json)
    w = next(x for x in s.workloads if x.name == workload)
    df = api_cost_frame(cat, sorted(cat.offers), [w], provider_discount=s.overrides.provider_discount)
    return df.sort_values("monthly_usd", kind="stable").reset_index(drop=True)


st.title("Every API offer, ranked for one workload")
st.caption("The whole catalog of token-metered offers, billed as each provider bills (cache, batch, "
           "tiers, off-peak), with where each price comes from and how old it is.")

top = st.columns([2, 3])
top[0].selectbox("Preset", state.PRESET_NAMES, key=state.wkey(0, "preset"), on_change=state.apply_preset,
                 args=(0,), help="Sets workload 1; edit its details on the Compare page.")
try:
    scn = ui.scenario()
    w0 = scn.workloads[0]
    df = _all_offers(scn.model_dump_json(), w0.name)
except PricingError as e:
    ui.show_error(e)
    st.stop()
top[1].markdown(
    f"**{w0.name}**: {ui.fmt_tokens(w0.requests_per_month)} requests/month, {w0.input_tokens:,.0f} in / "
    f"{w0.output_tokens:,.0f} out / {w0.reasoning_tokens:,.0f} reasoning tokens, "
    f"{w0.cached_input_fraction:.0%} cached, {w0.batch_fraction:.0%} batch."
)
ss_q = st.text_input("Filter (provider, model, open weights id)", key="cat_q")
code, rate = ui.currency()
offers = cat.offers
checked = [offers[i].checked_on or offers[i].as_of for i in df["route_id"]]  # as on Compare: last confirmed
view = pd.DataFrame({
    "Rank": range(1, len(df) + 1),
    "Offer": df["route_id"].astype(str),
    "Provider": [cat.providers[p].name for p in df["provider"]],
    "Monthly cost": df["monthly_usd"] * rate,
    "Per 1M tokens": df["usd_per_mtok"] * rate,
    "Quality": [quality.score(cat, str(i)) for i in df["route_id"]],
    "Price age": [ui.age_badge(d) for d in checked],
    "Open weights": [offers[i].open_model or "" for i in df["route_id"]],
    "As of": [d.isoformat() for d in checked],
    "Source": [ui.link_or_none(offers[i].source) or "" for i in df["route_id"]],
    "Warnings": df["warnings"].fillna("").astype(str),
})
if ss_q:
    needle = ss_q.lower()
    hit = (view["Offer"].str.lower().str.contains(needle, regex=False)
           | view["Provider"].str.lower().str.contains(needle, regex=False)
           | view["Open weights"].str.lower().str.contains(needle, regex=False))
    view = view[hit]
cfg = ui.table_config()
st.dataframe(ui.table_style(view), hide_index=True, width="stretch", height=640, key="offers_table",
             column_config=ui.fixed_widths({
                 "Rank": cfg["Rank"], "Offer": st.column_config.TextColumn(pinned=True),
                 "Provider": st.column_config.TextColumn(width=214),  # 'Alibaba Cloud Model Studio (Qwen)'
                 "Monthly cost": cfg["Monthly cost"], "Per 1M tokens": cfg["Per 1M tokens"],
                 "Quality": cfg["Quality"], "Price age": cfg["Price age"],
                 "Open weights": st.column_config.TextColumn(width=300),
                 "As of": st.column_config.TextColumn(width=100),
                 "Source": st.column_config.LinkColumn(display_text="source", width=80),
                 "Warnings": st.column_config.TextColumn(width=300),
             }, fit=7))
st.caption(f"{len(view)} of {len(df)} offers. Ages: fresh up to {ui.FRESH_DAYS} days, aging up to "
           f"{ui.STALE_DAYS}, stale beyond.")
