"""Download buttons for every table: CSV with a BOM (opens cleanly in Chinese Excel/WPS) and xlsx."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from access import audit, roles
from dashboard import auth
from etl.cells import neutralised
from reports import wording as w


def csv_bytes(frame: pl.DataFrame) -> bytes:
    # Without the UTF-8 BOM, Excel and WPS on Chinese Windows read the file as GBK: garbled text.
    # Text that Excel would run as a formula (=HYPERLINK(...)) is kept text: etl/cells.py.
    return neutralised(frame).write_csv(include_bom=True).encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "数据") -> bytes:
    # Polars 2.1 writes strings as strings (=HYPERLINK(...) stays text; tested). It gives every
    # integer column the format #,##0: right for counts, wrong for years and codes (2,025年), which
    # the house style writes plain (reports/wording.py plain_column).
    buf = io.BytesIO()
    plain = {c: "0" for c, t in frame.schema.items() if t.is_integer() and w.plain_column(c)}
    frame.write_excel(
        buf,
        worksheet=sheet[:31],
        autofit=True,
        autofilter=True,
        float_precision=2,
        column_formats=plain or None,  # type: ignore[arg-type]
    )
    return buf.getvalue()


DETAIL_NOTE = "明细数据仅限分析人员下载；汇总表可下载。"


def offered(kind: str) -> bool:
    """Whether the signed-in account may take a file of this kind (access/roles.py EXPORTS)."""
    return roles.may_export(auth.current().role, kind)


def allowed(detail: bool) -> bool:
    """Detail rows (one per organisation, grant, report...) are for analysts and admins."""
    return offered("detail" if detail else "summary")


def logged(
    file_name: str, rows: int, make: Callable[[], bytes], kind: str = "summary"
) -> Callable[[], bytes]:
    """Wrap a file maker so the download lands in the audit log: who, what, which kind, how many
    rows. Streamlit 1.67 calls the maker when the button is clicked, so that is when it is logged.
    """
    user = auth.current().name

    def made() -> bytes:
        body = make()
        audit.record("download", user, file=file_name, kind=kind, rows=rows, bytes=len(body))
        return body

    return made


def button(
    label: str,
    make: Callable[[], bytes],
    file_name: str,
    mime: str,
    key: str,
    *,
    kind: str,
    rows: int,
    where: Any = None,
    **options: Any,
) -> bool:
    """The one place a page offers a file: drawn only if the role may take this kind of file
    (access/roles.py EXPORTS), audited when clicked. Returns whether it was drawn."""
    if not offered(kind):
        return False
    (where or st).download_button(
        label,
        logged(file_name, rows, make, kind),
        file_name,
        mime,
        key=key,
        on_click="ignore",
        **options,
    )
    return True


CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def buttons(
    frame: pl.DataFrame, name: str, key: str, *, detail: bool = False, kind: str | None = None
) -> None:
    """Two small buttons under a table; name is the file name without extension (Chinese is fine).

    detail=True marks a table of individual records (kind "detail"): only roles with detail
    downloads get the buttons, the others a note. The files are made only when clicked (Streamlit
    1.67 takes a callable), so a page with many tables does not build workbooks nobody asked for.
    """
    kind = kind or ("detail" if detail else "summary")
    if not offered(kind):
        if kind == "detail":
            st.caption(DETAIL_NOTE)
        return
    # One row that holds both (one block), not st.columns' row and a block per column: every
    # element is a message through Streamlit's per-message machinery (issue 15).
    row = st.container(horizontal=True, gap="small")
    button("下载 CSV", lambda: csv_bytes(frame), f"{name}.csv", CSV, f"{key}_csv",
           kind=kind, rows=frame.height, where=row)  # fmt: skip
    button("下载 Excel", lambda: xlsx_bytes(frame, name), f"{name}.xlsx", XLSX, f"{key}_xlsx",
           kind=kind, rows=frame.height, where=row)  # fmt: skip
