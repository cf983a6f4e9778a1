"""The Streamlit dashboard: thin pages over named queries."""
