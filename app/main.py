"""Dashboard entry point: `streamlit run app/main.py`; pages live in app/views/, wired by st.navigation."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

_T0 = time.perf_counter()

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import state, ui  # noqa: E402
from pricing.errors import PricingError  # noqa: E402

st.set_page_config(page_title="LLM cost: API or self-host?", page_icon=":material/payments:", layout="wide")

PAGES = [
    st.Page("views/compare.py", title="Compare", icon=":material/balance:", default=True),
    st.Page("views/offers.py", title="All API offers", icon=":material/receipt_long:", url_path="offers"),
    st.Page("views/breakeven.py", title="Break-even", icon=":material/trending_up:", url_path="breakeven"),
    st.Page("views/plan.py", title="Plan", icon=":material/calendar_month:", url_path="plan"),
    st.Page("views/sensitivity.py", title="How sure are we?", icon=":material/tune:", url_path="sensitivity"),
    st.Page("views/selfhost.py", title="Self-hosting detail", icon=":material/dns:", url_path="selfhost"),
    st.Page("views/catalog.py", title="Catalog", icon=":material/menu_book:", url_path="catalog"),
    st.Page("views/scenario.py", title="Scenario & sharing", icon=":material/share:", url_path="scenario"),
]

try:
    ui.catalog()
except PricingError as e:  # bundled data broken: say what, where, and stop
    ui.show_error(e)
    st.stop()

PARAMS = ui.all_params()
problems = state.init(PARAMS, ui.validators())
page = st.navigation(PAGES)
with st.sidebar:
    ui.currency_picker(st.sidebar)
    cur_problem = ui.validate_currency()
    if cur_problem:
        st.warning(cur_problem)
    st.caption(ui.catalog_caption())
for p in problems:
    st.warning(p)
try:
    if "APP_PROFILE" in os.environ:  # dev aid: print where a rerun spends its time
        import cProfile
        import pstats

        _prof = cProfile.Profile()
        _prof.runcall(page.run)
        pstats.Stats(_prof).sort_stats("cumtime").print_stats(35)
    else:
        page.run()
finally:  # also after st.stop() in a page, so the link always matches the inputs
    state.sync_url(PARAMS)
    st.session_state["_run_seconds"] = time.perf_counter() - _T0  # read by tests and benchmarks
    if "APP_TIMING" in os.environ:  # dev aid
        print(f"script run {st.session_state['_run_seconds'] * 1000:.0f} ms", flush=True)
