"""Cells of files that go back to the office: text Excel or WPS would run as a formula is kept text.

A name like =HYPERLINK("http://x","y") in a CSV opens in Excel as a live link (CSV injection).
Every CSV the product writes (page downloads, SQL results, reject reports) goes through
`neutralised`: text starting with = + - @ or a tab or carriage return gets a leading apostrophe,
which Excel and WPS show as text. Numbers are left alone: number columns, and text that is a plain
number (-5, +3.5: a spreadsheet reads that number, never a formula); a lone "-" (a dash for
"none") is text to Excel already and stays as it is. Excel files keep such text as
text by themselves: Polars' write_excel and reports/xlsx_writer.py write strings as strings.
"""

from __future__ import annotations

import polars as pl

_RISKY = r"^(?:[=\t\r@]|[+\-].)"
_NUMBER = r"^[+-]?[0-9]+(?:\.[0-9]+)?$"


def neutralised(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every risky text cell prefixed by an apostrophe."""
    text = [n for n, t in frame.schema.items() if t == pl.String]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(n).str.contains(_RISKY) & ~pl.col(n).str.contains(_NUMBER))
        .then(pl.lit("'") + pl.col(n))
        .otherwise(pl.col(n))
        .alias(n)
        for n in text
    )
