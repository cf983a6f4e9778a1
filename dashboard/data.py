"""Cached access to the warehouse for pages: named queries, keyed on the build on disk."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

import queries


class NoWarehouse(Exception):
    pass


@st.cache_data(max_entries=512, show_spinner=False)
def _run(name: str, build: str, params: tuple[tuple[str, object], ...]) -> pl.DataFrame:
    # build is part of the key only: a new load changes it, so pages see the new data at once.
    return queries.run(name, None, **dict(params))


def build() -> str:
    try:
        return queries.build_id()
    except FileNotFoundError:
        raise NoWarehouse(str(queries.db_path())) from None


def run(name: str, **params: object) -> pl.DataFrame:
    """A named query's result, cached per warehouse build and parameter values."""
    return _run(name, build(), tuple(sorted(params.items())))


def warehouse() -> dict:
    """as_of_date, built_at, etl_run_id, county_name of the live build."""
    return run("info/as_of").row(0, named=True)


def as_of() -> dt.date:
    return warehouse()["as_of_date"]


@st.cache_data(max_entries=8, show_spinner=False)
def _attempts(log: str) -> pl.DataFrame:
    return queries.load_attempts()


def failed_since_build() -> pl.DataFrame:
    """Load attempts that failed after the live build was made (newest first)."""
    built = warehouse()["etl_run_id"]
    attempts = _attempts(queries.log_id())
    newer = attempts.filter(attempts["run_id"] > built) if attempts.height else attempts
    return newer.filter(newer["status"] == "failed")
