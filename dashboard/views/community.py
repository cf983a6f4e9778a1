"""Page under construction."""

import streamlit as st

st.info("本页正在建设中。")
