"""The sidebar filters every page shares, mirrored in the URL query string for bookmarks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from access.accounts import Account
from dashboard import data, style
from dashboard import formats as fmt

ALL = "all"
AREA_OPTIONS = {ALL: "全部", "urban": "城市社区", "rural": "农村社区"}
_STATE = "_filters"


@dataclass(frozen=True)
class Filters:
    year: int
    as_of: dt.date  # the year's end, or the warehouse's as-of date for its own year
    township: str | None
    area: str | None
    fields: tuple[str, ...]

    def params(self) -> dict[str, object]:
        """Bound parameters for queries: $as_of, $year, $township, $area, $fields (null = all),
        and $by_county (a province's pages with no township chosen: per county, not township)."""
        return {
            "as_of": self.as_of,
            "year": self.year,
            "township": self.township,
            "area": self.area,
            "fields": list(self.fields) or None,
            # A province's pages, no township chosen, break the whole down by county: 1,200
            # townships are no chart (and a hundred 城关镇 would share one bar of it).
            "by_county": self.township is None and several_counties(),
        }

    def unit(self) -> str:
        """What the whole breaks down into on charts and tables: a township's communities, a
        province's counties (params' by_county), a county's townships."""
        if self.township:
            return "社区（村）"
        return "县（区）" if several_counties() else "乡镇（街道）"

    def describe(self) -> str:
        """'2025年 · 城关街道 · 城市社区 · 文体活动' for captions and report titles."""
        parts = [f"{self.year}年"]
        if self.township:
            parts.append(township_names().get(self.township, self.township))
        if self.area:
            parts.append(AREA_OPTIONS[self.area])
        if self.fields:
            names = style.labels("field")
            parts.append("、".join(names.get(f, f) for f in self.fields))
        return " · ".join(parts)


def several_counties() -> bool:
    """More than one county in the warehouse: a province's. A count of its own, not the map's
    counties (their boundaries): every page asks, several times a run."""
    return int(data.run("filters/counties")["count_counties"][0]) > 1


def township_names() -> dict[str, str]:
    """code -> the township's name for pickers, captions and titles; a province's carry their
    county (Xx县·城关街道): every county has its 城关镇, and a code in brackets told no one which."""
    frame = data.run("filters/townships")
    names = frame["township_name"].to_list()
    if several_counties():
        names = [f"{k}·{t}" if k else t for k, t in zip(frame["county_name"], names, strict=True)]
    return fmt.unique_labels(frame["township_code"].to_list(), names)


def _from_url(key: str, options: list, parse=str):  # type: ignore[no-untyped-def]
    raw = st.query_params.get(key)
    if raw is None:
        return None
    try:
        value = parse(raw)
    except ValueError:
        return None
    return value if value in options else None


def sidebar(account: Account | None = None) -> Filters:
    """Draw the filters in the sidebar (called once per run, from app.py) and return them.

    An account scoped to one township reads a copy holding only that township (data.pin), and
    its township filter is fixed to it, so captions and links name the township, not 全县.
    """
    wh = data.warehouse()
    years = data.run("filters/years")["year"].to_list()
    towns = township_names()
    locked = account.township if account is not None and account.township in towns else None
    fields = style.labels("field")
    state = st.session_state
    # The URL wins when it differs from what this session last wrote there: on a session's first
    # run (a shared link) and after a link inside the app (nav.link with township=...).
    written = state.get("_filters_url", {})
    now = st.query_params.to_dict()  # read once (each get() is a call through Streamlit's proxy)
    url = {k: now.get(k) for k in ("year", "township", "area", "field")}
    if "f_year" in state and all(v is None for v in url.values()):
        # A click in the menu opens the page without any query string (Streamlit 1.67's
        # navigation drops it): the session's filters hold, and are written back to the URL.
        # A link or a bookmark always carries at least the year (nav.link, share links).
        url = {k: written.get(k) for k in url}
    if "f_year" not in state or url["year"] != written.get("year"):
        state["f_year"] = _from_url("year", years, int) or state.get("f_year") or years[0]
    if locked:
        state["f_township"] = locked
    elif "f_township" not in state or url["township"] != written.get("township"):
        state["f_township"] = _from_url("township", list(towns)) or ALL
    if "f_area" not in state or url["area"] != written.get("area"):
        state["f_area"] = _from_url("area", list(AREA_OPTIONS)) or ALL
    if "f_field" not in state or url["field"] != written.get("field"):
        state["f_field"] = [f for f in (url["field"] or "").split(",") if f in fields]

    with st.sidebar:
        st.markdown("**筛选**")
        year = st.selectbox("年度", years, key="f_year", format_func=lambda y: f"{y}年")
        township = st.selectbox(
            "乡镇（街道）",
            [locked] if locked else [ALL, *towns],
            key="f_township",
            format_func=lambda c: "全县" if c == ALL else towns[c],
            disabled=bool(locked),
            help="您的账户只能查看本乡镇（街道）的数据。" if locked else None,
        )
        area = st.radio(
            "城乡",
            list(AREA_OPTIONS),
            key="f_area",
            format_func=lambda k: AREA_OPTIONS[k],
            horizontal=True,
        )
        chosen = st.multiselect(
            "服务领域",
            list(fields),
            key="f_field",
            format_func=lambda k: fields[k],
            placeholder="全部领域",
        )
        st.caption(f"数据截止 {wh['as_of_date']:%Y年%-m月%-d日}")

    as_of = min(dt.date(int(year), 12, 31), wh["as_of_date"])
    f = Filters(
        int(year),
        as_of,
        None if township == ALL else township,
        None if area == ALL else area,
        tuple(chosen),
    )
    _to_url(f)
    state[_STATE] = f
    return f


def _to_url(f: Filters) -> None:
    wanted = {"year": str(f.year)}
    if f.township:
        wanted["township"] = f.township
    if f.area:
        wanted["area"] = f.area
    if f.fields:
        wanted["field"] = ",".join(f.fields)
    st.session_state["_filters_url"] = wanted
    # Keep page-specific parameters (e.g. ?community=...) and only touch the filter keys. The URL
    # is read once: each `in` and get() is a call through Streamlit's query-params proxy.
    now = st.query_params.to_dict()
    for key in ("year", "township", "area", "field"):
        if key in wanted:
            if now.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in now:
            del st.query_params[key]


def current() -> Filters:
    """The filters drawn in this run (pages call this; app.py draws them first)."""
    return st.session_state[_STATE]
