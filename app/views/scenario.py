"""Scenario and sharing: the link to this view, YAML download/upload, example scenarios, results as CSV."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import state, ui
from pricing import compare as cmp
from pricing.errors import PricingError

ss = st.session_state
EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "scenarios"

st.title("Scenario and sharing")

# --------------------------------------------------------------------------- the link

st.subheader("Link to this view")
ui.share_box("scenario")

# --------------------------------------------------------------------------- loading


def _load(text: str, name: str) -> None:
    """Validate a scenario and, only if it is good, replace the inputs with it; else keep them."""
    ss.pop("_load_error", None)
    ss.pop("_load_notes", None)
    try:
        scn = ui.validate_scenario_text(text, name)
    except PricingError as e:
        ss["_load_error"] = str(e)
        return
    notes = state.apply_scenario(scn, ui.providers(), ui.gpus())
    ss["_load_notes"] = [f"Loaded {scn.name!r} from {name}.", *notes]


def _on_upload() -> None:
    f = ss.get("upload")
    if f is None:
        return
    data = f.getvalue()
    if len(data) > cmp.MAX_SCENARIO_BYTES:
        ss["_load_error"] = f"{f.name}: file is {len(data):,} bytes, over the {cmp.MAX_SCENARIO_BYTES:,}-byte limit"
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        ss["_load_error"] = f"{f.name}: not UTF-8 text"
        return
    _load(text, f.name)


def _on_paste() -> None:
    text = str(ss.get("paste", ""))
    if len(text.encode("utf-8")) > cmp.MAX_SCENARIO_BYTES:
        ss["_load_error"] = f"pasted text is over the {cmp.MAX_SCENARIO_BYTES:,}-byte limit"
        return
    _load(text, "pasted text")


def _on_example(path: str) -> None:
    p = Path(path)
    _load(p.read_text(encoding="utf-8"), f"data/scenarios/{p.name}")


st.subheader("Load a scenario")
if ss.get("_load_error"):
    st.error("The scenario was not loaded; your previous inputs are unchanged.\n\n"
             + ss["_load_error"].replace("\n", "  \n"))
for note in ss.get("_load_notes", []):
    st.info(note)

examples = sorted(EXAMPLES.glob("*.yaml")) if EXAMPLES.is_dir() else []
if examples:
    st.markdown("**Examples** (one click replaces the current inputs):")
    cols = st.columns(min(4, len(examples)))
    for i, p in enumerate(examples):
        cols[i % len(cols)].button(p.stem.replace("_", " ").replace("-", " "), key=f"ex_{p.stem}",
                                   on_click=_on_example, args=(str(p),), width="stretch")
else:
    st.caption("No example scenarios in data/scenarios/ yet.")

st.file_uploader(f"Upload a scenario (YAML, at most {cmp.MAX_SCENARIO_BYTES // 1_000_000} MB)",
                 type=["yaml", "yml"], key="upload", on_change=_on_upload)
with st.expander("…or paste YAML"):
    st.text_area("Scenario YAML", key="paste", height=200, max_chars=cmp.MAX_SCENARIO_BYTES)
    st.button("Load pasted scenario", key="load_paste", on_click=_on_paste)

# --------------------------------------------------------------------------- saving

st.subheader("Save")
st.text_input("Scenario name", key="scenario_name", max_chars=200)
try:
    scn, df = ui.results()
except PricingError as e:
    ui.show_error(e)
    st.stop()
yaml_text = cmp.dump_scenario(scn)
c1, c2 = st.columns(2)
c1.download_button("Download scenario (YAML)", yaml_text, file_name="scenario.yaml", mime="application/x-yaml",
                   key="dl_yaml", width="stretch")
c2.download_button("Download results (CSV)", lambda: ui.results_csv(scn, df),
                   file_name="llm-cost-results.csv", mime="text/csv", key="dl_csv_scenario", width="stretch")
st.code(yaml_text, language="yaml")
