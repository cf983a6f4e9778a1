"""Download buttons for every table: CSV with a BOM (opens cleanly in Chinese Excel/WPS) and xlsx."""

from __future__ import annotations

import io

import polars as pl
import streamlit as st


def csv_bytes(frame: pl.DataFrame) -> bytes:
    # Without the UTF-8 BOM, Excel and WPS on Chinese Windows read the file as GBK: garbled text.
    return frame.write_csv(include_bom=True).encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "数据") -> bytes:
    buf = io.BytesIO()
    frame.write_excel(buf, worksheet=sheet[:31], autofit=True, autofilter=True, float_precision=2)
    return buf.getvalue()


def buttons(frame: pl.DataFrame, name: str, key: str) -> None:
    """Two small buttons under a table; name is the file name without extension (Chinese is fine).

    The files are made only when clicked (Streamlit 1.67 takes a callable), so a page with many
    tables does not build and send workbooks nobody asked for.
    """
    c1, c2, _ = st.columns([1, 1, 6])
    c1.download_button(
        "下载 CSV",
        lambda: csv_bytes(frame),
        f"{name}.csv",
        "text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    c2.download_button(
        "下载 Excel",
        lambda: xlsx_bytes(frame, name),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
    )
