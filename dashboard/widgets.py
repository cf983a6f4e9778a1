"""Small shared widgets: a metric tile whose arrow and colour follow the real change; a file
uploader that speaks Chinese."""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Container
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import formats as fmt


def tile(
    col: Any,
    label: str,
    value: str,
    cur: float | None = None,
    prev: float | None = None,
    *,
    unit: str = "家",
    digits: int = 0,
    higher_is_better: bool = True,
    help: str | None = None,
) -> None:
    """A bordered metric whose arrow and colour follow the sign of cur − prev.

    The delta text starts with 比上年, so Streamlit cannot read its sign: set arrow and colour here.
    """
    text = fmt.delta(cur, prev, unit, digits)
    diff = None if cur is None or prev is None else round(cur - prev, digits)
    changed(col, label, value, text, diff, higher_is_better=higher_is_better, help=help)


def changed(
    col: Any,
    label: str,
    value: str,
    text: str | None,
    diff: float | None,
    *,
    higher_is_better: bool = True,
    help: str | None = None,
) -> None:
    """A bordered metric with its change written out ('比上年 −51.89万元', formats.since): Streamlit
    cannot read the sign behind 比上年, so the arrow and colour follow `diff` here."""
    arrow, colour = "off", "gray"
    if text is not None and diff:
        up = diff > 0
        arrow = "up" if up else "down"
        colour = "green" if up == higher_is_better else "red"
    ems = fit_class(value)
    if ems:  # one more element, for long values only (a province's 156.75万人次)
        col = col.container(key=_free_key(f"{ems}_{zlib.crc32(f'{label}|{value}'.encode()):x}"))
    col.metric(label, value, text, delta_color=colour, delta_arrow=arrow, help=help, border=True)


def _free_key(key: str) -> str:
    """`key`, or key_1, key_2… if this run already has it: Streamlit refuses a repeated key, and
    two tiles may read the same (label and value). Streamlit 1.67 keeps the run's keys in
    ScriptRunContext.shared.widget_user_keys_this_run."""
    ctx = get_script_run_ctx()
    used: Container[str] = ctx.shared.widget_user_keys_this_run if ctx else frozenset()
    free, n = key, 0
    while free in used:
        n += 1
        free = f"{key}_{n}"
    return free


# Widths in em of the value font (Source Sans digits, CJK full width), for fit_class.
_NARROW = {",": 0.28, ".": 0.28, "/": 0.4, "%": 0.85}
SHORT_EMS = 4  # values up to this many em fit every tile the pages draw: mobile.CSS
LONG_EMS = 8  # the longest class: any longer value takes its rule too


def ems(text: str) -> float:
    """The width of a tile's value in em, roughly: CJK 1, digits 0.55."""
    return sum(1.0 if ord(c) > 0x2E80 else _NARROW.get(c, 0.55) for c in text)


def fit_class(value: str) -> str | None:
    """For a value longer than SHORT_EMS, the key prefix that makes its tile's CSS shrink the font
    to fit the tile's width (tile_ems5 … tile_ems8, mobile.CSS); None for a short one."""
    width = ems(value)
    if width <= SHORT_EMS + 0.4:
        return None
    return f"tile_ems{min(LONG_EMS, math.ceil(width - 0.4))}"


def chinese_uploader(hint: str) -> None:
    """Chinese words on st.file_uploader, which Streamlit 1.67 draws in English only ("Upload",
    "1GB per file • XLSX…": its server-wide limit, not orgdash's). CSS swaps the texts on every
    uploader of the page; call it once before the uploader."""
    css = f"""
    <style>
    [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{
        font-size: 0;
    }}
    [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
        content: "选择文件"; font-size: 0.875rem;
    }}
    [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
    [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
        content: {json.dumps(hint, ensure_ascii=False)}; font-size: 0.875rem;
    }}
    </style>
    """
    st.html(css)


def upload_form(key: str, types: list[str], kinds: str, button: str, verb: str) -> list | None:
    """The upload form of the 导入 and 上报 pages: several files, our size limit in Chinese.

    Returns the files when the button was pressed with some chosen (else warns and returns None);
    kinds names the file types for people ("Excel 或 CSV"), verb what the button does ("报送").
    """
    from etl.config import load_config

    limit_mb = load_config().max_upload_mb
    chinese_uploader(f"拖放文件到这里，或点“选择文件”；每个不超过 {limit_mb:g} MB，{kinds}")
    with st.form(f"{key}_upload", clear_on_submit=True):
        files = st.file_uploader(
            f"选择文件（每个不超过 {limit_mb:g} MB）",
            type=types,
            accept_multiple_files=True,
            key=f"{key}_files",
        )
        pressed = st.form_submit_button(button, type="primary")
    if not pressed:
        return None
    if not files:
        st.warning(f"请先选择要{verb}的文件。")
        return None
    return list(files)
