"""Expected figures of 三社联动, party coverage, 重大事项报告, 信息公开 and 资格核查, by direct SQL on
the base tables (not the marts the pages and the report read), for tests/test_page_linkage.py,
tests/test_page_supervision.py and tests/test_report_linkage.py."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb

from tests.dbutil import sql

# The eight optional sources of issue 18 (docs/SOURCES.md).
LINKAGE_TABLES = (
    "social_work_stations",
    "social_workers",
    "party_organizations",
    "party_org_coverage",
    "federations",
    "federation_members",
    "major_matter_reports",
    "info_disclosures",
)

# An organisation's township, for the township filter ($t null: the county).
ORG_PLACE = """
    join divisions dv on dv.division_code = o.community_code
"""


def without(db: Path, out: Path, tables: tuple[str, ...]) -> Path:
    """A copy of the warehouse in which `tables` are empty: a county that never imported them."""
    shutil.copy(db, out)
    con = duckdb.connect(str(out))
    try:
        for t in tables:
            con.execute(f"delete from {t}")
    finally:
        con.close()
    return out


def matters(db: Path, d: dt.date, township: str | None = None) -> dict[str, int]:
    """Major matters of year(d) up to d: reported within 10 days (or before) is on time."""
    ((days,),) = sql(db, "select value from rule_settings where name = 'matter_report_days'")
    assert days == "10"  # the default, which the demo keeps
    (row,) = sql(
        db,
        f"""
        with m as (
            select m.*,
                   date_diff('day', m.matter_on, m.reported_on) as took,
                   m.reported_on is not null and m.reported_on <= $d as reported
            from major_matter_reports m
            join organizations o using (org_id)
            {ORG_PLACE}
            where year(m.matter_on) = year($d) and m.matter_on <= $d
              and ($t is null or dv.township_code = $t)
        )
        select count(*),
               count(*) filter (where reported and took <= 10),
               count(*) filter (where reported and took > 10),
               count(*) filter (where not reported and date_diff('day', matter_on, $d) > 10),
               count(*) filter (where not reported and date_diff('day', matter_on, $d) <= 10)
        from m
        """,
        d=d,
        t=township,
    )
    return dict(zip(("matters", "on_time", "late", "overdue", "pending"), row, strict=True))


def disclosure(db: Path, d: dt.date, township: str | None = None) -> dict[str, int]:
    """Registered organisations active on d and established by the end of the year before: how
    many disclosed that year's annual work report (and finances) by d; all organisations too."""
    (row,) = sql(
        db,
        f"""
        with expected as (
            select o.org_id, o.status
            from organizations o
            {ORG_PLACE}
            where o.established_on <= make_date(year($d) - 1, 12, 31)
              and (o.dissolved_on is null or o.dissolved_on > $d)
              and ($t is null or dv.township_code = $t)
        ),
        made as (
            select org_id, item from info_disclosures
            where year = year($d) - 1 and disclosed_on <= $d
        )
        select
            count(*) filter (where status = 'registered'),
            count(*) filter (where status = 'registered' and org_id in (
                select org_id from made where item = 'annual_report')),
            count(*) filter (where status = 'registered' and org_id in (
                select org_id from made where item = 'finances')),
            count(*),
            count(*) filter (where org_id in (select org_id from made where item = 'annual_report'))
        from expected
        """,
        d=d,
        t=township,
    )
    return dict(
        zip(
            ("registered", "annual_report", "finances", "all", "all_annual_report"),
            row,
            strict=True,
        )
    )


# Grants to an organisation approved in year(d) up to d, and awards of year(d) (decided on 31
# December, or d if earlier), each judged on its decision day: on a credit list then, the latest
# rating of an earlier year below B (C or D), or an annual report due before then and not in.
DECISIONS = f"""
with decisions as (
    select 'grant' as kind, g.grant_id as id, g.org_id, g.approved_on as decided_on,
           g.approved_yuan as amount
    from grants g
    where g.org_id is not null and g.approved_on <= $d and {{grant_year}}
    union all
    select 'award', a.year || '/' || a.org_id || '/' || a.title, a.org_id,
           least(make_date(a.year, 12, 31), $d::date), null
    from awards a
    where {{award_year}}
),
judged as (
    select x.*,
        exists (select 1 from credit_listings l where l.org_id = x.org_id
                and l.listed_on <= x.decided_on
                and (l.removed_on is null or l.removed_on > x.decided_on)) as listed,
        coalesce((select r.rating from credit_ratings r
                  where r.org_id = x.org_id and r.year < year(x.decided_on)
                  order by r.year desc limit 1) in ('C', 'D'), false) as low,
        exists (select 1 from annual_reports a where a.org_id = x.org_id
                and a.due_on < x.decided_on
                and (a.submitted_on is null or a.submitted_on > x.decided_on)) as overdue
    from decisions x
    join organizations o using (org_id)
    {ORG_PLACE}
    where $t is null or dv.township_code = $t
)
"""


def eligibility(db: Path, d: dt.date, township: str | None = None) -> dict:
    """资格核查 of year(d): decisions checked, flagged (ids), why, and the flagged grants' amount."""
    query = DECISIONS.format(grant_year="g.year = year($d)", award_year="a.year = year($d)")
    rows = sql(
        db,
        query + "select kind, id, org_id, amount, listed, low, overdue from judged",
        d=d,
        t=township,
    )
    flagged = [r for r in rows if r[4] or r[5] or r[6]]
    return {
        "grants": sum(1 for r in rows if r[0] == "grant"),
        "awards": sum(1 for r in rows if r[0] == "award"),
        "flagged_grants": {r[1] for r in flagged if r[0] == "grant"},
        "flagged_awards": {r[1] for r in flagged if r[0] == "award"},
        "flagged_orgs": {r[2] for r in flagged},
        "amount": sum((r[3] for r in flagged if r[0] == "grant"), Decimal(0)),
        "listed": sum(1 for r in rows if r[4]),
        "low": sum(1 for r in rows if r[5]),
        "overdue": sum(1 for r in rows if r[6]),
    }


def org_flags(db: Path, d: dt.date, org_id: str) -> int:
    """Flagged decisions of one organisation in every year up to d."""
    query = DECISIONS.format(grant_year="true", award_year="a.year <= year($d)")
    ((n,),) = sql(
        db,
        query + "select count(*) from judged where org_id = $o and (listed or low or overdue)",
        d=d,
        t=None,
        o=org_id,
    )
    return n


def linkage(db: Path, d: dt.date, township: str | None = None) -> dict[str, int]:
    """三社联动 on d: rooms and township stations open, social workers in post (their community is
    the ledger's, else their 社工室's), active organisations they support, communities linked (a
    room, a worker posted there or a supported organisation), joint micro-projects of year(d)."""
    (row,) = sql(
        db,
        """
        with w as (
            select w.*,
                   coalesce(w.community_code,
                            case when s.level = 'community' then s.community_code end) as posted,
                   coalesce(s.township_code, c.township_code) as town
            from social_workers w
            left join social_work_stations s using (station_id)
            left join divisions c on c.division_code = w.community_code
            where w.joined_on <= $d and (w.left_on is null or w.left_on > $d)
        ),
        active as (
            select o.org_id, o.community_code, dv.township_code
            from organizations o join divisions dv on dv.division_code = o.community_code
            where o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)
        ),
        supported as (
            select a.* from active a
            where a.org_id in (select unnest(supported_org_ids) from w)
        ),
        rooms as (
            select * from social_work_stations where level = 'community' and opened_on <= $d
        ),
        communities as (
            select division_code, township_code from divisions where level = 'community'
              and ($t is null or township_code = $t)
        ),
        projects as (
            select p.* from micro_projects p
            join divisions dv on dv.division_code = p.community_code
            where year(p.start_on) = year($d) and p.start_on <= $d
              and not (p.status = 'cancelled' and (p.end_on is null or p.end_on <= $d))
              and ($t is null or dv.township_code = $t)
        )
        select
            (select count(*) from social_work_stations where level = 'township'
                and opened_on <= $d and ($t is null or township_code = $t)),
            (select count(*) from rooms where community_code in (select division_code from communities)),
            (select count(*) from w where $t is null or town = $t),
            (select count(*) from w where ($t is null or town = $t) and qualification <> 'none'),
            (select count(distinct posted) from w where posted in (select division_code from communities)),
            (select count(*) from supported where $t is null or township_code = $t),
            (select count(*) from communities c where
                c.division_code in (select community_code from rooms)
                or c.division_code in (select posted from w where posted is not null)
                or c.division_code in (select community_code from supported)),
            (select count(*) from communities),
            (select count(*) from projects p where exists (
                select 1 from social_workers x
                where list_contains(x.supported_org_ids, p.org_id)
                  and x.joined_on <= p.start_on and (x.left_on is null or x.left_on > p.start_on)))
        """,
        d=d,
        t=township,
    )
    keys = (
        "township_stations",
        "rooms",
        "workers",
        "qualified",
        "communities_with_workers",
        "supported",
        "linked",
        "communities",
        "joint",
    )
    return dict(zip(keys, row, strict=True))


def community_linked(db: Path, d: dt.date) -> dict[str, bool]:
    """Per community: linked or not on d (as linkage above, one community at a time)."""
    rows = sql(
        db,
        """
        with w as (
            select w.*, coalesce(w.community_code,
                case when s.level = 'community' then s.community_code end) as posted
            from social_workers w left join social_work_stations s using (station_id)
            where w.joined_on <= $d and (w.left_on is null or w.left_on > $d)
        ),
        supported as (
            select o.community_code from organizations o
            where o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)
              and o.org_id in (select unnest(supported_org_ids) from w)
        )
        select d.division_code,
               d.division_code in (select community_code from social_work_stations
                                   where level = 'community' and opened_on <= $d)
               or d.division_code in (select posted from w where posted is not null)
               or d.division_code in (select community_code from supported)
        from divisions d where d.level = 'community'
        """,
        d=d,
    )
    return dict(rows)


def party(db: Path, d: dt.date, township: str | None = None) -> dict[str, int]:
    """Party organisations in being on d (their township: their 大党委's), active organisations
    covered by one (joint branch or own), communities covered (named, or an organisation in it)."""
    (row,) = sql(
        db,
        """
        with p as (
            select p.*, case when dv.level = 'township' then dv.division_code
                             else dv.township_code end as town
            from party_organizations p join divisions dv on dv.division_code = p.division_code
            where p.founded_on <= $d and (p.dissolved_on is null or p.dissolved_on > $d)
        ),
        c as (
            select c.*, p.kind from party_org_coverage c join p using (party_org_id)
            where coalesce(c.covered_from, p.founded_on) <= $d
              and (c.covered_until is null or c.covered_until > $d)
        ),
        active as (
            select o.org_id, o.community_code, dv.township_code
            from organizations o join divisions dv on dv.division_code = o.community_code
            where o.established_on <= $d and (o.dissolved_on is null or o.dissolved_on > $d)
              and ($t is null or dv.township_code = $t)
        ),
        covered as (
            select a.*, a.org_id in (select org_id from c where kind = 'joint_branch') as joint
            from active a where a.org_id in (select org_id from c)
        )
        select
            (select count(*) from p where kind = 'joint_branch' and ($t is null or town = $t)),
            (select count(*) from active),
            (select count(*) from covered),
            (select count(*) from covered where joint),
            (select count(*) from divisions dv where dv.level = 'community'
                and ($t is null or dv.township_code = $t)
                and (dv.division_code in (select community_code from c)
                     or dv.division_code in (select community_code from covered)))
        """,
        d=d,
        t=township,
    )
    return dict(zip(("joint", "active", "covered", "in_joint", "communities"), row, strict=True))
