"""catalog page."""

import streamlit as st

st.title("catalog")
