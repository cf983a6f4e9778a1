"""Demo data for 三社联动, party organisations, federations, major matters and disclosures.

The speech: 以社区为平台、社会组织为载体、社会工作者为支撑，构建“三社联动”工作机制; 社区社会组织
建立联合党支部，纳入村（社区）“大党委”; 引导和支持社区社会组织成立行业协会或联合会; 建立健全
社区社会组织年度报告制度、重大事项报告制度、信息公开制度. demo/synthetic.py calls `sources()` once per
county after its other sources; everything here draws from its own random streams, so the older
sources never change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from etl.sources import SOURCES_BY_NAME

# source -> (format, encoding) at scale 1, as demo/synthetic.py's _FORMATS
FORMATS: dict[str, tuple[str, str]] = {
    "social_work_stations": ("xlsx", ""),
    "social_workers": ("xlsx", ""),
    "party_organizations": ("xlsx", ""),
    "party_org_coverage": ("csv", "gb18030"),
    "federations": ("xlsx", ""),
    "federation_members": ("csv", "utf-8-sig"),
    "major_matter_reports": ("xlsx", ""),
    "info_disclosures": ("csv", "gb18030"),
}

# Random streams of demo/synthetic.py's per-county generator (its own use 1-12 and 100-102).
_STREAMS = {
    "stations": 30,
    "workers": 31,
    "party": 32,
    "federations": 33,
    "matters": 34,
    "disclosures": 35,
    "render": 36,
}

QUALIFICATIONS = {"assistant": 0.45, "intermediate": 0.25, "senior": 0.03, "none": 0.27}
ROOM_SHARE = {"urban": 0.35, "rural": 0.12}  # communities with a 村（社区）社工室
# 重大事项 per registered organisation and year, and how they are reported.
MATTER_RATES = {
    "leader_change": 0.12,
    "large_spending": 0.0,  # one per large grant instead (below)
    "major_event": 0.18,
    "foreign_donation": 0.004,
    "other": 0.05,
}
LARGE_GRANT = 50_000  # a grant above this is spent as a 大额资金使用 to report
REPORT_ON_TIME, REPORT_LATE = 0.78, 0.15  # the rest are never reported (found by inspections)
# The share of registered organisations disclosing their annual work report, by report year.
DISCLOSE_REPORT = {2020: 0.55, 2021: 0.62, 2022: 0.70, 2023: 0.78, 2024: 0.84}
CHANNELS = {"credit_platform": 0.5, "wechat": 0.2, "notice_board": 0.2, "website": 0.1}


def _schema(source: str) -> dict[str, pl.DataType]:
    kinds: dict[str, pl.DataType] = {
        "date": pl.Date(),
        "year": pl.Int32(),
        "org_list": pl.List(pl.String()),
    }
    return {c.name: kinds.get(c.kind, pl.String()) for c in SOURCES_BY_NAME[source].columns}


def _frame(source: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = _schema(source)
    return pl.DataFrame({k: [r.get(k) for r in rows] for k in schema}, schema=schema)


def _day(rng: np.random.Generator, lo: dt.date, hi: dt.date) -> dt.date:
    """A uniform day in [lo, hi] (lo when the range is empty)."""
    span = (hi - lo).days
    return lo + dt.timedelta(days=int(rng.integers(0, span + 1)) if span > 0 else 0)


def sources(
    code: str,
    name: str,
    frames: dict[str, pl.DataFrame],
    rng: Callable[[int], np.random.Generator],
    as_of: dt.date,
) -> dict[str, pl.DataFrame]:
    """The eight sources of one county (code, name), from its divisions, organisations, grants and
    micro-projects; rng(k) is the county's random stream k."""
    divisions = frames["divisions"]
    orgs = frames["organizations"]
    stations = _stations(code, divisions, rng(_STREAMS["stations"]), as_of)
    workers = _workers(
        code, divisions, orgs, frames["micro_projects"], stations, rng(_STREAMS["workers"]), as_of
    )
    parties, coverage = _party(code, divisions, orgs, rng(_STREAMS["party"]), as_of)
    feds, members = _federations(code, name, divisions, orgs, rng(_STREAMS["federations"]), as_of)
    matters = _matters(orgs, frames["grants"], rng(_STREAMS["matters"]), as_of)
    disclosures = _disclosures(orgs, rng(_STREAMS["disclosures"]), as_of)
    return {
        "social_work_stations": stations,
        "social_workers": workers,
        "party_organizations": parties,
        "party_org_coverage": coverage,
        "federations": feds,
        "federation_members": members,
        "major_matter_reports": matters,
        "info_disclosures": disclosures,
    }


def _communities(divisions: pl.DataFrame) -> pl.DataFrame:
    return divisions.filter(pl.col("level") == "community")


def _alive(day: dt.date) -> pl.Expr:
    return (pl.col("established_on") <= day) & (
        pl.col("dissolved_on").is_null() | (pl.col("dissolved_on") > day)
    )


# ---------------------------------------------------------------- 三社联动


def _stations(
    code: str, divisions: pl.DataFrame, rng: np.random.Generator, as_of: dt.date
) -> pl.DataFrame:
    """A 乡镇社工站 in every township (2021-22, the 乡镇（街道）社工站 drive) and a 社工室 in some
    communities since."""
    rows: list[dict[str, Any]] = []
    comm = _communities(divisions)
    for t in divisions.filter(pl.col("level") == "township").iter_rows(named=True):
        seat = comm.filter(pl.col("township_code") == t["division_code"])["division_code"]
        rows.append(
            {
                "name": f"{t['name']}社会工作服务站",
                "level": "township",
                "township_code": t["division_code"],
                "community_code": seat[0] if seat.len() and rng.random() < 0.5 else None,
                "opened_on": _day(rng, dt.date(2021, 3, 1), dt.date(2022, 12, 31)),
            }
        )
    for cm in comm.iter_rows(named=True):
        if rng.random() < ROOM_SHARE.get(cm["area_type"] or "rural", 0.12):
            rows.append(
                {
                    "name": f"{cm['name']}社工室",
                    "level": "community",
                    "township_code": cm["township_code"],
                    "community_code": cm["division_code"],
                    "opened_on": _day(rng, dt.date(2022, 6, 1), min(dt.date(2025, 10, 31), as_of)),
                }
            )
    for k, r in enumerate(rows):
        r["station_id"] = f"SGZ{code}{k + 1:03d}"
    return _frame("social_work_stations", rows)


def _workers(
    code: str,
    divisions: pl.DataFrame,
    orgs: pl.DataFrame,
    projects: pl.DataFrame,
    stations: pl.DataFrame,
    rng: np.random.Generator,
    as_of: dt.date,
) -> pl.DataFrame:
    """Three to six workers per 乡镇社工站, one or two per 社工室; each supports a few of the
    organisations where they work, those running micro-projects first (三社联动)."""
    comm = _communities(divisions)
    town_of = dict(zip(comm["division_code"], comm["township_code"], strict=True))
    place = orgs.with_columns(
        pl.col("community_code").replace_strict(town_of, default=None).alias("township_code"),
        pl.col("org_id").is_in(projects["org_id"].implode()).alias("has_project"),
    )
    quals = list(QUALIFICATIONS)
    q_p = np.array(list(QUALIFICATIONS.values()))
    rows: list[dict[str, Any]] = []
    for st in stations.iter_rows(named=True):
        room = st["level"] == "community"
        n = int(rng.integers(1, 3) if room else rng.integers(3, 7))
        for _ in range(n):
            joined = _day(rng, st["opened_on"], max(st["opened_on"], as_of - dt.timedelta(days=30)))
            left = None
            if rng.random() < 0.12:
                later = joined + dt.timedelta(days=int(rng.integers(90, 900)))
                left = later if later <= as_of else None
            posted = st["community_code"] if room else None
            if not room and rng.random() < 0.4:
                town_comms = comm.filter(pl.col("township_code") == st["township_code"])
                posted = town_comms["division_code"][int(rng.integers(town_comms.height))]
            # Who they support: organisations of their community (or township) alive in their time.
            until = left or as_of
            pool = place.filter(
                (pl.col("established_on") <= until)
                & (pl.col("dissolved_on").is_null() | (pl.col("dissolved_on") > joined))
                & (
                    (pl.col("community_code") == posted)
                    if posted
                    else (pl.col("township_code") == st["township_code"])
                )
            )
            supported: list[str] = []
            if pool.height and rng.random() >= 0.08:
                w = np.where(pool["has_project"].to_numpy(), 4.0, 1.0)
                w *= np.where((pool["status"] == "registered").to_numpy(), 2.0, 1.0)
                k = min(pool.height, int(rng.integers(2, 7)))
                pick = rng.choice(pool.height, k, replace=False, p=w / w.sum())
                supported = [pool["org_id"][int(i)] for i in pick]
            rows.append(
                {
                    "station_id": st["station_id"],
                    "community_code": posted if (not room or rng.random() < 0.7) else None,
                    "qualification": quals[int(rng.choice(len(quals), p=q_p))],
                    "supported_org_ids": supported,
                    "joined_on": joined,
                    "left_on": left,
                }
            )
    for k, r in enumerate(rows):
        r["worker_id"] = f"SG{code}{k + 1:04d}"
    return _frame("social_workers", rows)


def render_org_list(values: pl.Series, rng: np.random.Generator) -> list[Any]:
    """A worker's organisations as a station's ledger writes them: 、 mostly, sometimes ，, a
    space or a line break (Alt+Enter); 无 for none."""
    seps = ("、", "，", " ", "\n")
    out: list[Any] = []
    for ids in values.to_list():
        if ids is None:
            out.append(None)
        elif not ids:
            out.append("无")
        else:
            out.append(seps[int(rng.choice(4, p=[0.8, 0.1, 0.05, 0.05]))].join(ids))
    return out


# ---------------------------------------------------------------- 联合党支部 and 大党委


def _party(
    code: str, divisions: pl.DataFrame, orgs: pl.DataFrame, rng: np.random.Generator, as_of: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Organisations the registry marks 建立党组织 are covered: a few registered ones by a branch of
    their own (单独党支部), the rest by their community's 联合党支部, or, where a community has only
    one or two, by the township's; every branch is part of the community's (township's) 大党委."""
    comm = _communities(divisions)
    names = dict(zip(divisions["division_code"], divisions["name"], strict=True))
    town_of = dict(zip(comm["division_code"], comm["township_code"], strict=True))
    marked = orgs.filter(pl.col("has_party_branch")).sort("org_id")
    # Its own branch's founding window: two months after registration, by the day before it
    # was dissolved (or as_of); a registered organisation without one joins the joint branch.
    single = marked.filter(pl.col("status") == "registered").with_columns(
        pl.max_horizontal(
            pl.col("established_on") + pl.duration(days=60), pl.lit(dt.date(2018, 7, 1))
        ).alias("_lo"),
        (
            pl.min_horizontal(pl.col("dissolved_on").fill_null(as_of), pl.lit(as_of))
            - pl.duration(days=1)
        ).alias("_hi"),
    )
    single = single.filter(
        pl.Series(rng.random(single.height) < 0.4) & (pl.col("_lo") <= pl.col("_hi"))
    )
    joint = marked.join(single.select("org_id"), on="org_id", how="anti")
    per_comm = joint.group_by("community_code").len()
    big = set(per_comm.filter(pl.col("len") >= 3)["community_code"].to_list())
    parties: list[dict[str, Any]] = []
    cover: list[dict[str, Any]] = []

    def add_party(
        name: str, kind: str, division: str, founded: dt.date, dissolved: dt.date | None = None
    ) -> str:
        pid = f"DZB{code}{len(parties) + 1:04d}"
        parties.append(
            {
                "party_org_id": pid,
                "name": name,
                "kind": kind,
                "division_code": division,
                "founded_on": founded,
                "dissolved_on": dissolved,
            }
        )
        return pid

    def cover_org(pid: str, org: dict[str, Any], founded: dt.date) -> None:
        start = max(founded, org["established_on"])
        end = org["dissolved_on"]
        if end is not None and end <= start:
            return
        cover.append(
            {
                "party_org_id": pid,
                "org_id": org["org_id"],
                "covered_from": start,
                "covered_until": end,
            }
        )

    for org in single.iter_rows(named=True):
        founded = _day(rng, org["_lo"], org["_hi"])
        # An organisation's own branch goes with it when it is dissolved.
        pid = add_party(
            f"{org['name']}党支部",
            "single_branch",
            org["community_code"],
            founded,
            org["dissolved_on"],
        )
        cover_org(pid, org, founded)
    for cc in sorted(big):
        founded = _day(rng, dt.date(2019, 7, 1), dt.date(2022, 12, 31))
        pid = add_party(f"{names[cc]}社会组织联合党支部", "joint_branch", cc, founded)
        cover.append({"party_org_id": pid, "community_code": cc, "covered_from": founded})
        for org in joint.filter(pl.col("community_code") == cc).iter_rows(named=True):
            cover_org(pid, org, founded)
    small = joint.filter(~pl.col("community_code").is_in(sorted(big)))
    small = small.with_columns(
        pl.col("community_code").replace_strict(town_of, default=None).alias("_town")
    )
    for (town,), part in small.group_by("_town", maintain_order=True):
        founded = _day(rng, dt.date(2020, 1, 1), dt.date(2023, 6, 30))
        pid = add_party(f"{names[str(town)]}社会组织联合党支部", "joint_branch", str(town), founded)
        for cc in sorted(set(part["community_code"].to_list())):
            cover.append({"party_org_id": pid, "community_code": cc, "covered_from": founded})
        for org in part.sort("org_id").iter_rows(named=True):
            cover_org(pid, org, founded)
    return _frame("party_organizations", parties), _frame("party_org_coverage", cover)


# ---------------------------------------------------------------- 联合会 / 行业协会


def _federations(
    code: str,
    name: str,
    divisions: pl.DataFrame,
    orgs: pl.DataFrame,
    rng: np.random.Generator,
    as_of: dt.date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A county 联合会 and two county 行业协会 (公益慈善, 文体活动), and a 联合会 in half the
    townships; organisations join after both exist, and leave when they are dissolved."""
    county = divisions.filter(pl.col("level") == "county")["division_code"][0]
    comm = _communities(divisions)
    town_of = dict(zip(comm["division_code"], comm["township_code"], strict=True))
    place = orgs.with_columns(
        pl.col("community_code").replace_strict(town_of, default=None).alias("_town")
    )
    feds: list[dict[str, Any]] = [
        {
            "name": f"{name}社区社会组织联合会",
            "kind": "federation",
            "level": "county",
            "division_code": county,
            "founded_on": _day(rng, dt.date(2021, 3, 1), dt.date(2021, 9, 30)),
            "_who": pl.col("status") == "registered",
            "_p": 0.6,
        },
        {
            "name": f"{name}公益慈善类社会组织行业协会",
            "kind": "association",
            "level": "county",
            "division_code": county,
            "founded_on": _day(rng, dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
            "_who": pl.col("field") == "charity",
            "_p": 0.25,
        },
        {
            "name": f"{name}文体活动类社会组织行业协会",
            "kind": "association",
            "level": "county",
            "division_code": county,
            "founded_on": _day(rng, dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
            "_who": pl.col("field") == "culture_sports",
            "_p": 0.2,
        },
    ]
    towns = divisions.filter(pl.col("level") == "township")
    for t in towns.iter_rows(named=True):
        if rng.random() < 0.5:
            feds.append(
                {
                    "name": f"{t['name']}社区社会组织联合会",
                    "kind": "federation",
                    "level": "township",
                    "division_code": t["division_code"],
                    "founded_on": _day(rng, dt.date(2022, 1, 1), dt.date(2024, 12, 31)),
                    "_who": pl.col("_town") == t["division_code"],
                    "_p": 0.3,
                }
            )
    members: list[dict[str, Any]] = []
    for k, f in enumerate(feds):
        f["federation_id"] = f"LHH{code}{k + 1:03d}"
        pool = place.filter(
            f["_who"]
            & (pl.col("established_on") <= as_of)
            & (pl.col("dissolved_on").is_null() | (pl.col("dissolved_on") > f["founded_on"]))
        ).sort("org_id")
        for org in pool.filter(pl.Series(rng.random(pool.height) < f["_p"])).iter_rows(named=True):
            start = max(f["founded_on"], org["established_on"])
            end = org["dissolved_on"]
            joined = _day(rng, start, min(start + dt.timedelta(days=180), end or as_of, as_of))
            if end is not None and end <= joined:
                continue
            left = end
            if left is None and rng.random() < 0.05:
                later = joined + dt.timedelta(days=int(rng.integers(200, 1000)))
                left = later if later <= as_of else None
            members.append(
                {
                    "federation_id": f["federation_id"],
                    "org_id": org["org_id"],
                    "joined_on": joined,
                    "left_on": left,
                }
            )
    return _frame("federations", feds), _frame("federation_members", members)


# ---------------------------------------------------------------- 重大事项报告, 信息公开


def _matters(
    orgs: pl.DataFrame, grants: pl.DataFrame, rng: np.random.Generator, as_of: dt.date
) -> pl.DataFrame:
    """Registered organisations' 重大事项 since 2021: leadership changes, major events (often
    reported ahead), a rare foreign donation, and spending each large grant; most reported within
    the days, some late, a few never (found by inspections)."""
    reg = orgs.filter(pl.col("status") == "registered").sort("org_id")
    first = dt.date(2021, 1, 1)
    rows: list[dict[str, Any]] = []
    texts = {
        "leader_change": "换届选举，变更负责人",
        "major_event": "举办社区公益活动",
        "foreign_donation": "接受境外组织捐赠物资",
        "other": "变更住所",
    }
    for org in reg.iter_rows(named=True):
        lo = max(first, org["established_on"])
        hi = min(as_of, (org["dissolved_on"] or as_of + dt.timedelta(days=1)) - dt.timedelta(1))
        years = max(0.0, ((hi - lo).days + 1) / 365.25)
        for kind, rate in MATTER_RATES.items():
            for _ in range(int(rng.poisson(rate * years))):
                rows.append(
                    {"org_id": org["org_id"], "matter_kind": kind, "matter_on": _day(rng, lo, hi)}
                )
    big = grants.filter(
        pl.col("org_id").is_not_null() & (pl.col("approved_yuan") > LARGE_GRANT)
    ).join(orgs.select("org_id", "dissolved_on"), on="org_id")
    for g in big.sort("grant_id").iter_rows(named=True):
        hi = min(as_of, (g["dissolved_on"] or as_of + dt.timedelta(days=1)) - dt.timedelta(1))
        day = _day(
            rng, g["approved_on"] + dt.timedelta(days=15), g["approved_on"] + dt.timedelta(90)
        )
        if day <= hi:
            rows.append({"org_id": g["org_id"], "matter_kind": "large_spending", "matter_on": day})
    rows.sort(key=lambda r: (r["matter_on"], r["org_id"], r["matter_kind"]))
    seen: set[tuple[str, str, dt.date]] = set()
    out = []
    for r in rows:
        key = (r["org_id"], r["matter_kind"], r["matter_on"])
        if key in seen:
            continue
        seen.add(key)
        u = rng.random()
        if u < REPORT_ON_TIME:
            ahead = r["matter_kind"] == "major_event" and rng.random() < 0.6
            gap = -int(rng.integers(3, 31)) if ahead else int(rng.integers(0, 11))
        elif u < REPORT_ON_TIME + REPORT_LATE:
            gap = int(rng.integers(11, 61))
        else:
            gap = None
        reported = r["matter_on"] + dt.timedelta(days=gap) if gap is not None else None
        r["reported_on"] = reported if reported is not None and reported <= as_of else None
        r["description"] = texts.get(r["matter_kind"], "使用大额项目资金")
        out.append(r)
    return _frame("major_matter_reports", out)


def _disclosures(orgs: pl.DataFrame, rng: np.random.Generator, as_of: dt.date) -> pl.DataFrame:
    """Registered organisations disclose their annual work report (and most, their finances) in
    the spring after the year, more every year; filed ones post their activities on the
    community notice board."""
    rows: list[dict[str, Any]] = []
    channels = list(CHANNELS)
    c_p = np.array(list(CHANNELS.values()))
    reg = orgs.filter(pl.col("status") == "registered").sort("org_id")
    for year, share in DISCLOSE_REPORT.items():
        end = dt.date(year, 12, 31)
        for org in reg.filter(pl.col("established_on") <= end).iter_rows(named=True):
            if rng.random() >= share:
                continue
            day = _day(rng, dt.date(year + 1, 3, 1), dt.date(year + 1, 6, 30))
            if day > as_of or (org["dissolved_on"] is not None and org["dissolved_on"] <= day):
                continue
            channel = channels[int(rng.choice(len(channels), p=c_p))]
            rows.append(
                {
                    "org_id": org["org_id"],
                    "item": "annual_report",
                    "year": year,
                    "disclosed_on": day,
                    "channel": channel,
                }
            )
            if rng.random() < 0.8:
                rows.append(
                    {
                        "org_id": org["org_id"],
                        "item": "finances",
                        "year": year,
                        "disclosed_on": day + dt.timedelta(days=int(rng.integers(0, 20))),
                        "channel": channel if rng.random() < 0.7 else "notice_board",
                    }
                )
    filed = orgs.filter(pl.col("status") == "filed").sort("org_id")
    for year in (2023, 2024, 2025):
        lo, hi = dt.date(year, 3, 1), min(dt.date(year, 12, 20), as_of)
        for org in filed.filter(_alive(hi)).iter_rows(named=True):
            if rng.random() >= 0.22:
                continue
            day = _day(rng, max(lo, org["established_on"]), hi)
            rows.append(
                {
                    "org_id": org["org_id"],
                    "item": "activities",
                    "year": year,
                    "disclosed_on": day,
                    "channel": "notice_board" if rng.random() < 0.8 else "wechat",
                }
            )
    rows = [r for r in rows if r["disclosed_on"] <= as_of]
    rows.sort(key=lambda r: (r["disclosed_on"], r["org_id"], r["item"]))
    return _frame("info_disclosures", rows)


def titles(source: str, region: str) -> tuple[list[str], list[str]]:
    """Rows above the header and notes below the data, as the office's ledgers have them."""
    return {
        "social_work_stations": ([f"{region}乡镇（街道）社工站和村（社区）社工室台账"], []),
        "social_workers": (
            [f"{region}社会工作者名册"],
            [
                "注：服务的社会组织填组织编号或统一社会信用代码，多个用顿号「、」分隔，没有的填「无」。"
            ],
        ),
        "party_organizations": ([f"{region}社区社会组织党组织名录"], []),
        "federations": ([f"{region}社会组织联合会、行业协会名录"], []),
        "major_matter_reports": (
            [f"{region}社会组织重大事项报告登记表"],
            ["注：报告日期为空表示未报告（由抽查等发现）。"],
        ),
    }.get(source, ([], []))
