"""The report's content from the warehouse: sections of sentences, tables and chart specs, no layout.

Every writer (Word, PowerPoint, Excel, Markdown) and the 报告 page render the same Report, so the
formats say the same thing. Figures come from queries/report/*.sql, which reuse the shared marts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

import queries
from queries.indicators import catalogue
from reports import sentences as s
from reports import wording as w

# Column kinds decide how a cell is shown in every format (and the Excel number format).
TEXT, INT, DEC1, WAN, YUAN, RATE, YEAR = "text", "int", "dec1", "wan", "yuan", "rate", "year"

# Word and PowerPoint are read in a meeting: a table longer than PRINT_ROWS (a province's 1,200
# townships: 86 slides, 40 pages) shows the ends of its ranking there, and the whole table is in
# the Excel workbook (and the Markdown file). A county's tables (12 to 30 townships) stay whole.
PRINT_ROWS = 40
PRINT_EACH = 10
# A chart with more bars than CHART_BARS shows the CHART_EACH largest and smallest: 1,200 bars
# are unreadable (and took kaleido two seconds to draw).
CHART_BARS = 30
CHART_EACH = 10
GAP = "……"  # the row or category that stands for the ones left out
# The organisations (count_active): one label in figures, table headers, charts and their notes,
# the catalogue's (queries/indicators.toml), as the pages write it.
ORGS = catalogue()["count_active"]


class ReportError(ValueError):
    """A report that cannot be made as asked (unknown township, date after the data)."""


@dataclass(frozen=True)
class Table:
    title: str  # 表题, also the Excel sheet's name (shortened)
    frame: pl.DataFrame  # Chinese headers, units in the header: 社会组织数（家）
    kinds: dict[str, str]  # header -> TEXT, INT, DEC1, WAN, YUAN, RATE or YEAR
    note: str | None = None
    gap: int | None = None  # rows were left out before this row: shown as a row of ……
    brief: Table | None = None  # what Word and PowerPoint show of a long table (see PRINT_ROWS)
    # Not one of the report's key tables: printed in the 附件 after the signature (Word), on
    # slides after the last section (PowerPoint), numbered after the key ones everywhere.
    annex: bool = False

    def printed(self, number: int) -> Table:
        """The table as Word and PowerPoint show it as 表{number}: its brief, if it has one, with a
        note saying what is shown and where the whole table is."""
        if self.brief is None:
            return self
        return replace(self.brief, note=f"{self.brief.note}完整表格见本报告Excel版表{number}。")

    def cell(self, value: Any, column: str) -> str:
        """A value as the tables show it: 2216, 22.9, 302.98 (万元), 94.2%, — for none."""
        kind = self.kinds.get(column, TEXT)
        if value is None:
            return "—"
        if kind == INT:
            return str(int(value))
        if kind == YEAR:
            return f"{int(value)}"
        if kind == DEC1:
            return f"{float(value):.1f}"
        if kind in (WAN, YUAN):
            return f"{float(value):,.2f}"
        if kind == RATE:
            return f"{float(value) * 100:.1f}%"
        return str(value)

    def rows(self) -> list[list[str]]:
        """Every row as shown, header excluded (a row of …… where rows were left out)."""
        rows = [
            [self.cell(v, c) for c, v in zip(self.frame.columns, r, strict=True)]
            for r in self.frame.iter_rows()
        ]
        if self.gap is not None:
            rows.insert(self.gap, [GAP] + [""] * (len(self.frame.columns) - 1))
        return rows


@dataclass(frozen=True)
class Chart:
    """What to draw; reports/charts.py turns it into a figure and a PNG."""

    title: str
    kind: str  # hbar, stacked, grouped, bars_line, bars_floor
    frame: pl.DataFrame
    x: str
    series: tuple[str, ...]  # columns drawn as bars (Chinese names, also the legend)
    unit: str  # y-axis (x-axis for hbar) title
    line: str | None = None  # bars_line: the column drawn as a line on a second axis
    line_unit: str | None = None
    floor: str | None = None  # bars_floor: the column drawn as floor markers
    note: str | None = None  # printed under the chart: what a shortened chart shows
    horizontal: bool = False  # a shortened ranking: bars across, names readable


# What the Word and PowerPoint writers take for the charts: their PNGs (None for one that could not
# be drawn), or a function that waits for them (reports.charts.later).
Pictures = Sequence[bytes | None] | Callable[[], Sequence[bytes | None]]


@dataclass(frozen=True)
class Figure:
    """A key figure for a slide: label and the value as written (2216家, 近23家, 68.8%)."""

    label: str
    value: str


@dataclass
class Section:
    key: str
    title: str  # without its number: 基本情况
    paragraphs: list[list[str]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    def add(self, *sentences: str | None) -> None:
        """One paragraph of the sentences that have data; none at all adds nothing."""
        kept = [x for x in sentences if x]
        if kept:
            self.paragraphs.append(kept)

    def text(self) -> str:
        return "\n".join("".join(p) for p in self.paragraphs)


# The 公文's outline. Level 1 (一、): 基本情况, the work under the speech's four themes, the year's
# change, what falls short. Level 2 (（一）): the speech's themes, with its words. Level 3 (1.): the
# sections of a theme, when it has more than one.
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("基本情况", ("basics",)),
    ("主要工作", ("themes",)),
    ("与上年相比", ("changes",)),
    ("未达标社区", ("floor",)),
)
THEMES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("夯实基础", "夯实基础，培育发展社区社会组织", ("party", "platforms")),
    ("优化环境", "优化环境，激发社区社会组织活力", ("funding", "training")),
    ("强化监管", "强化监管，确保社区社会组织健康发展", ("supervision",)),
    ("创新模式", "创新模式，探索社区社会组织参与基层治理新路径", ("innovation",)),
)


@dataclass(frozen=True)
class Heading:
    """One heading of the outline, as written: 一、基本情况 / （一）夯实基础，… / 1.党建引领."""

    level: int  # 1, 2 or 3
    text: str
    section: Section | None  # the section whose text follows it; None over other headings
    short: str  # on a slide or in a list: 一、基本情况, （一）夯实基础：党建引领


@dataclass
class Report:
    title: str
    subtitle: str
    issuer: str
    place: str  # 全县 or the township's name, as the sentences name it
    township: str | None
    as_of: dt.date
    sections: list[Section]
    note: str
    opening: str = ""  # the 公文's lead paragraph: 现将…报告如下：
    dated: dt.date | None = None  # the 成文日期 under the signature; None: the day it is written

    def outline(self) -> list[Heading]:
        """The headings in order, numbered over the sections that have text (absent ones are
        left out and the rest renumbered)."""
        by_key = {sec.key: sec for sec in self.sections}
        out: list[Heading] = []
        part_no = 0
        for title, keys in PARTS:
            if keys == ("themes",):
                themes = [
                    (short, long, [by_key[k] for k in ks if k in by_key])
                    for short, long, ks in THEMES
                ]
                themes = [t for t in themes if t[2]]
                if not themes:
                    continue
                part_no += 1
                out.append(
                    Heading(
                        1, f"{w.ordinal(part_no)}、{title}", None, f"{w.ordinal(part_no)}、{title}"
                    )
                )
                for i, (short, long, secs) in enumerate(themes, 1):
                    num = f"（{w.ordinal(i)}）"
                    if len(secs) == 1:
                        sec = secs[0]
                        tail = "" if sec.title == short else f"：{sec.title}"
                        out.append(Heading(2, f"{num}{long}", sec, f"{num}{short}{tail}"))
                        continue
                    out.append(Heading(2, f"{num}{long}", None, f"{num}{short}"))
                    for j, sec in enumerate(secs, 1):
                        out.append(
                            Heading(3, f"{j}.{sec.title}", sec, f"{num}{short}：{sec.title}")
                        )
                continue
            alone = by_key.get(keys[0])
            if alone is None:
                continue
            part_no += 1
            text = f"{w.ordinal(part_no)}、{title}"
            out.append(Heading(1, text, alone, text))
        return out

    def numbered(self) -> list[tuple[str, Section]]:
        """Each section with its heading as a slide or a list names it (（一）夯实基础：党建引领),
        in the outline's order."""
        return [(h.short, h.section) for h in self.outline() if h.section is not None]

    def tables(self) -> list[Table]:
        """Every table in its numbering order: the key ones as their sections come, then the
        附件's (table N is tables()[N - 1] in every format)."""
        ordered = [sec for _, sec in self.numbered()]
        return [t for sec in ordered for t in sec.tables if not t.annex] + [
            t for sec in ordered for t in sec.tables if t.annex
        ]

    def table_number(self, table: Table) -> int:
        return next(i for i, t in enumerate(self.tables(), 1) if t is table)

    @property
    def annex_title(self) -> str:
        """The 附件's title: Xx县社区社会组织发展情况统计表."""
        return self.title.removesuffix("报告") + "统计表"

    def annex(self) -> list[Table]:
        return [t for t in self.tables() if t.annex]

    def charts(self) -> list[Chart]:
        return [c for _, sec in self.numbered() for c in sec.charts]

    def text(self) -> str:
        """Every sentence, heading by heading (the preview and tests read this)."""
        out = [self.title, self.subtitle, self.opening]
        for heading in self.outline():
            out.append(heading.text)
            if heading.section is not None:
                out.append(heading.section.text())
        return "\n".join(out)


def previous_day(d: dt.date) -> dt.date:
    """The same day a year earlier (29 February → 28 February)."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


class _Ask:
    """Runs the report's named queries for one scope on one connection (one build, one snapshot)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, township: str | None) -> None:
        self.con, self.township = con, township
        self._seen: dict[tuple, pl.DataFrame] = {}

    def frame(self, name: str, as_of: dt.date, township: str | bool | None = True) -> pl.DataFrame:
        # township=True: the report's scope; None: the whole county (for comparisons)
        # name: a file of queries/report/, or a page's query named in full ("projects/…") where
        # the report says what the page shows; the report counts every area (no $area filter).
        path = name if "/" in name else f"report/{name}"
        params: dict[str, object] = {
            "as_of": as_of,
            "township": self.township if township is True else township,
            "area": None,
        }
        wanted = queries.params_of(path)
        bound = {k: v for k, v in params.items() if k in wanted}
        # Sections share figures (this year's money feeds 资金 and 与上年相比): ask once.
        key = (path, *sorted(bound.items()))
        if key not in self._seen:
            self._seen[key] = queries.run_on(self.con, path, **bound)
        return self._seen[key]

    def rows(self, name: str, as_of: dt.date, township: str | bool | None = True) -> list[dict]:
        return self.frame(name, as_of, township).to_dicts()

    def row(self, name: str, as_of: dt.date, township: str | bool | None = True) -> dict | None:
        rows = self.rows(name, as_of, township)
        return rows[0] if rows else None


def _wan(col: str) -> pl.Expr:
    return (pl.col(col).cast(pl.Float64) / 10_000).round(2)


Ranking = list[tuple[str, bool]]  # (column, descending) pairs; ties keep the frame's order


def _ends(frame: pl.DataFrame, by: Ranking, top: int, bottom: int) -> tuple[pl.DataFrame, int]:
    """The first `top` and the last `bottom` rows of frame in the order of `by`, and the index of
    the first bottom row (where the rows left out were). frame is longer than top + bottom."""
    ordered = (
        frame.with_row_index("_at")
        .sort(
            [c for c, _ in by] + ["_at"],
            descending=[d for _, d in by] + [False],
            nulls_last=True,
        )
        .drop("_at")
    )
    return pl.concat([ordered.head(top), ordered.tail(bottom)]), top


def _shortened(table: Table, by: Ranking, top: int, bottom: int, note: str) -> Table:
    """The table with a brief for Word and PowerPoint when it is longer than PRINT_ROWS.

    The brief holds the top and bottom rows of the ranking and, last, the table's 合计 row (which
    stays the total of every row); note says what it shows, {n} standing for the number of rows
    (合计 not counted).
    """
    frame = table.frame
    has_total = frame.height > 0 and frame.row(-1)[0] == "合计"
    body = frame.head(frame.height - 1) if has_total else frame
    if body.height <= PRINT_ROWS:
        return table
    shown, gap = _ends(body, by, top, bottom)
    if has_total:
        shown = pl.concat([shown, frame.tail(1)])
    brief = Table(
        f"{table.title}（节选）",
        shown,
        table.kinds,
        note=note.format(n=w.count(body.height)) + (table.note or ""),
        gap=gap,
        annex=table.annex,
    )
    return replace(table, brief=brief)


def _chart_ends(frame: pl.DataFrame, x: str, by: Ranking) -> pl.DataFrame | None:
    """Past CHART_BARS bars: the CHART_EACH largest and smallest with a …… category between them
    (the rank columns are dropped); None when every bar fits."""
    if frame.height <= CHART_BARS:
        return None
    shown, gap = _ends(frame, by, CHART_EACH, CHART_EACH)
    return pl.concat(
        [shown.head(gap), pl.DataFrame({x: [GAP]}), shown.tail(shown.height - gap)],
        how="diagonal_relaxed",
    )


def check(db: Path | None, scope: str | None, as_of: dt.date | None = None) -> dict:
    """Refuse a report that cannot be made (unknown township, date after the data) before any work.

    Returns the warehouse's names and dates (county_name, as_of_date, township_name).
    """
    con = queries.connect(db)
    try:
        return _check(con, scope, as_of)
    finally:
        con.close()


def _check(con: duckdb.DuckDBPyConnection, scope: str | None, as_of: dt.date | None) -> dict:
    township = None if scope in (None, "", "county") else scope
    info = queries.run_on(con, "report/scope", township=township).row(0, named=True)
    if township and info["township_name"] is None:
        raise ReportError(f"没有编码为 {township} 的乡镇（街道）。")
    if as_of is not None and as_of > info["as_of_date"]:
        raise ReportError(
            f"报告日期 {w.date(as_of)} 晚于数据截止日期 {w.date(info['as_of_date'])}，请选择更早的日期。"
        )
    return info


def build(db: Path | None, scope: str | None, as_of: dt.date | None = None) -> Report:
    """The report for the county (scope None or 'county') or one township, as of a date.

    as_of defaults to the warehouse's as-of date; a later date is refused (no data there yet).
    Every figure is read on one connection, so the report reads one build even if a load swaps
    the file meanwhile.
    """
    con = queries.connect(db)
    try:
        return _build(con, scope, as_of)
    finally:
        con.close()


def _build(con: duckdb.DuckDBPyConnection, scope: str | None, as_of: dt.date | None) -> Report:
    info = _check(con, scope, as_of)
    township = None if scope in (None, "", "county") else scope
    ask = _Ask(con, township)
    data_as_of: dt.date = info["as_of_date"]
    as_of = as_of or data_as_of
    county_name = info["county_name"] or "本县"
    place = info["township_name"] if township else "全县"
    prev = previous_day(as_of)
    when = "目前" if as_of == data_as_of else w.as_of(as_of)

    basics = ask.row("basics", as_of) or {}
    county = ask.row("basics", as_of, None) if township else basics
    county = county or {}
    ctx = _Context(ask, township, place, as_of, prev, when, basics, county)
    sections = [
        _basics(ctx),
        _party(ctx),
        _platforms(ctx),
        _funding(ctx),
        _training(ctx),
        _supervision(ctx),
        _innovation(ctx),
        _changes(ctx),
        _floor(ctx),
    ]
    _targets(ctx, sections)
    title_place = f"{county_name}{place}" if township else county_name
    return Report(
        title=f"{title_place}社区社会组织发展情况报告",
        subtitle=f"（数据{w.as_of(as_of)}）",
        issuer=f"{county_name}民政局",
        place=place,
        township=township,
        as_of=as_of,
        sections=[sec for sec in sections if sec.paragraphs],
        opening=(
            f"根据社区社会组织数据库{w.as_of(as_of)}的数据，"
            f"现将{place}社区社会组织发展情况报告如下："
        ),
        note=(
            f"注：本报告由社区社会组织数据库自动生成，数据{w.as_of(as_of)}；"
            "“比上年”与上年同一日相比。缺少数据的内容不列出。"
        ),
    )


@dataclass(frozen=True)
class _Context:
    ask: _Ask
    township: str | None
    place: str
    as_of: dt.date
    prev: dt.date
    when: str
    basics: dict
    county: dict

    @property
    def is_county(self) -> bool:
        return self.township is None


def _basics(c: _Context) -> Section:
    sec = Section("basics", "基本情况")
    fields = c.ask.rows("fields", c.as_of)
    b = c.basics
    sec.add(s.basics(c.place, c.as_of, b, fields))
    if c.is_county:
        townships = c.ask.rows("townships", c.as_of)
        sec.add(s.township_extremes(townships))
    else:
        sec.add(s.basics_compare(c.place, b, c.county))
    if not b.get("count_active"):
        return sec
    sec.figures = [
        Figure(ORGS.label, f"{w.count(b['count_active'])}家"),
        Figure("登记", f"{w.count(b['count_registered'])}家"),
        Figure("备案", f"{w.count(b['count_filed'])}家"),
    ]
    if b.get("count_urban_communities") and b["count_urban"]:
        sec.figures.append(Figure("平均每个社区", f"{w.average(b['avg_per_urban_community'])}家"))
    if b.get("count_rural_communities") and b["count_rural"]:
        sec.figures.append(Figure("平均每个行政村", f"{w.average(b['avg_per_rural_community'])}家"))

    if c.is_county:
        frame = pl.DataFrame(townships)
        table = frame.select(
            pl.col("township_name").alias("乡镇（街道）"),
            pl.col("count_communities").alias("城乡社区（个）"),
            pl.col("count_active").alias(ORGS.header),
            pl.col("count_registered").alias("登记（家）"),
            pl.col("count_filed").alias("备案（家）"),
            pl.col("avg_per_community").round(1).alias("平均每社区（家）"),
            pl.col("count_below_floor").alias("未达标社区（个）"),
            pl.col("count_village_stations").alias("村级服务站（个）"),
        )
        total = pl.DataFrame(
            {
                "乡镇（街道）": ["合计"],
                "城乡社区（个）": [b["count_communities"]],
                ORGS.header: [b["count_active"]],
                "登记（家）": [b["count_registered"]],
                "备案（家）": [b["count_filed"]],
                "平均每社区（家）": [
                    round(b["count_active"] / b["count_communities"], 1)
                    if b["count_communities"]
                    else None
                ],
                "未达标社区（个）": [b["count_communities"] - b["count_communities_meeting_floor"]],
                "村级服务站（个）": [int(frame["count_village_stations"].sum())],
            },
            schema=table.schema,
        )
        sec.tables.append(
            _shortened(
                Table(
                    "各乡镇（街道）社区社会组织情况",
                    pl.concat([table, total]),
                    {
                        "乡镇（街道）": TEXT,
                        "平均每社区（家）": DEC1,
                        **{col: INT for col in table.columns[1:] if col != "平均每社区（家）"},
                    },
                ),
                [(ORGS.header, True)],
                PRINT_EACH,
                PRINT_EACH,
                f"{c.place}共{{n}}个乡镇（街道），表中列出{ORGS.label}最多的{PRINT_EACH}个和最少的"
                f"{PRINT_EACH}个，按{ORGS.label}从多到少排列；合计为全部乡镇（街道）的合计。",
            )
        )
        bars = frame.select(
            pl.col("township_name").alias("乡镇（街道）"),
            pl.col("count_registered").alias("登记"),
            pl.col("count_filed").alias("备案"),
            pl.col("count_active").alias("_rank"),
        )
        ends = _chart_ends(bars, "乡镇（街道）", [("_rank", True)])
        sec.charts.append(
            Chart(
                "各乡镇（街道）社区社会组织数"
                if ends is None
                else f"{ORGS.label}最多和最少的各{CHART_EACH}个乡镇（街道）",
                "stacked",
                (bars if ends is None else ends).drop("_rank"),
                x="乡镇（街道）",
                series=("登记", "备案"),
                unit=ORGS.header,
                note=None
                if ends is None
                else f"{c.place}共{w.count(bars.height)}个乡镇（街道），图中为{ORGS.label}最多的"
                f"{CHART_EACH}个和最少的{CHART_EACH}个，中间以“{GAP}”隔开；"
                "各乡镇（街道）的数据见本报告Excel版。",
                horizontal=ends is not None,
            )
        )
    else:
        comm = c.ask.frame("communities", c.as_of)
        if comm.height:
            sec.tables.append(
                _shortened(
                    Table(
                        f"{c.place}各城乡社区社会组织情况",
                        comm.select(
                            pl.col("community_name").alias("社区（村）"),
                            pl.col("area_label").alias("类型"),
                            pl.col("count_active").alias(ORGS.header),
                            pl.col("count_registered").alias("登记（家）"),
                            pl.col("count_filed").alias("备案（家）"),
                            pl.col("floor").alias("国家标准（家）"),
                            pl.when(pl.col("meets_floor"))
                            .then(pl.lit("是"))
                            .otherwise(pl.lit("否"))
                            .alias("是否达标"),
                            pl.when(pl.col("has_station"))
                            .then(pl.lit("有"))
                            .otherwise(pl.lit("无"))
                            .alias("村级服务站"),
                        ),
                        {
                            "社区（村）": TEXT,
                            "类型": TEXT,
                            ORGS.header: INT,
                            "登记（家）": INT,
                            "备案（家）": INT,
                            "国家标准（家）": INT,
                            "是否达标": TEXT,
                            "村级服务站": TEXT,
                        },
                    ),
                    [(ORGS.header, True)],
                    PRINT_EACH,
                    PRINT_EACH,
                    f"{c.place}共{{n}}个城乡社区，表中列出{ORGS.label}最多的{PRINT_EACH}个和最少的"
                    f"{PRINT_EACH}个，按{ORGS.label}从多到少排列。",
                )
            )
            bars = comm.select(
                pl.col("community_name").alias("社区（村）"),
                pl.col("count_active").alias(ORGS.label),
                pl.col("floor").alias("国家标准"),
            )
            ends = _chart_ends(bars, "社区（村）", [(ORGS.label, True)])
            sec.charts.append(
                Chart(
                    f"{c.place}各城乡社区社会组织数"
                    if ends is None
                    else f"{c.place}{ORGS.label}最多和最少的各{CHART_EACH}个城乡社区",
                    "bars_floor",
                    bars if ends is None else ends,
                    x="社区（村）",
                    series=(ORGS.label,),
                    unit=ORGS.header,
                    floor="国家标准",
                    note=None
                    if ends is None
                    else f"{c.place}共{w.count(bars.height)}个城乡社区，图中为{ORGS.label}最多的"
                    f"{CHART_EACH}个和最少的{CHART_EACH}个，中间以“{GAP}”隔开；"
                    "各社区（村）的数据见本报告Excel版。",
                    horizontal=ends is not None,
                )
            )
    if fields:
        frame = pl.DataFrame(fields)
        sec.tables.append(
            Table(
                "各服务领域社区社会组织数",
                frame.select(
                    pl.col("field_label").alias("服务领域"),
                    pl.col("count_active").alias(ORGS.header),
                    pl.col("share").alias("占比"),
                ),
                {"服务领域": TEXT, ORGS.header: INT, "占比": RATE},
                annex=True,
            )
        )
        sec.charts.insert(
            0,
            Chart(
                "各服务领域社区社会组织数",
                "hbar",
                frame.select(
                    pl.col("field_label").alias("服务领域"),
                    pl.col("count_active").alias(ORGS.label),
                ),
                x="服务领域",
                series=(ORGS.label,),
                unit=ORGS.header,
            ),
        )
    return sec


def _party(c: _Context) -> Section:
    sec = Section("party", "党建引领")
    b = c.basics
    sec.add(s.party(c.place, b, None if c.is_county else c.county))
    coverage = c.ask.row("party_coverage", c.as_of)
    sec.add(s.party_coverage(c.place, coverage))
    if b.get("count_active"):
        sec.figures = [
            Figure("党建入章率", w.percent(b["party_in_charter_rate"]) or "—"),
            Figure("清廉入章率", w.percent(b["integrity_in_charter_rate"]) or "—"),
            Figure("建立党组织", f"{w.count(b['count_party_branch'])}家"),
        ]
        if coverage and coverage["count_coverage_loaded"] and coverage["count_active"]:
            sec.figures.append(Figure("党组织覆盖率", w.percent(coverage["covered_rate"]) or "—"))
    return sec


def _platforms(c: _Context) -> Section:
    sec = Section("platforms", "平台建设")
    row = c.ask.row("platforms", c.as_of) or {}
    sec.add(s.platforms(c.place, row, c.when, c.is_county), s.stations(c.place, row))
    if sec.paragraphs:
        levels = ("county", "township", "village") if c.is_county else ("township", "village")
        names = {"county": "县级中心", "township": "乡镇级平台", "village": "村级服务站"}
        sec.figures = [Figure(names[lv], f"{w.count(row[f'count_{lv}'])}家") for lv in levels]
        if row.get("count_communities"):
            sec.figures.append(
                Figure(
                    "服务站覆盖率",
                    w.percent(row["count_communities_with_station"] / row["count_communities"])
                    or "—",
                )
            )
    return sec


def _funding(c: _Context) -> Section:
    sec = Section("funding", "资金支持")
    rows = c.ask.rows("funding", c.as_of)
    total = next((r for r in rows if r["is_total"]), None)
    sources = [r for r in rows if not r["is_total"]]
    purposes = c.ask.rows("funding_purpose", c.as_of)
    if c.is_county:
        sec.add(
            s.funding(c.place, c.as_of, total, sources),
            s.funding_purposes(purposes),
            s.special_fund(c.ask.row("special_fund", c.as_of)),
        )
    else:
        county_rows = c.ask.rows("funding", c.as_of, None)
        county_total = next((r for r in county_rows if r["is_total"]), None)
        sec.add(
            s.funding_township(c.place, c.as_of, total, county_total),
            s.funding_purposes(purposes),
        )
    if not sec.paragraphs or total is None:
        return sec
    has_budget = c.is_county and bool(total["count_budget_rows"])
    if has_budget:
        sec.figures.append(Figure("资金预算", w.money(total["budget_yuan"]) or "—"))
    if total["count_grants"]:
        sec.figures += [
            Figure("已批复", w.money(total["approved_yuan"]) or "—"),
            Figure("已拨付", w.money(total["disbursed_yuan"]) or "—"),
        ]
        if has_budget and total["execution_rate"] is not None:
            sec.figures.append(Figure("预算执行率", w.percent(total["execution_rate"]) or "—"))
        elif total["paid_rate"] is not None:
            sec.figures.append(Figure("拨付率", w.percent(total["paid_rate"]) or "—"))

    year = c.as_of.year
    frame = pl.DataFrame(
        [*sources, total],
        schema_overrides={
            "budget_yuan": pl.Float64,
            "approved_yuan": pl.Float64,
            "disbursed_yuan": pl.Float64,
        },
        infer_schema_length=None,
    ).with_columns(pl.col("fund_source_label").fill_null("合计"))
    cols = [pl.col("fund_source_label").alias("资金来源")]
    kinds = {"资金来源": TEXT}
    if has_budget:
        cols.append(_wan("budget_yuan").alias("预算（万元）"))
        kinds["预算（万元）"] = WAN
    cols += [
        pl.col("count_grants").alias("项目数（个）"),
        _wan("approved_yuan").alias("批复（万元）"),
        _wan("disbursed_yuan").alias("已拨付（万元）"),
    ]
    kinds |= {"项目数（个）": INT, "批复（万元）": WAN, "已拨付（万元）": WAN}
    if has_budget:
        cols.append(pl.col("execution_rate").alias("预算执行率"))
        kinds["预算执行率"] = RATE
    cols.append(pl.col("paid_rate").alias("拨付率"))
    kinds["拨付率"] = RATE
    if not c.is_county:
        frame = frame.filter(pl.col("count_grants") > 0)
    sec.tables.append(
        Table(f"{year}年资金{'预算执行' if has_budget else '拨付'}情况", frame.select(cols), kinds)
    )
    if purposes:
        sec.tables.append(
            Table(
                f"{year}年资金按用途分布",
                pl.DataFrame(purposes, infer_schema_length=None).select(
                    pl.col("purpose_label").alias("用途"),
                    pl.col("count_grants").alias("项目数（个）"),
                    _wan("approved_yuan").alias("批复（万元）"),
                    _wan("disbursed_yuan").alias("已拨付（万元）"),
                    pl.col("approved_share").alias("占批复比例"),
                ),
                {
                    "用途": TEXT,
                    "项目数（个）": INT,
                    "批复（万元）": WAN,
                    "已拨付（万元）": WAN,
                    "占批复比例": RATE,
                },
                annex=True,
            )
        )
    years = c.ask.frame("funding_years", c.as_of)
    years = years.filter((pl.col("count_grants") > 0) | pl.col("budget_yuan").is_not_null())
    if years.height:
        series = (["预算"] if c.is_county and years["budget_yuan"].is_not_null().any() else []) + [
            "批复",
            "已拨付",
        ]
        sec.charts.append(
            Chart(
                "近年资金预算与拨付情况" if "预算" in series else "近年资金批复与拨付情况",
                "grouped",
                years.select(
                    pl.col("year").cast(pl.String).alias("年度"),
                    _wan("budget_yuan").alias("预算"),
                    _wan("approved_yuan").alias("批复"),
                    _wan("disbursed_yuan").alias("已拨付"),
                ),
                x="年度",
                series=tuple(series),
                unit="金额（万元）",
            )
        )
    return sec


def _training(c: _Context) -> Section:
    """培训表彰: the speech's 开展专业培训 and 完善激励机制 (优化环境)."""
    sec = Section("training", "培训表彰")
    trained = c.ask.row("trainings", c.as_of)
    awarded = c.ask.rows("awards", c.as_of)
    sec.add(s.trainings(c.place, c.as_of, trained), s.awards(c.place, c.as_of, awarded))
    if trained and trained["count_trainings_loaded"]:
        sec.figures += [
            Figure("举办培训", f"{w.count(trained['count_trainings'])}期"),
            Figure("参训", f"{w.count(trained['participants'])}人次"),
        ]
    if awarded and awarded[0]["count_awards_loaded"]:
        sec.figures.append(
            Figure("获得表彰", f"{w.count(sum(r['count_awards'] for r in awarded))}项")
        )
    return sec


def _innovation(c: _Context) -> Section:
    """创新模式: 微项目, 积分制 and the 睦邻客厅 star ratings, with a table per place."""
    sec = Section("innovation", "创新模式")
    linked = c.ask.row("linkage", c.as_of)
    projects = c.ask.row("micro_projects", c.as_of)
    pilot = c.ask.row("projects/points_total", c.as_of)  # the 项目 page's own row
    rooms = c.ask.rows("lounges", c.as_of)
    sec.add(s.linkage(c.place, c.as_of, linked))  # the speech's 一是推行“三社联动”
    sec.add(
        s.micro_projects(c.place, c.as_of, projects),
        s.points(c.place, c.when, pilot),
        s.lounges(c.place, c.when, rooms),
    )
    if not sec.paragraphs:
        return sec
    has_projects = bool(projects and projects["count_projects_loaded"])
    has_points = bool(pilot and pilot["count_entries_loaded"])
    has_rooms = bool(rooms and rooms[0]["count_lounges_loaded"])
    has_linkage = bool(
        linked and (linked["count_stations_loaded"] or linked["count_workers_loaded"])
    )
    if has_linkage and linked and linked["count_communities"]:
        sec.figures.append(Figure("实现三社联动的社区", f"{w.count(linked['count_linked'])}个"))
    if has_projects and projects:
        sec.figures += [
            Figure("微项目", f"{w.count(projects['count_projects'])}个"),
            Figure("受益群众", f"{w.count(projects['beneficiaries'])}人次"),
        ]
    if has_points and pilot:
        sec.figures.append(Figure("积分制试点社区", f"{w.count(pilot['count_pilots'])}个"))
    if has_rooms:
        sec.figures.append(
            Figure("睦邻客厅", f"{w.count(sum(r['count_lounges'] for r in rooms))}个")
        )
    places = c.ask.frame("programme_places", c.as_of)
    unit = "乡镇（街道）" if c.is_county else "社区（村）"
    cols = [pl.col("unit_name").alias(unit)]
    kinds = {unit: TEXT}
    if has_projects:
        cols += [
            pl.col("count_micro_projects").alias("微项目（个）"),
            _wan("micro_project_budget_yuan").alias("投入资金（万元）"),
            pl.col("micro_project_beneficiaries").alias("受益群众（人次）"),
        ]
        kinds |= {"微项目（个）": INT, "投入资金（万元）": WAN, "受益群众（人次）": INT}
    if has_points:
        cols += [
            pl.col("count_pilots").alias("积分制试点（个）"),
            pl.col("count_residents_12m").alias("积分参与居民（人）"),
        ]
        kinds |= {"积分制试点（个）": INT, "积分参与居民（人）": INT}
    if has_rooms:
        cols.append(pl.col("count_lounges").alias("睦邻客厅（个）"))
        kinds["睦邻客厅（个）"] = INT
    table = places.select(cols)
    if not c.is_county:  # a township's communities with nothing to show would fill pages
        table = table.filter(pl.sum_horizontal(pl.exclude(unit).fill_null(0)) > 0)
    if table.height and len(cols) > 1:
        total = table.select(
            pl.lit("合计").alias(unit),
            *[pl.col(k).sum() for k in table.columns if k != unit],
        )
        year = c.as_of.year
        first = table.columns[1]  # the ranking of a long table: its first programme's count
        noun = "乡镇（街道）" if c.is_county else "社区（村）"
        sec.tables.append(
            _shortened(
                Table(
                    f"{'各乡镇（街道）' if c.is_county else c.place + '各社区'}微项目、积分制和睦邻客厅情况",
                    pl.concat([table, total.cast(table.schema)]),
                    kinds,
                    note=f"微项目为{year}年开始实施的（不含已终止的）；积分参与居民为近12个月获得积分的居民。",
                    annex=True,
                ),
                [(first, True)],
                2 * PRINT_EACH,
                0,
                f"{c.place}共{{n}}个{noun}，表中列出{first.split('（')[0]}最多的"
                f"{2 * PRINT_EACH}个，从多到少排列；合计为全部{noun}的合计。",
            )
        )
    return sec


def _supervision(c: _Context) -> Section:
    sec = Section("supervision", "监督管理")
    reports = c.ask.rows("annual_reports", c.as_of)
    total = next((r for r in reports if r["is_total"]), None)
    county_total = None
    if not c.is_county:
        county_total = next(
            (r for r in c.ask.rows("annual_reports", c.as_of, None) if r["is_total"]), None
        )
    grades = c.ask.rows("grades", c.as_of)
    county_grades = None if c.is_county else c.ask.rows("grades", c.as_of, None)
    sec.add(
        s.annual_reports(c.place, total, county_total),
        s.grades(c.place, grades, county_grades),
    )
    listings = c.ask.rows("listings", c.as_of)
    sec.add(
        s.ratings(c.place, c.ask.rows("ratings", c.as_of)),
        s.listings(c.place, c.when, listings),
        s.inspections(c.place, c.as_of, c.ask.rows("inspections", c.as_of)),
    )
    # The speech's 重大事项报告制度、信息公开制度, and its 信用评价 as the 依据 of grants and awards.
    sec.add(
        s.major_matters(c.place, c.as_of, c.ask.row("major_matters", c.as_of)),
        s.disclosure(c.place, c.ask.row("disclosure", c.as_of)),
    )
    sec.add(s.eligibility(c.place, c.as_of, c.ask.row("eligibility", c.as_of)))
    if total and total["count_due"]:
        sec.figures.append(
            Figure(
                f"{total['report_year']}年度年报报送率", w.percent(total["submission_rate"]) or "—"
            )
        )
        if total["count_overdue"]:
            sec.figures.append(Figure("逾期未报", f"{w.count(total['count_overdue'])}家"))
    if grades and grades[0]["count_evaluations_loaded"]:
        sec.figures.append(
            Figure(
                "3A级以上", f"{w.count(sum(g['count_orgs'] for g in grades if g['grade'] >= 3))}家"
            )
        )
    if listings and listings[0]["count_listings_loaded"]:
        sec.figures.append(Figure("列入异常名录", f"{w.count(listings[0]['count_orgs'])}家"))
    if c.is_county and total and total["count_due"]:
        rows = [r for r in reports if not r["is_total"]] + [{**total, "township_name": "合计"}]
        sec.tables.append(
            _shortened(
                Table(
                    f"各乡镇（街道）{total['report_year']}年度年报报送情况",
                    pl.DataFrame(rows, infer_schema_length=None).select(
                        pl.col("township_name").alias("乡镇（街道）"),
                        pl.col("count_due").alias("应报（家）"),
                        pl.col("count_submitted").alias("已报送（家）"),
                        pl.col("count_on_time").alias("按期报送（家）"),
                        pl.col("count_late").alias("逾期报送（家）"),
                        pl.col("count_overdue").alias("逾期未报（家）"),
                        pl.col("submission_rate").alias("报送率"),
                    ),
                    {
                        "乡镇（街道）": TEXT,
                        "应报（家）": INT,
                        "已报送（家）": INT,
                        "按期报送（家）": INT,
                        "逾期报送（家）": INT,
                        "逾期未报（家）": INT,
                        "报送率": RATE,
                    },
                    annex=True,
                ),
                [("报送率", False), ("逾期未报（家）", True)],
                2 * PRINT_EACH,
                0,
                f"{c.place}共{{n}}个乡镇（街道），表中列出报送率最低的{2 * PRINT_EACH}个，"
                "按报送率从低到高排列；合计为全部乡镇（街道）的合计。",
            )
        )
    return sec


def _changes(c: _Context) -> Section:
    sec = Section("changes", "与上年相比")
    prev = c.ask.row("basics", c.prev)
    county_prev = None if c.is_county else c.ask.row("basics", c.prev, None)
    flows = c.ask.frame("flows", c.as_of)
    this_year = next((r for r in flows.to_dicts() if r["year"] == c.as_of.year), None)
    sec.add(
        s.growth(c.place, c.basics, prev, None if c.is_county else c.county, county_prev),
        s.flows(c.as_of, this_year),
    )
    funding = next((r for r in c.ask.rows("funding", c.as_of) if r["is_total"]), None)
    funding_prev = next((r for r in c.ask.rows("funding", c.prev) if r["is_total"]), None)
    reports = next((r for r in c.ask.rows("annual_reports", c.as_of) if r["is_total"]), None)
    reports_prev = next((r for r in c.ask.rows("annual_reports", c.prev) if r["is_total"]), None)
    sec.add(
        s.floor_change(c.basics, prev),
        s.money_change(c.place, c.as_of, funding, funding_prev, c.is_county),
        s.report_rate_change(reports, reports_prev),
        s.grades_change(c.ask.rows("grades", c.as_of), c.ask.rows("grades", c.prev)),
    )
    if prev and prev.get("count_active") and c.basics.get("count_active"):
        sec.figures = [
            Figure(
                "比上年",
                w.change(c.basics["count_active"], prev["count_active"]).replace("比上年", ""),
            ),
        ]
        if this_year:
            sec.figures += [
                Figure(f"{c.as_of.year}年新成立", f"{w.count(this_year['count_new'])}家"),
                Figure(f"{c.as_of.year}年注销", f"{w.count(this_year['count_dissolved'])}家"),
            ]
    # Years before the first organisation in scope say nothing: leave them out.
    shown = flows.filter(
        (pl.col("count_active_year_end") > 0)
        | (pl.col("count_new") > 0)
        | (pl.col("count_dissolved") > 0)
    )
    if shown.height >= 2 and sec.paragraphs:
        years = c.ask.frame("funding_years", c.as_of).select(
            "year", "budget_yuan", "disbursed_yuan"
        )
        table = shown.join(years, on="year", how="left")
        cols = [
            pl.col("year").alias("年度"),
            pl.col("count_active_year_end").alias("年末组织数（家）"),
            pl.col("count_new").alias("新成立（家）"),
            pl.col("count_dissolved").alias("注销（家）"),
        ]
        kinds = {"年度": YEAR, "年末组织数（家）": INT, "新成立（家）": INT, "注销（家）": INT}
        if c.is_county and table["budget_yuan"].is_not_null().any():
            cols.append(_wan("budget_yuan").alias("资金预算（万元）"))
            kinds["资金预算（万元）"] = WAN
        if table["disbursed_yuan"].is_not_null().any():
            cols.append(_wan("disbursed_yuan").alias("已拨付（万元）"))
            kinds["已拨付（万元）"] = WAN
        note = None
        if (c.as_of.month, c.as_of.day) != (12, 31):
            note = f"{c.as_of.year}年为{w.as_of(c.as_of)}的数据。"
        sec.tables.append(Table("近年发展情况", table.select(cols), kinds, note))
        sec.charts.append(
            Chart(
                "近年社区社会组织数量变化",
                "bars_line",
                shown.select(
                    pl.col("year").cast(pl.String).alias("年度"),
                    pl.col("count_new").alias("新成立"),
                    pl.col("count_dissolved").alias("注销"),
                    pl.col("count_active_year_end").alias("年末组织数"),
                ),
                x="年度",
                series=("新成立", "注销"),
                unit="新成立、注销（家）",
                line="年末组织数",
                line_unit="年末组织数（家）",
            )
        )
    return sec


# Where the report writes a target's progress: beside the figure it is about. An indicator not
# named here (a new targetable one) is written with the year's change.
TARGET_SECTIONS = {
    "count_active": "basics",
    "party_in_charter_rate": "party",
    "fund_execution_rate": "funding",
    "report_submission_rate": "supervision",
    "count_4a_plus": "supervision",
    "share_meeting_floor": "floor",
    "avg_per_urban_community": "floor",
    "avg_per_rural_community": "floor",
}


def _targets(c: _Context, sections: list[Section]) -> None:
    """The year's targets set for the place (on the 目标 page, or the county's a township
    follows): 「年报报送率94.2%，距年度目标95%差0.8个百分点。」 as a paragraph of the section
    whose figure it is. The national floor's default targets are the 未达标社区 section's own
    subject and are not repeated; a target without data is left out."""
    by_key = {sec.key: sec for sec in sections}
    said: dict[str, list[str]] = {}
    for row in c.ask.rows("targets", c.as_of):
        if row["target_basis"] not in ("own", "county") or row["actual"] is None:
            continue
        key = TARGET_SECTIONS.get(row["indicator"], "changes")
        if key in by_key:
            said.setdefault(key, []).append(s.target(row))
    for key, sentences in said.items():
        by_key[key].add(*sentences)


def _floor(c: _Context) -> Section:
    sec = Section("floor", "未达标社区")
    below = c.ask.rows("below_floor", c.as_of)
    sec.add(s.floor(c.place, c.basics, below, None if c.is_county else c.county))
    b = c.basics
    if sec.paragraphs and b.get("count_communities"):
        sec.figures = [
            Figure("达标的社区和村", f"{w.count(b['count_communities_meeting_floor'])}个"),
            Figure(
                "未达标",
                f"{w.count(b['count_communities'] - b['count_communities_meeting_floor'])}个",
            ),
            Figure(
                "达标率",
                w.percent(b["count_communities_meeting_floor"] / b["count_communities"]) or "—",
            ),
        ]
    if below:
        area = {"urban": "城市社区", "rural": "行政村"}
        sec.tables.append(
            _shortened(
                Table(
                    "未达到国家标准的社区",
                    pl.DataFrame(below, infer_schema_length=None).select(
                        pl.col("township_name").alias("乡镇（街道）"),
                        pl.col("community_name").alias("社区（村）"),
                        pl.col("area_type").replace_strict(area, default=None).alias("类型"),
                        pl.col("count_active").alias(ORGS.header),
                        pl.col("floor").alias("国家标准（家）"),
                        pl.col("count_short").alias("差额（家）"),
                    ),
                    {
                        "乡镇（街道）": TEXT,
                        "社区（村）": TEXT,
                        "类型": TEXT,
                        ORGS.header: INT,
                        "国家标准（家）": INT,
                        "差额（家）": INT,
                    },
                    annex=True,
                ),
                [("差额（家）", True)],
                2 * PRINT_EACH,
                0,
                f"{c.place}共{{n}}个城乡社区未达到国家标准，表中列出差额最大的{2 * PRINT_EACH}个，"
                "按差额从大到小排列。",
            )
        )
    return sec
