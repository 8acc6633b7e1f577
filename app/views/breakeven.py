"""breakeven page."""

import streamlit as st

st.title("breakeven")
