"""Download buttons for every table: CSV with a BOM (opens cleanly in Chinese Excel/WPS) and xlsx."""

from __future__ import annotations

import io
from collections.abc import Callable

import polars as pl
import streamlit as st

from access import audit
from dashboard import auth


def csv_bytes(frame: pl.DataFrame) -> bytes:
    # Without the UTF-8 BOM, Excel and WPS on Chinese Windows read the file as GBK: garbled text.
    return frame.write_csv(include_bom=True).encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "数据") -> bytes:
    buf = io.BytesIO()
    frame.write_excel(buf, worksheet=sheet[:31], autofit=True, autofilter=True, float_precision=2)
    return buf.getvalue()


DETAIL_NOTE = "明细数据仅限分析人员下载；汇总表可下载。"


def logged(file_name: str, rows: int, make: Callable[[], bytes]) -> Callable[[], bytes]:
    """Wrap a file maker so the download lands in the audit log, with who, what and how many rows.

    Streamlit 1.67 calls the maker when the button is clicked, so that is when it is logged.
    """
    user = auth.current().name

    def made() -> bytes:
        body = make()
        audit.record("download", user, file=file_name, rows=rows, bytes=len(body))
        return body

    return made


def allowed(detail: bool) -> bool:
    """Detail rows (one per organisation, grant, report...) are for analysts and admins."""
    return not detail or auth.current().can("detail_downloads")


def buttons(frame: pl.DataFrame, name: str, key: str, *, detail: bool = False) -> None:
    """Two small buttons under a table; name is the file name without extension (Chinese is fine).

    detail=True marks a table of individual records: only roles with detail_downloads get the
    buttons. The files are made only when clicked (Streamlit 1.67 takes a callable), so a page
    with many tables does not build and send workbooks nobody asked for.
    """
    if not allowed(detail):
        st.caption(DETAIL_NOTE)
        return
    c1, c2, _ = st.columns([1, 1, 6])
    c1.download_button(
        "下载 CSV",
        logged(f"{name}.csv", frame.height, lambda: csv_bytes(frame)),
        f"{name}.csv",
        "text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    c2.download_button(
        "下载 Excel",
        logged(f"{name}.xlsx", frame.height, lambda: xlsx_bytes(frame, name)),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
    )
