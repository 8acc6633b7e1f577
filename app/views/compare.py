"""Compare (home): workloads in, every route ranked, the winner in one sentence, cost by component."""

from __future__ import annotations

import altair as alt
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import state, ui
from pricing import compare as cmp
from pricing.errors import PricingError
from pricing.frontier import efficient_frontier
from pricing.schema import PRECISIONS

ss = st.session_state
cat = ui.catalog()

st.title("Pay per token, or run the weights yourself?")
st.caption("Describe your workloads; every API, hosted open-weight API and self-hosted GPU route is "
           "priced from sourced, dated data. Every input is in the URL: copy it to share this view.")

headline = st.container()  # the winner goes here, above the inputs, once it is computed

# --------------------------------------------------------------------------- workloads

top = st.columns([1, 3])
top[0].number_input("Workloads", key="wn", min_value=1, max_value=state.MAX_WORKLOADS, step=1,
                    help="Several workloads are compared one by one and as a portfolio.")
n = int(ss["wn"])
tabs = st.tabs([str(ss[state.wkey(i, "name")]) or f"workload {i + 1}" for i in range(n)])
for i, tab in enumerate(tabs):
    with tab:
        ui.workload_editor(i)

# --------------------------------------------------------------------------- candidates


def _use_defaults_as_chosen(tokens: list[str]) -> None:
    ss["api"] = [t for t in tokens if "@" not in t]
    ss["sh"] = [t for t in tokens if "@" in t]
    ss["cands"] = "chosen"


def _add_selfhost() -> None:
    token = state.spec_to_str(state.str_to_spec(
        f"{ss['add_model']}@{ss['add_gpu']}:{ss['add_prec']}:{ss['add_host']}:{ss['add_price']}"
        + (f":{int(ss['add_gpus'])}" if ss.get("add_gpus") else "")))
    ss["sh"] = [*ss.get("sh", []), token] if token not in ss.get("sh", []) else ss["sh"]


try:
    base = ui.scenario()
except (PricingError, ValueError) as e:
    st.error(f"These inputs do not make a valid scenario: {e}")
    st.stop()
defaults = ui.default_tokens(ui.workloads_json(base))

with st.expander("Candidates: which routes to compare", expanded=ss["cands"] == "chosen"):
    st.radio("Routes", ("defaults", "chosen"), key="cands", horizontal=True,
             format_func={"defaults": "Sensible defaults", "chosen": "My choice"}.get,
             help="Defaults: closed flagships, the open families' own APIs, the two cheapest hosts of each, "
                  "and self-hosting on the best-fitting GPU (rented and owned).")
    if ss["cands"] == "defaults":
        st.caption(f"{len(defaults)} routes picked for the first workload. "
                   "Start from them to add or remove routes.")
        st.button("Edit this list", key="edit_defaults", on_click=_use_defaults_as_chosen, args=(defaults,))
    else:
        if not ss.get("api") and not ss.get("sh"):
            st.info("Nothing chosen yet: the defaults are shown until you pick routes.")
        st.multiselect("API offers", sorted(cat.offers), key="api",
                       placeholder="type to search 'openai/', 'deepseek', 'qwen' ...")
        sh_opts = list(dict.fromkeys([*ss.get("sh", []), *(t for t in defaults if "@" in t)]))
        st.multiselect("Self-hosted deployments (model@gpu:precision:hosting[:GPUs][:spot|reserved])", sh_opts,
                       key="sh")
        c = st.columns([3, 2, 1, 1, 1, 1, 1])
        c[0].selectbox("Model", sorted(cat.models), key="add_model")
        c[1].selectbox("GPU", sorted(cat.gpus), key="add_gpu")
        c[2].selectbox("Precision", PRECISIONS, index=PRECISIONS.index("fp8"), key="add_prec")
        c[3].selectbox("Hosting", ("cloud", "owned"), key="add_host",
                       help="cloud = the GPU price policy's hourly price (see below); owned = bought and amortised")
        c[4].selectbox("Cloud price", ("on_demand", "spot", "reserved", "reserved_3y"), key="add_price",
                       format_func=lambda v: {"reserved": "1-year", "reserved_3y": "3-year"}.get(v, v))
        c[5].number_input("GPUs (0 = fit)", min_value=0, max_value=64, value=0, key="add_gpus")
        c[6].button("Add", key="add_route", on_click=_add_selfhost, width="stretch")

st.columns([1, 3])[0].number_input("Minimum quality index (0 = no filter)", key="minq", min_value=0.0, max_value=1000.0,
                step=5.0, help="Routes below it, or without a sourced score, are left out of the ranking.")

# --------------------------------------------------------------------------- results

try:
    scn, df = ui.results()
except PricingError as e:
    ui.show_error(e)
    st.stop()

st.caption(cmp.gpu_price_note(df, scn.overrides.gpu_price_policy) + " Change it under Self-hosting detail.")
shown, dropped = ui.quality_filter(df, float(ss["minq"]))
if dropped:
    st.info(f"{dropped} route rows are hidden by the minimum quality of {ss['minq']:g} "
            "(below it, or with no sourced quality score).")
code, rate = ui.currency()
names = [w.name for w in scn.workloads]
focus: str | None = names[0]
if n > 1:
    focus_opts = ["", *names]
    if ss.get("focus") not in focus_opts:
        ss["focus"] = ""
    st.selectbox("Results for", focus_opts, key="focus",
                 format_func=lambda v: v or "all workloads together (portfolio)")
    focus = ss["focus"] or None

with headline:
    st.success(cmp.winner_sentence(shown, focus, code, rate), icon=":material/emoji_events:")
    if focus is None and n > 1:
        for w in names:
            st.markdown("- " + cmp.winner_sentence(shown, w, code, rate))
st.subheader("Ranked routes")

view = shown if focus is None else shown[shown["workload"] == focus]
if focus is None and n > 1:
    port = cmp.portfolio(shown)
    st.dataframe(
        pd.DataFrame({
            "route": port["label"],
            "kind": port["route_kind"].map(cmp.ROUTE_KIND_LABELS),
            f"monthly, all workloads ({code})": port["monthly_usd"] * rate,
            f"per 1M tokens ({code})": port["usd_per_mtok"] * rate,
        }),
        hide_index=True, width="stretch", key="portfolio_table",
    )
else:
    st.dataframe(ui.table_frame(view), column_config=ui.table_config(), hide_index=True,
                 width="stretch", height=min(560, 38 + 35 * max(len(view), 1)), key="ranked_table")

st.download_button("Download results (CSV)", lambda: ui.results_csv(scn, shown),
                   file_name="llm-cost-results.csv", mime="text/csv", key="dl_csv")

# --------------------------------------------------------------------------- charts

one = view if focus is not None else shown[shown["workload"] == names[0]]
one = one[one["monthly_usd"].notna()].sort_values("monthly_usd").head(20)
st.subheader("Cost by component" + ("" if focus else f": {names[0]}"))
parts = pd.DataFrame({label: one[col].to_numpy() * rate for col, label in ui.COMPONENT_LABELS.items()
                      if (one[col] > 0).any()})
parts.insert(0, "route", one["label"].to_numpy())
long = parts.melt(id_vars="route", var_name="component", value_name="amount")
bars = alt.Chart(long).mark_bar().encode(
    x=alt.X("sum(amount):Q", title=f"{code} per month"),
    y=alt.Y("route:N", sort=list(parts["route"]), title=None, axis=alt.Axis(labelLimit=420, labelOverlap=False)),
    color=alt.Color("component:N", title=None, legend=alt.Legend(orient="bottom", columns=4)),
    tooltip=["route", "component", alt.Tooltip("amount:Q", format=",.0f", title=code)],
).properties(height=max(300, 28 * len(one) + 60))
if len(long):
    st.altair_chart(bars, width="stretch", key="components_chart")
else:
    st.info("No route to break down.")

st.subheader("Quality vs cost: the efficient frontier")
q = view.dropna(subset=["quality_index"]) if focus else one.dropna(subset=["quality_index"])
if q.empty:
    st.info("No route here has a sourced quality score, so there is no frontier to draw. "
            "Missing scores are shown as missing, never as zero.")
else:
    on = efficient_frontier(q)
    front = q[on].sort_values("monthly_usd")
    fq = go.Figure()
    fq.add_scatter(x=q["monthly_usd"] * rate, y=q["quality_index"], mode="markers", name="routes",
                   text=q["label"], hovertemplate="%{text}<br>%{x:,.0f}/month<br>quality %{y:.1f}")
    fq.add_scatter(x=front["monthly_usd"] * rate, y=front["quality_index"], mode="lines+markers",
                   name="efficient frontier", line_shape="hv", text=front["label"],
                   hovertemplate="%{text}<br>%{x:,.0f}/month<br>quality %{y:.1f}")
    fq.update_layout(xaxis_type="log", xaxis_title=f"{code} per month (log)", yaxis_title="quality index",
                     height=420, margin={"l": 10, "r": 10, "t": 10})
    st.plotly_chart(fq, width="stretch", key="frontier_chart")
    st.caption("On the frontier: " + "; ".join(front["label"]))

warn = view[view["warnings"].astype(str).str.len() > 0]
with st.expander(f"Warnings ({len(warn)})", expanded=False):
    for _, r in warn.iterrows():
        st.markdown(f"- **{r['label']}** ({r['workload']}): {r['warnings']}")
