"""Catalog: every price, model, GPU and hosting figure with its source and age, plus the user's overrides."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import ui
from pricing import charts, clock
from pricing.history import measured_trend, offer_points

ss = st.session_state
cat = ui.catalog()

st.title("Catalog: where every number comes from")
st.caption(f"Ages: fresh up to {ui.FRESH_DAYS} days, aging up to {ui.STALE_DAYS}, STALE beyond. "
           "Click a column header to sort; the search box filters every table.")
needle = st.text_input("Search", key="cat_q", placeholder="deepseek, h100, together, qwen3 ...").strip().lower()


@st.cache_data(show_spinner=False)
def _tables() -> dict[str, pd.DataFrame]:
    """The four catalog tables as people read them (built once per process)."""
    off = cat.offers_frame()
    today = clock.today()
    off.insert(0, "age", [ui.age_badge(d) for d in off["checked_on"]])  # age of the last confirmation
    retired = [cat.offers[i].is_retired(today) for i in off["id"]]
    off.insert(1, "status", [
        (f"retired {o.retires_on}" + (f"; use {o.successor}" if o.successor else "")) if r
        else (f"retires {o.retires_on}" if o.retires_on else "")
        for o, r in zip((cat.offers[i] for i in off["id"]), retired, strict=True)])
    off["display_name"] = [_struck(n) if r else n for n, r in zip(off["display_name"], retired, strict=True)]
    off["source"] = [ui.link_or_none(s) for s in off["source"]]
    models = pd.DataFrame([{
        "id": m.id, "family": m.family, "params_b_total": m.params_b_total, "params_b_active": m.params_b_active,
        "layers": m.layers, "attention": m.attention, "kv_heads": m.kv_heads, "experts_routed": m.experts_routed,
        "experts_active": m.experts_active, "max_context_tokens": m.max_context_tokens,
        "native_precision": m.native_precision, "license": m.license, "age": ui.age_badge(m.as_of),
        "as_of": m.as_of, "source": ui.link_or_none(m.source),
    } for m in cat.models.values()])
    gpus = pd.DataFrame([{
        "id": g.id, "name": g.name, "vendor": g.vendor, "memory_gb": g.memory_gb,
        "mem_bandwidth_tbs": g.mem_bandwidth_tbs, "bf16_tflops_dense": g.bf16_tflops_dense,
        "fp8_tflops_dense": g.fp8_tflops_dense, "fp4_tflops_dense": g.fp4_tflops_dense, "tdp_w": g.tdp_w,
        "interconnect": g.interconnect, "purchase_usd": g.purchase_usd, "age": ui.age_badge(g.as_of),
        "as_of": g.as_of, "source": ui.link_or_none(g.source), "purchase_source": ui.link_or_none(g.purchase_source),
    } for g in cat.gpus.values()])
    cloud = pd.DataFrame([{
        "id": c.id, "provider": c.provider, "instance_type": c.instance_type, "gpu": c.gpu,
        "gpu_count": c.gpu_count, "region": c.region, "usd_per_hour_on_demand": c.usd_per_hour_on_demand,
        "usd_per_hour_spot": c.usd_per_hour_spot, "usd_per_hour_reserved": c.usd_per_hour_reserved,
        "age": ui.age_badge(c.as_of), "as_of": c.as_of, "source": ui.link_or_none(c.source),
    } for c in cat.cloud.values()])
    owned = pd.DataFrame([{**o.model_dump(exclude={"source"}), "age": ui.age_badge(o.as_of),
                           "source": o.source} for o in cat.owned.values()])
    return {"API offers": off, "Open models": models, "GPUs": gpus, "Cloud GPU prices": cloud,
            "Owned-hardware assumptions": owned}


def _struck(text: str) -> str:
    """Text struck through (combining long stroke), for retired offers."""
    return "".join(ch + "\u0336" for ch in str(text))


def _filter(df: pd.DataFrame) -> pd.DataFrame:
    if not needle:
        return df
    text = df.astype(str).apply(lambda c: c.str.lower().str.contains(needle, regex=False))
    return df[text.any(axis=1)]


LINKS = {
    "Source": st.column_config.LinkColumn(display_text="source"),
    "Purchase source": st.column_config.LinkColumn(display_text="source"),
    "Id": st.column_config.TextColumn(width="medium"),
}
tables = _tables()
tabs = st.tabs([f"{k} ({len(v)})" for k, v in tables.items()])
for (name, df), tab in zip(tables.items(), tabs, strict=True):
    with tab:
        shown = _filter(df)
        human = [ui.HUMAN_NAMES.get(c, c) for c in shown.columns]
        st.dataframe(ui.readable(shown), hide_index=True, width="stretch",
                     height=min(600, 38 + 35 * max(len(shown), 1)),
                     column_config={k: v for k, v in LINKS.items() if k in human}, key=f"cat_{name}")
        if needle:
            st.caption(f"{len(shown)} of {len(df)} rows match {needle!r}.")

# --------------------------------------------------------------------------- price history

st.header("Price over time")
trend = measured_trend(cat)
if trend is not None:
    st.caption(f"Dated prices from successive LiteLLM releases on PyPI; a point holds until the next one. "
               f"Measured yearly change of the price per quality point: {trend.closed.sentence()}; "
               f"{trend.open.sentence()}. Source: {trend.source}. The Plan page uses these by default.")
changed = [oid for oid in cat.offers if len(offer_points(cat, oid)) > 1 or cat.offers[oid].scheduled]
families = sorted({o.family for o in cat.offers.values() if o.family})
h1, h2 = st.columns([1, 3])
family = h1.selectbox("Model family (maker's offers)", ["", *families], key="cat_hist_family")
picked = h2.multiselect("Offers", sorted(cat.offers), default=changed[:3], key="cat_hist", max_selections=8)
if family:
    kinds = {p: cat.providers[p].kind for p in cat.providers}
    picked = [oid for oid, o in cat.offers.items()
              if o.family == family and kinds[cat.offer_provider[oid]] != "open-host"][:8]
    st.caption(f"{family}: {', '.join(picked)}")
if picked:
    end = clock.today()
    code, rate = ui.currency()
    series = []
    for oid in picked:
        pts = offer_points(cat, oid)
        if not pts:
            continue
        series.append((oid, [p.since for p in pts] + [end],
                       [p.usd_per_mtok_input for p in pts] + [pts[-1].usd_per_mtok_input],
                       [p.usd_per_mtok_output for p in pts] + [pts[-1].usd_per_mtok_output],
                       [(sp.effective_from, sp.usd_per_mtok_input) for sp in cat.offers[oid].scheduled]))
    fig = charts.price_history(series, code, rate)
    st.plotly_chart(fig, width="stretch", key="cat_hist_chart")

# --------------------------------------------------------------------------- cross-check with a feed

with st.expander("Check these prices against a live price feed (needs network; changes nothing)"):
    st.caption("Fetches LiteLLM's price map or OpenRouter's model list and lists offers whose prices differ "
               "from ours by more than 1%, so a person can decide. `pricing refresh` applies a feed.")
    with st.form("feed_check"):
        c1, c2 = st.columns([1, 3])
        src = c1.selectbox("Source", ["litellm", "openrouter"], key="chk_src")
        url = c2.text_input("URL (empty = the source's public address)", key="chk_url")
        go = st.form_submit_button("Check now")
    if go:
        from pricing.errors import PricingError
        from pricing.refresh.check import check_feed

        try:
            with st.spinner("Fetching the feed ..."):
                ss["_feed_check"] = (src, check_feed(cat, src, url.strip() or None))
        except PricingError as e:
            ss.pop("_feed_check", None)
            st.error(f"Could not check against {src}: {e}")
    if "_feed_check" in ss:
        src_done, diff = ss["_feed_check"]
        if diff.empty:
            st.success(f"No offer differs from {src_done} by more than 1%.")
        else:
            st.warning(f"{diff['offer_id'].nunique()} offers differ from {src_done} by more than 1% "
                       f"({len(diff)} price fields).")
            st.dataframe(diff, hide_index=True, width="stretch", key="cat_feed_diff")

# --------------------------------------------------------------------------- the user's own numbers

st.header("Your own numbers")
st.caption("Negotiated discounts, your GPU prices and electricity: they apply on every page, travel in the "
           "URL and are saved with the scenario. 0 means the catalog's figure.")
with st.expander("Negotiated discount per API provider (0.2 = 20% off every token)", expanded=False):
    cols = st.columns(3)
    for i, p in enumerate(sorted(cat.providers)):
        cols[i % 3].number_input(cat.providers[p].name, key=f"disc_{p}", min_value=0.0, max_value=1.0,
                                 step=0.05, format="%.2f")
with st.expander("Your GPU prices (USD per GPU-hour rented; USD per GPU bought)", expanded=False):
    for g in sorted(cat.gpus):
        c1, c2, c3 = st.columns([2, 2, 2])
        c1.markdown(f"**{cat.gpus[g].name}** (`{g}`)")
        c2.number_input("rent, USD per GPU-hour", key=f"gpuhr_{g}", min_value=0.0, max_value=200.0,
                        step=0.1, format="%.2f")
        c3.number_input("buy, USD per GPU", key=f"gpubuy_{g}", min_value=0.0, max_value=1_000_000.0,
                        step=1000.0, format="%.0f")
c1, c2, c3 = st.columns(3)
default_kwh = next(iter(cat.owned.values())).usd_per_kwh if cat.owned else None
c1.number_input("Electricity, USD per kWh", key="kwh", min_value=0.0, max_value=2.0, step=0.01, format="%.3f",
                help="0 = the catalog's default" + (f", {default_kwh:.3f} USD per kWh." if default_kwh is not None
                                                     else "."))
c2.number_input("Throughput scale (1 = as modelled)", key="eff", min_value=0.05, max_value=5.0,
                step=0.05, format="%.2f", help="Multiplies modelled self-hosting throughput, e.g. 0.8 if your "
                "serving stack is slower than the calibrated one.")
c3.number_input("Spare capacity at peak (0.2 = 20%)", key="headroom", min_value=0.0, max_value=0.9,
                step=0.05, format="%.2f", help="Self-hosting is sized so each replica runs at most "
                "(1 - this) of its capacity at the peak hour.")
