"""Compare (home): workloads in, every route ranked, the winner in one sentence, cost by component."""

from __future__ import annotations

import streamlit as st

from app import state, ui
from pricing import charts, task_tokens
from pricing import compare as cmp
from pricing.errors import PricingError
from pricing.frontier import efficient_frontier
from pricing.schema import PRECISIONS

ss = st.session_state
cat = ui.catalog()

st.title("Pay per token, or run the weights yourself?")
st.caption("Describe your workloads; every API, hosted open-weight API and self-hosted GPU route is "
           "priced from sourced, dated data. Every input is in the link below the results.")

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


def _spec_label(token: str) -> str:
    """A self-hosting token for people: 'Qwen3-32B on H100 SXM, fp8, rented on demand'."""
    sp = state.str_to_spec(token)
    gpu = cat.gpus[sp.gpu].name if sp.gpu in cat.gpus else sp.gpu
    where = "owned" if sp.hosting == "owned" else f"rented {sp.price_type.replace('_', ' ')}"
    n = f", {sp.gpus} GPUs" if sp.gpus else ""
    if sp.disaggregate:
        pins = [f"{k} {v} GPUs" for k, v in (("prefill", sp.prefill_gpus), ("decode", sp.decode_gpus)) if v]
        n += ", prefill/decode pools" + (f" ({', '.join(pins)})" if pins else "")
    return f"{sp.model.rsplit('/', 1)[-1]} on {gpu}, {sp.precision}, {where}{n}"


def _add_selfhost() -> None:
    pools = bool(ss.get("add_disagg"))  # pools are sized by the planner: a GPUs pin does not apply
    token = state.spec_to_str(state.str_to_spec(
        f"{ss['add_model']}@{ss['add_gpu']}:{ss['add_prec']}:{ss['add_host']}:{ss['add_price']}"
        + (f":{int(ss['add_gpus'])}" if ss.get("add_gpus") and not pools else "")
        + (":disagg" if pools else "")))
    ss["sh"] = [*ss.get("sh", []), token] if token not in ss.get("sh", []) else ss["sh"]


try:
    base = ui.scenario()
except PricingError as e:
    st.error("These inputs do not make a valid scenario:  \n" + str(e).replace("\n", "  \n"))
    st.stop()
defaults = ui.default_tokens(ui.workloads_json(base))

with st.expander("Candidates: which routes to compare", expanded=ss["cands"] == "chosen"):
    st.radio("Routes", ("defaults", "chosen"), key="cands", horizontal=True,
             format_func={"defaults": "Sensible defaults", "chosen": "My choice"}.get,
             help="Defaults are computed from the catalog: each provider's newest current model per line, "
                  "the newest open models of DeepSeek, Qwen, GLM, Kimi, gpt-oss and Llama through the maker's "
                  "API, the two cheapest hosts and self-hosting on the best-fitting GPU (rented, and owned where the GPU has a sourced purchase price).")
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
        st.multiselect("Self-hosted deployments", sh_opts, key="sh", format_func=_spec_label,
                       help="Each as model@gpu:precision:hosting[:GPUs][:spot|reserved][:disagg] in the link.")
        c = st.columns([2.4, 2.4, 1.1, 1.2, 1.8, 1.2, 0.8])  # each chosen value reads whole at 1440 px
        c[0].selectbox("Model", sorted(cat.models), key="add_model")
        c[1].selectbox("GPU", sorted(cat.gpus), key="add_gpu", format_func=lambda g: cat.gpus[g].name)
        c[2].selectbox("Precision", PRECISIONS, index=PRECISIONS.index("fp8"), key="add_prec")
        c[3].selectbox("Hosting", ("cloud", "owned"), key="add_host",
                       format_func={"cloud": "rented", "owned": "owned"}.get,
                       help="rented = the GPU price policy's hourly price (shown below); owned = bought and amortised")
        c[4].selectbox("Cloud price", ("on_demand", "spot", "reserved", "reserved_3y"), key="add_price",
                       format_func={"on_demand": "on demand", "spot": "spot", "reserved": "reserved, 1 yr",
                                    "reserved_3y": "reserved, 3 yr"}.get)
        c[5].number_input("GPUs (0 = fit)", min_value=0, max_value=64, value=0, key="add_gpus",
                          disabled=bool(ss.get("add_disagg")))
        c[6].button("Add", key="add_route", on_click=_add_selfhost, width="stretch")
        st.checkbox("As separate prefill and decode pools (disaggregated serving)", key="add_disagg",
                    help="Large mixture-of-experts models (DeepSeek, Kimi, GLM) are served at scale as a pool of "
                         "prefill-only and a pool of decode-only instances, each laid out and sized for its own "
                         "work. The planner picks both pools' layouts; the GPUs box does not apply.")

qc = st.columns([2, 1.2, 1.8])
qopts = ui.quality_choices()
if ss.get("minq_ref") and ss["minq_ref"] not in qopts:
    ss["minq_ref"] = ""
qc[0].selectbox("At least as good as", ["", *qopts], key="minq_ref",
                format_func=lambda k: f"{k} (quality {qopts[k]:g})" if k else "no quality floor",
                help="Compare only routes whose Artificial Analysis Intelligence Index reaches this model's. "
                     "Routes without a sourced score are then left out, never assumed.")
qc[1].number_input("…or minimum quality", key="minq", min_value=0.0, max_value=1000.0, step=5.0,
                   disabled=bool(ss.get("minq_ref")), help="A minimum Artificial Analysis Intelligence Index; 0 = no filter. "
                        "Used when no model is picked.")
minq, qlabel = ui.min_quality()

tc = st.columns([2, 3])
topts = ui.task_token_choices()
if ss.get("task_ref") and ss["task_ref"] not in topts and ss["task_ref"] not in cat.models:
    ss["task_ref"] = ""
extra_ref = [ss["task_ref"]] if ss.get("task_ref") and ss["task_ref"] not in topts else []  # an HF id from a file
tc[0].selectbox("Cost per task: scale output tokens relative to", ["", *topts, *extra_ref],
                key="task_ref",
                format_func=lambda k: topts.get(k, k) if k else "same tokens for every model",
                help="A reasoning model may spend several times the output tokens of another on the same task. "
                     "Pick the model your token counts describe: every other model's output and reasoning tokens "
                     "are scaled by its output tokens per task (Artificial Analysis Intelligence Index, dated) "
                     "relative to it. Models without a figure keep x1.0 and the table says so.")
tc[1].text_input("Your own output tokens per task (your assumption)", key="task_own",
                 disabled=not ss.get("task_ref"), placeholder="openai/gpt-4o=5000, deepseek/deepseek-v4-pro=30k",
                 help="model=tokens, comma-separated (offer id or Hugging Face id); wins over the sourced figure "
                      "and is labelled 'your assumption' in the table and the report.")

# --------------------------------------------------------------------------- results

try:
    scn, df = ui.results()
except PricingError as e:
    ui.show_error(e)
    st.stop()

st.caption(cmp.gpu_price_note(df, scn.overrides.gpu_price_policy) + " Change it under Self-hosting detail.")
shown, dropped = ui.quality_filter(df, minq)
if dropped:
    st.info(f"{dropped} route rows are hidden by the quality floor of {minq:g} "
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
    if scn.task_tokens is not None:
        st.info(task_tokens.describe(scn.task_tokens, task_tokens.reference_figure(cat, scn.task_tokens, scn.name)),
                icon=":material/straighten:")
    for w in ([focus] if focus else names):
        lines = cmp.headline(df, w, minq, code, rate, qlabel)
        st.success(lines[0], icon=":material/emoji_events:")
        st.markdown("\n".join(f"- {x}" for x in lines[1:]))
    if focus is None and n > 1:
        st.info(cmp.winner_sentence(shown, None, code, rate), icon=":material/functions:")
    with st.expander("Link to this view", icon=":material/share:"):
        ui.share_box("compare")
st.subheader("Ranked routes")

view = shown if focus is None else shown[shown["workload"] == focus]
if focus is None and n > 1:
    st.caption("All workloads together: each route's monthly cost and tokens summed over the workloads; "
               "price age is that of the oldest price the route uses.")
    ui.ranked_table(ui.portfolio_frame(shown), "portfolio_table")
else:
    ui.ranked_table(view, "ranked_table")

st.download_button("Download results (CSV)", lambda: ui.results_csv(scn, shown),
                   file_name="llm-cost-results.csv", mime="text/csv", key="dl_csv",
                   on_click="ignore")  # a download needs no rerun (a rerun would race the file)

# --------------------------------------------------------------------------- charts

one = view if focus is not None else shown[shown["workload"] == names[0]]
one = one[one["monthly_usd"].notna()].sort_values("monthly_usd").head(20)
st.subheader("Cost by component" + ("" if focus else f": {names[0]}"))
if len(one):
    st.plotly_chart(charts.components(one, code, rate), width="stretch", key="components_chart")
    st.caption("The 20 cheapest routes; hover a bar for the whole label and the amount.")
else:
    st.info("No route to break down.")

st.subheader("Quality vs cost: the efficient frontier")
q = view.dropna(subset=["quality_index"]) if focus else one.dropna(subset=["quality_index"])
if q.empty:
    st.info("No route here has a sourced quality score, so there is no frontier to draw. "
            "Missing scores are shown as missing, never as zero.")
else:
    on = efficient_frontier(q)
    st.plotly_chart(charts.frontier(q, list(on), code, rate), width="stretch", key="frontier_chart")
    st.caption("On the frontier (nothing cheaper is as good): "
               + "; ".join(q[on].sort_values("monthly_usd")["label"].astype(str)))

warn = view[view["warnings"].astype(str).str.len() > 0]
with st.expander(f"Warnings ({len(warn)})", expanded=False):
    for _, r in warn.iterrows():
        st.markdown(f"- **{r['label']}** ({r['workload']}): {r['warnings']}")
