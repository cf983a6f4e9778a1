"""Plotly figure builders, one module per page area: frame in, figure out."""
