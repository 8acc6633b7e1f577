"""selfhost page."""

import streamlit as st

st.title("selfhost")
