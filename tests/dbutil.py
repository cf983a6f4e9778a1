"""Direct SQL on a test warehouse, for expected values computed apart from the pages' queries."""

from __future__ import annotations

from pathlib import Path

import duckdb

from queries import READ_CONFIG


def sql(db: Path, query: str, **params: object) -> list[tuple]:
    # The app's own settings: DuckDB refuses a second, differently configured connection to one
    # file in a process (AppTests open the same file); closed at once so nothing holds the file.
    con = duckdb.connect(str(db), read_only=True, config=dict(READ_CONFIG))
    try:
        return con.execute(query, params or None).fetchall()
    finally:
        con.close()
