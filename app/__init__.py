"""The Streamlit dashboard: thin widgets over the pricing core."""
