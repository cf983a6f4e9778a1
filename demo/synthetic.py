"""Demo data: the raw files a county civil-affairs bureau would hand over, messy but valid."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import shapely
import xlsxwriter

from demo import linkage as demo_linkage
from demo import targets as demo_targets
from demo.geometry import (
    County,
    _best_candidates,
    _Geo,
    _geojson_geometry,
    _polygonal,
    _schema,
    _voronoi_cells,
    county_row,
)
from etl.sources import ENUMS, SOURCES, SOURCES_BY_NAME, Source
from queries.indicators import catalogue

AS_OF = dt.date(2025, 12, 31)
YEARS = (2021, 2022, 2023, 2024, 2025)
REPORT_YEARS = (2020, 2021, 2022, 2023, 2024)
# A free code under Hefei (3401): fictional, but shaped like a real county's.
FIRST_COUNTY_CODE = "340129"
FIRST_COUNTY_NAME = "Xx县"  # the speech's own name for the county
PROVINCE_NAME = "Xx省"
MAX_SCALE = 400  # the county grid must stay inside China's lon/lat box
# xlsxwriter stamps the creation time into docProps; a fixed one keeps files byte-identical.
CREATED = dt.datetime(2025, 12, 31, 17, 30, 0)

# The headline structure every generated county reproduces exactly (docs/DOMAIN.md, the speech).
N_STREETS, N_TOWNS, N_XIANG = 4, 6, 2
N_URBAN, N_RURAL = 45, 79
ACTIVE_URBAN, ACTIVE_RURAL = 1030, 1186
ACTIVE = ACTIVE_URBAN + ACTIVE_RURAL
N_REGISTERED = 156
N_VILLAGE_STATIONS = 180
# The national floor per community (queries/indicators.toml): the demo places organisations by it.
URBAN_FLOOR, RURAL_FLOOR = catalogue().floor["urban"], catalogue().floor["rural"]

FIELDS = tuple(ENUMS["field"].codes)  # the speech's order
# Active organisations per field; strictly decreasing so reports list fields in the speech's order.
FIELD_COUNTS = dict(zip(FIELDS, (560, 430, 380, 300, 250, 180, 116), strict=True))
# Share of each field's organisations that sit in urban communities (rural revitalisation is rural).
# resident_services takes whatever makes the urban total come out at exactly 1030.
FIELD_URBAN_SHARE = {
    "charity": 0.50,
    "culture_sports": 0.56,
    "mediation": 0.45,
    "rural_revitalization": 0.08,
    "mutual_aid": 0.55,
    "other": 0.50,
}

FUND_SOURCES = tuple(ENUMS["fund_source"].codes)
SPECIAL_FUND_FIRST_COUNTY = (2_000_000, 2_100_000, 2_200_000, 2_400_000, 2_500_000)
PURPOSE_MIX: dict[str, dict[str, float]] = {
    "county_special_fund": {
        "project": 0.62,
        "training": 0.12,
        "venue": 0.10,
        "award": 0.10,
        "platform": 0.06,
    },
    "higher_level": {"project": 0.55, "training": 0.15, "venue": 0.10, "platform": 0.20},
    "welfare_lottery": {"project": 0.80, "training": 0.10, "award": 0.10},
    "charity": {"project": 0.90, "award": 0.10},
}
# Lognormal (median yuan, sigma) per purpose: a few big projects, many small ones.
PURPOSE_AMOUNT = {
    "project": (15_000, 0.75),
    "training": (30_000, 0.5),
    "venue": (20_000, 0.5),
    "award": (6_000, 0.6),
    "platform": (50_000, 0.5),
}
GRANT_MIN, GRANT_MAX = 3_000, 200_000
EXECUTION_2025 = 0.70  # the current year is still being paid out

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_ALPHABET)}
GRADE_BANDS = {
    5: (900.0, 985.0),
    4: (800.0, 899.9),
    3: (700.0, 799.9),
    2: (600.0, 699.9),
    1: (500.0, 599.9),
}


def credit_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a credit code."""
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_valid(code: str) -> bool:
    """True for an 18-character, already normalised code whose check character is right."""
    return (
        len(code) == 18
        and all(c in _CREDIT_VALUE for c in code)
        and credit_check_char(code[:17]) == code[17]
    )


# ---------------------------------------------------------------------------
# Deliberate clerk mistakes (errors=True): extra rows a validator must reject.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoError:
    source: str  # SOURCES name
    column: str  # warehouse column holding the bad value
    value: str  # the bad cell as written in the file
    rule: str  # the validator rule id that must reject it (etl/validate.py)
    what: str


def _bad_credit_code(county_code: str = FIRST_COUNTY_CODE) -> str:
    first17 = f"51{county_code}MJ0099901"
    good = credit_check_char(first17)
    return first17 + CREDIT_ALPHABET[(_CREDIT_VALUE[good] + 1) % 31]


DEMO_ERRORS: tuple[DemoError, ...] = (
    DemoError(
        "divisions",
        "division_code",
        f"{FIRST_COUNTY_CODE}10100",
        "type_division_code",
        "a community row whose code lost a digit (11 digits)",
    ),
    DemoError(
        "organizations",
        "credit_code",
        _bad_credit_code(),
        "credit_code_checksum",
        "an extra registered organisation whose credit code has a wrong check character",
    ),
    DemoError(
        "grants",
        "division_code",
        f"{FIRST_COUNTY_CODE}999999",
        "division_exists",
        "a training grant for a division code that is not in the division list",
    ),
    DemoError(
        "disbursements",
        "paid_on",
        "2025年13月5日",
        "type_date",
        "a payment dated in a 13th month",
    ),
    DemoError(
        "annual_reports",
        "org_id",
        f"SZ{FIRST_COUNTY_CODE}0012",
        "org_exists",
        "an annual report for a mistyped organisation number that does not exist",
    ),
    DemoError(
        "credit_listings",
        "removed_on",
        "2024-03-15",
        "removed_after_listed",
        "an abnormal-list entry removed (2024-03-15) before it was listed (2024-08-01)",
    ),
    DemoError(
        "inspections",
        "result",
        "待定",
        "enum",
        "an inspection whose result is not one of 合规/整改/违规",
    ),
    DemoError(
        "evaluations",
        "grade",
        "4A",
        "grade_band",
        "an evaluation scored 650 but graded 4A (the band says 2A)",
    ),
    DemoError(
        "micro_projects",
        "community_code",
        f"{FIRST_COUNTY_CODE}001001",
        "community_matches_org",
        "a micro-project filed under the county seat's first community, not its organisation's",
    ),
    DemoError(
        "lounges",
        "stars",
        "六星级",
        "stars_range",
        "a 睦邻客厅 rated six stars on the five-star scale",
    ),
)


def demo_errors(county_code: str) -> tuple[DemoError, ...]:
    """DEMO_ERRORS as written into the files of the county with this code (the first county)."""
    return tuple(
        dataclasses.replace(
            e,
            value=_bad_credit_code(county_code)
            if e.rule == "credit_code_checksum"
            else e.value.replace(FIRST_COUNTY_CODE, county_code),
        )
        for e in DEMO_ERRORS
    )


# ---------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoResult:
    out_dir: Path
    paths: dict[str, Path]  # source name -> file written
    manifest: Path
    frames: dict[str, pl.DataFrame]  # source name -> ground truth, warehouse columns and types
    counties: tuple[County, ...]
    error_rows: tuple[tuple[DemoError, int], ...]  # each error and its row number in the file

    @property
    def files(self) -> list[Path]:
        return [*self.paths.values(), self.manifest]


# ---------------------------------------------------------------------------
# Name pools
# ---------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_PLACE_A = "青白石金龙桃柳松梅竹莲凤马杨高长新古双三五永安兴福和太清明黄红丰万宝花银荷枫槐杏云鹤鹿"
_PLACE_B = "山河湖桥塘店集庄圩埠岗湾岭冲溪林坝港畈墩庙铺园坊"
_STREETS = ("城东", "城西", "城南", "城北", "凤凰山", "经开", "龙湖", "锦城", "滨江", "文昌")
_URBAN = _words(
    "幸福 和平 建设 人民 解放 文化 新华 光明 阳光 锦绣 春晖 滨河 "
    "翠苑 花园 东方 金桥 明珠 书香 康居 安居 丽景 梧桐 紫薇 玉兰 "
    "桂花 东城 西城 南苑 北苑 育才 振兴 长安 朝阳 向阳 富民 惠民 "
    "泰和 怡和 学府 文昌 凤凰 龙泉 清溪 望湖 湖滨 府前 复兴 团结 "
    "胜利 红星 园丁 枫林 荷塘 汇金 时代 商城 站前 东风 青年 兴业 "
    "和谐 祥和 盛世 天鹅湖 润园 翰林"
)
_COUNTY_A = "庐舒桐潜宿泾旌绩歙黟祁休怀枞望岳寿霍颍临涡蒙濉萧砀灵泗固凤定明全来含当繁芜"
_COUNTY_B = "江阳城山安宁源溪平昌德丰河水湖川林远"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚"
)
_GIVEN = "秀英华玉兰桂建明军勇伟芳丽静敏强磊洋艳霞平刚杰涛超斌红梅琴云辉峰浩宇婷燕凤国文德志永春海金荣庆淑珍学成林福生忠友良"
_FILED_NAMES = {
    "resident_services": "为老服务队 便民服务队 助餐服务队 居家养老互助组 儿童之家志愿服务队 助残服务队 红色代办服务队 银龄志愿服务队 惠民服务社 四点半课堂服务队",
    "charity": "爱心志愿者服务队 慈善互助会 公益服务队 爱心帮扶队 义工服务队 扶贫济困志愿队 爱心妈妈服务队 微心愿志愿队",
    "culture_sports": "广场舞队 腰鼓队 太极拳队 书画社 合唱团 黄梅戏社 篮球队 象棋社 摄影协会 门球队 健身操队 锣鼓队",
    "mediation": "和事佬调解队 邻里调解室 老娘舅调解队 乡贤调解会 法律服务志愿队 矛盾纠纷调解小组 平安议事会",
    "rural_revitalization": "乡贤理事会 红白理事会 农技服务队 种养殖互助协会 电商服务队 村民议事会 移风易俗志愿队 庭院经济互助组",
    "mutual_aid": "邻里互助会 睦邻互助社 楼栋互助队 巾帼互助队 守望互助队 互助养老服务队",
    "other": "读书会 家长学校 环保志愿队 垃圾分类督导队 平安巡逻队 青年志愿服务队 护河志愿队",
}
_GROUP_NAMES = {
    "resident_services": "老年人协会 养老服务协会 志愿者协会",
    "charity": "慈善协会 志愿者联合会 爱心公益协会",
    "culture_sports": "文化体育协会 书画协会 舞蹈协会 老年体育协会",
    "mediation": "人民调解协会 乡贤调解协会",
    "rural_revitalization": "农业技术协会 乡贤协会 种植业协会",
    "mutual_aid": "邻里互助协会 睦邻促进会",
    "other": "社区发展促进会 家庭教育协会 环保协会",
}
_AGENCY_NAMES = {
    "resident_services": "居家养老服务中心 社区服务中心 托育服务中心 助残服务中心",
    "charity": "社会工作服务中心 公益服务中心",
    "culture_sports": "文化服务中心 体育健身服务中心",
    "mediation": "矛盾调解服务中心 法律服务中心",
    "rural_revitalization": "乡村发展服务中心 农业社会化服务中心",
    "mutual_aid": "邻里服务中心 互助养老服务中心",
    "other": "青少年服务中心 心理健康服务中心",
}
_THEMES = {
    "resident_services": "暖心助老 邻里食堂 四点半课堂 便民服务 关爱留守儿童",
    "charity": "爱心助学 困难群众帮扶 慈善超市 微心愿圆梦",
    "culture_sports": "全民健身 文化惠民 广场舞展演 戏曲进社区",
    "mediation": "和事佬调解 矛盾纠纷化解 法律明白人",
    "rural_revitalization": "乡风文明 庭院经济 农技推广 移风易俗",
    "mutual_aid": "邻里守望 互助养老 楼栋互助",
    "other": "垃圾分类宣传 平安巡防 亲子阅读",
}
# Bureaux that guide registered organisations in each field (the county name goes in front).
_FIELD_BUREAU = {
    "resident_services": "民政局",
    "charity": "民政局",
    "culture_sports": "文化旅游体育局",
    "mediation": "司法局",
    "rural_revitalization": "农业农村局",
    "mutual_aid": "民政局",
    "other": "民政局",
}
_CN_NUM = "一二三四五六七八九十"
_NAME_PREFIXES = (
    "夕阳红",
    "红马甲",
    "巾帼",
    "银发",
    "阳光",
    "党员",
    "青春",
    "同心",
    "连心",
    "小区",
)
_AREA_PARTS = ("东片", "西片", "南片", "北片")


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _days(lo: dt.date, hi: dt.date, rng: np.random.Generator, n: int) -> np.ndarray:
    """n uniform dates in [lo, hi] as datetime64[D]."""
    span = (hi - lo).days
    return np.datetime64(lo, "D") + rng.integers(0, span + 1, n).astype("timedelta64[D]")


def _d64(d: dt.date) -> np.datetime64:
    return np.datetime64(d, "D")


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to weights that add up to exactly total."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(int)
    short = total - out.sum()
    order = np.argsort(-(raw - out), kind="stable")
    out[order[:short]] += 1
    return out


def _county_outline(rng: np.random.Generator, lon0: float, lat0: float) -> Any:
    """A star-shaped, wobbly outline inside the 0.6 x 0.5 degree cell: simple by construction."""
    n = 96
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 7):
        r += (
            rng.uniform(0.02, 0.09) / (k - 1) ** 0.5 * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
        )
    r *= 1 + rng.normal(0, 0.012, n)
    r /= r.max()
    x = lon0 + 0.30 + 0.26 * r * np.cos(theta)
    y = lat0 + 0.25 + 0.21 * r * np.sin(theta)
    return shapely.Polygon(np.column_stack([x, y]))


def _counties(scale: int, seed: int) -> list[County]:
    rng = np.random.default_rng([seed, 9_999])
    combos = [a + b + "县" for a in _COUNTY_A for b in _COUNTY_B]
    names = [combos[i] for i in rng.permutation(len(combos))[: scale - 1]]
    ncols = math.ceil(math.sqrt(scale))
    out = []
    for i in range(scale):
        # 50 county codes per city (29..78, the counties' band), cities 01, 02, ...
        code = FIRST_COUNTY_CODE if i == 0 else f"34{1 + i // 50:02d}{29 + i % 50:02d}"
        name = FIRST_COUNTY_NAME if i == 0 else names[i - 1]
        out.append(County(i, code, name, 117.0 + 0.65 * (i % ncols), 31.2 + 0.55 * (i // ncols)))
    return out


# ---------------------------------------------------------------------------
# One county's ground truth
# ---------------------------------------------------------------------------


def _geography(c: County, rng: np.random.Generator) -> _Geo:
    kinds = ["street"] * N_STREETS + ["town"] * N_TOWNS + ["xiang"] * N_XIANG
    tcodes = [f"{i:03d}" for i in range(1, N_STREETS + 1)]
    tcodes += [f"{100 + i}" for i in range(1, N_TOWNS + 1)]
    tcodes += [f"{200 + i}" for i in range(1, N_XIANG + 1)]
    nt = len(kinds)
    is_street = np.array([k == "street" for k in kinds])
    is_town = np.array([k == "town" for k in kinds])

    # Urban communities sit in 街道 and town seats; villages in 镇 and 乡 (a few at the city edge).
    u_min = np.where(is_street, 5, np.where(is_town, 1, 0))
    u_w = np.where(is_street, 3.0, np.where(is_town, 1.0, 0.0))
    n_u = u_min + rng.multinomial(N_URBAN - u_min.sum(), u_w / u_w.sum())
    r_min = np.where(is_street, 0, np.where(is_town, 7, 6))
    r_w = np.where(is_street, 0.15, 1.0)
    n_r = r_min + rng.multinomial(N_RURAL - r_min.sum(), r_w / r_w.sum())

    streets = ["城关"] + [
        _STREETS[i] for i in rng.choice(len(_STREETS), N_STREETS - 1, replace=False)
    ]
    places = [a + b for a in _PLACE_A for b in _PLACE_B]
    pick = rng.choice(len(places), N_TOWNS + N_XIANG + N_RURAL, replace=False)
    town_names = [places[i] for i in pick[: N_TOWNS + N_XIANG]]
    village_names = [places[i] + "村" for i in pick[N_TOWNS + N_XIANG :]]
    urban_names = [_URBAN[i] + "社区" for i in rng.choice(len(_URBAN), N_URBAN, replace=False)]
    tnames = [s + "街道" for s in streets]
    tnames += [n + "镇" for n in town_names[:N_TOWNS]] + [n + "乡" for n in town_names[N_TOWNS:]]

    # Geometry: county outline, townships as Voronoi cells, communities as Voronoi cells inside.
    county_poly = _county_outline(rng, c.lon0, c.lat0)
    cen = county_poly.centroid
    seat = _best_candidates(county_poly, 1, rng, near=(cen.x, cen.y, 0.03))
    ang = rng.uniform(0, 2 * np.pi) + np.arange(N_STREETS - 1) * 2 * np.pi / (N_STREETS - 1)
    rad = rng.uniform(0.04, 0.06, N_STREETS - 1)
    street_seeds = np.vstack([seat, seat + np.column_stack([rad * np.cos(ang), rad * np.sin(ang)])])
    other = _best_candidates(county_poly, nt - N_STREETS, rng, existing=street_seeds)
    t_seeds = np.vstack([street_seeds, other])
    t_polys = [_polygonal(g) for g in _voronoi_cells(t_seeds, county_poly)]

    county_code = c.code + "000000"
    rows: list[dict[str, Any]] = [county_row(c, t_seeds[0])]
    geoms: list[Any] = [county_poly]
    ui = ri = 0
    for t in range(nt):
        tcode = c.code + tcodes[t] + "000"
        rows.append(
            {
                "division_code": tcode,
                "name": tnames[t],
                "level": "township",
                "parent_code": county_code,
                "township_code": tcode,
                "area_type": None,
                "urban_rural_code": None,
                "seed": t_seeds[t],
            }
        )
        geoms.append(t_polys[t])
        tp = t_polys[t]
        nu, nr = int(n_u[t]), int(n_r[t])
        if kinds[t] == "street":
            u_seeds = _best_candidates(tp, nu, rng, existing=t_seeds[t : t + 1])
        elif nu:
            # Town seats: a tight cluster of small urban communities around the township seat.
            x0, y0 = t_seeds[t]
            u_seeds = _best_candidates(tp, nu, rng, near=(x0, y0, 0.015))
        else:
            u_seeds = np.empty((0, 2))
        r_seeds = _best_candidates(tp, nr, rng, existing=u_seeds if nu else t_seeds[t : t + 1])
        seeds = np.vstack([u_seeds, r_seeds])
        cells = [_polygonal(g) for g in _voronoi_cells(seeds, tp)]
        for j in range(nu + nr):
            urban = j < nu
            if urban:
                name, vcode = urban_names[ui], f"{j + 1:03d}"
                ui += 1
                if kinds[t] == "street":
                    urc = "111" if rng.random() < 0.8 else "112"
                else:
                    urc = "121" if rng.random() < 0.85 else "122"
            else:
                name, vcode = village_names[ri], f"{200 + j - nu + 1}"
                ri += 1
                if kinds[t] == "street":
                    urc = "112" if rng.random() < 0.5 else "220"
                elif kinds[t] == "xiang" and j == nu:
                    urc = "210"  # the 乡 seat
                else:
                    urc = "220" if rng.random() < 0.9 else "122"
            rows.append(
                {
                    "division_code": c.code + tcodes[t] + vcode,
                    "name": name,
                    "level": "community",
                    "parent_code": tcode,
                    "township_code": tcode,
                    "area_type": "urban" if urban else "rural",
                    "urban_rural_code": urc,
                    "seed": seeds[j],
                }
            )
            geoms.append(cells[j])

    level = np.array([r["level"] for r in rows])
    area = np.array([r["area_type"] or "" for r in rows])
    comm = np.flatnonzero(level == "community")
    # The urban-rural code can disagree with the committee type: force one of each kind.
    urban_rural = [r["urban_rural_code"] for r in rows]
    town_villages = [i for i in comm if area[i] == "rural" and rows[i]["parent_code"][6] == "1"]
    town_urban = [i for i in comm if area[i] == "urban" and rows[i]["parent_code"][6] == "1"]
    urban_rural[town_villages[int(rng.integers(len(town_villages)))]] = "121"
    urban_rural[town_urban[int(rng.integers(len(town_urban)))]] = "220"

    pop = np.zeros(len(rows), dtype=np.int64)
    is_urban = area[comm] == "urban"
    pop[comm] = np.where(
        is_urban,
        3000 + np.round(12000 * rng.beta(2, 3, len(comm))),
        800 + np.round(3700 * rng.beta(2, 3, len(comm))),
    ).astype(np.int64)
    hh = np.zeros(len(rows), dtype=np.int64)
    hh[comm] = np.round(pop[comm] / rng.uniform(2.4, 2.9, len(comm))).astype(np.int64)
    parent = [r["parent_code"] for r in rows]
    codes = [r["division_code"] for r in rows]
    pos = {code: i for i, code in enumerate(codes)}
    for i in comm[::-1]:
        pop[pos[parent[i]]] += pop[i]
        hh[pos[parent[i]]] += hh[i]
    for i in range(1, len(rows)):
        if level[i] == "township":
            pop[0] += pop[i]
            hh[0] += hh[i]

    garr = shapely.set_precision(np.array(geoms, dtype=object), 1e-6)
    garr = shapely.orient_polygons(garr, exterior_cw=False)
    seeds_xy = np.round(np.array([r["seed"] for r in rows]), 6)
    inside = shapely.contains_xy(garr, seeds_xy[:, 0], seeds_xy[:, 1])
    for i in np.flatnonzero(~inside):  # a seat that landed on an edge after snapping
        p = shapely.point_on_surface(garr[i])
        seeds_xy[i] = np.round([p.x, p.y], 6)

    divisions = pl.DataFrame(
        {
            "division_code": codes,
            "name": [r["name"] for r in rows],
            "level": level.tolist(),
            "parent_code": parent,
            "township_code": [r["township_code"] for r in rows],
            "area_type": [r["area_type"] for r in rows],
            "urban_rural_code": urban_rural,
            "population": pop,
            "households": hh,
            "lon": seeds_xy[:, 0],
            "lat": seeds_xy[:, 1],
        },
        schema=_schema("divisions"),
    )
    names = [r["name"] for r in rows]
    boundaries = pl.DataFrame(
        {"division_code": codes, "geojson": [_geojson_geometry(g) for g in garr]},
        schema=_schema("division_boundaries"),
    )
    return _Geo(divisions, boundaries, names, garr, comm)


@dataclass(frozen=True)
class _Targets:
    """What a county's organisations and stations add up to (docs/DOMAIN.md's headline figures)."""

    urban: int  # active organisations in urban communities
    rural: int
    registered: int
    stations: int  # village-level service stations
    fields: dict[str, int]  # active organisations per field, before the jitter
    urban_share: dict[str, float]  # FIELD_URBAN_SHARE

    @property
    def active(self) -> int:
        return self.urban + self.rural


def _targets(geo: _Geo) -> _Targets:
    """The speech's figures for the speech's 45 + 79 communities. Another county's (a real one,
    demo.real_county) keep the speech's density against the national floor instead: 22.9 per urban
    community (2.29 x 10), 15.0 per village (3.0 x 5), and the registered, field and station
    figures in proportion."""
    area = geo.divisions["area_type"].to_numpy()[geo.community_idx]
    n_urban, n_rural = int((area == "urban").sum()), int((area == "rural").sum())
    if (n_urban, n_rural) == (N_URBAN, N_RURAL):
        return _Targets(
            ACTIVE_URBAN,
            ACTIVE_RURAL,
            N_REGISTERED,
            N_VILLAGE_STATIONS,
            FIELD_COUNTS,
            FIELD_URBAN_SHARE,
        )
    urban = round(n_urban * ACTIVE_URBAN / N_URBAN)
    rural = round(n_rural * ACTIVE_RURAL / N_RURAL)
    active = urban + rural
    fields = _largest_remainder(active, np.array([FIELD_COUNTS[f] for f in FIELDS], dtype=float))
    # Fewer urban communities, fewer urban organisations in every field (the speech's mix of
    # fields within urban and within rural communities stays as it is).
    k = (urban / active) / (ACTIVE_URBAN / ACTIVE)
    return _Targets(
        urban,
        rural,
        round(N_REGISTERED * active / ACTIVE),
        round(N_VILLAGE_STATIONS * (n_urban + n_rural) / (N_URBAN + N_RURAL)),
        {f: int(n) for f, n in zip(FIELDS, fields, strict=True)},
        {f: share * k for f, share in FIELD_URBAN_SHARE.items()},
    )


def _allocate_orgs(
    total: int,
    pop: np.ndarray,
    floor: int,
    low: tuple[int, int],
    rng: np.random.Generator,
) -> np.ndarray:
    """Organisations per community: skewed, a few below the national floor, sum exactly total."""
    n = len(pop)
    counts = np.zeros(n, dtype=int)
    n_low = int(rng.integers(2, 4))
    small = np.argsort(pop, kind="stable")[: max(n // 3, n_low)]
    lows = rng.choice(small, n_low, replace=False)
    counts[lows] = rng.integers(low[0], low[1] + 1, n_low)
    rest = np.setdiff1d(np.arange(n), lows)
    weights = (pop[rest] / pop.mean()) ** 0.6 * rng.lognormal(0, 0.45, len(rest))
    remaining = total - counts.sum() - floor * len(rest)
    counts[rest] = floor + _largest_remainder(remaining, weights)
    return counts


def _names(rng: np.random.Generator, n: int) -> list[str]:
    s = rng.integers(0, len(_SURNAMES), n)
    g1 = rng.integers(0, len(_GIVEN), n)
    g2 = rng.integers(0, len(_GIVEN), n)
    two = rng.random(n) < 0.65
    return [
        _SURNAMES[a] + _GIVEN[b] + (_GIVEN[c] if t else "")
        for a, b, c, t in zip(s, g1, g2, two, strict=True)
    ]


def _phones(rng: np.random.Generator, n: int) -> list[str]:
    second = rng.choice(list("3456789"), n, p=[0.3, 0.1, 0.2, 0.05, 0.25, 0.05, 0.05])
    rest = rng.integers(0, 10**9, n)
    return [f"1{a}{b:09d}" for a, b in zip(second, rest, strict=True)]


def _organizations(c: County, geo: _Geo, rng: np.random.Generator) -> pl.DataFrame:
    d = geo.divisions
    comm = geo.community_idx
    ccode = np.array(d["division_code"].to_list(), dtype=object)[comm]
    cname = np.array(d["name"].to_list(), dtype=object)[comm]
    ctown = np.array(d["township_code"].to_list(), dtype=object)[comm]
    curban = np.array(d["area_type"].to_list(), dtype=object)[comm] == "urban"
    cpop = d["population"].to_numpy()[comm]
    tname = dict(zip(d["division_code"].to_list(), d["name"].to_list(), strict=True))

    u_idx, r_idx = np.flatnonzero(curban), np.flatnonzero(~curban)
    t = _targets(geo)
    n_active = t.active  # the speech's 2216 for the speech's county
    per_comm = np.zeros(len(comm), dtype=int)
    per_comm[u_idx] = _allocate_orgs(t.urban, cpop[u_idx], URBAN_FLOOR, (5, 9), rng)
    per_comm[r_idx] = _allocate_orgs(t.rural, cpop[r_idx], RURAL_FLOOR, (2, 4), rng)

    # Fields: exact county totals in the speech's order, split between urban and rural.
    jitter = rng.integers(-8, 9, len(FIELDS) - 1)
    counts = [t.fields[f] + int(j) for f, j in zip(FIELDS[:-1], jitter, strict=True)]
    counts.append(n_active - sum(counts))
    assert all(a > b for a, b in itertools.pairwise(counts)), counts
    urban_part = {
        f: round(n * t.urban_share[f])
        for f, n in zip(FIELDS, counts, strict=True)
        if f != FIELDS[0]
    }
    urban_part[FIELDS[0]] = t.urban - sum(urban_part.values())
    assert 0 <= urban_part[FIELDS[0]] <= counts[0]
    u_fields = np.concatenate([[f] * urban_part[f] for f in FIELDS])
    r_fields = np.concatenate(
        [[f] * (n - urban_part[f]) for f, n in zip(FIELDS, counts, strict=True)]
    )

    a_comm = np.concatenate([np.repeat(u_idx, per_comm[u_idx]), np.repeat(r_idx, per_comm[r_idx])])
    a_field = np.concatenate([rng.permutation(u_fields), rng.permutation(r_fields)]).astype(object)
    a_urban = curban[a_comm]
    w = np.where(a_urban, 1.6, 1.0)
    reg = np.zeros(n_active, dtype=bool)
    reg[rng.choice(n_active, t.registered, replace=False, p=w / w.sum())] = True

    # Establishment: growth after 2021; registered organisations are older on average.
    years = np.arange(2012, 2026)
    yw_filed = np.array([2, 2, 3, 3, 4, 4, 5, 5, 6, 9, 11, 12, 13, 12], dtype=float)
    yw_reg = np.array([5, 5, 6, 6, 7, 7, 8, 8, 8, 9, 9, 8, 7, 5], dtype=float)
    a_year = np.where(
        reg,
        rng.choice(years, n_active, p=yw_reg / yw_reg.sum()),
        rng.choice(years, n_active, p=yw_filed / yw_filed.sum()),
    )
    a_est = (a_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(
        0, 365, n_active
    ).astype("timedelta64[D]")

    # Dissolved organisations: gone between 2021 and 2025, never active at the as-of date.
    n_d = int(rng.integers(130, 191))
    d_comm = rng.choice(len(comm), n_d, p=per_comm / per_comm.sum())
    fp = np.array(counts, dtype=float)
    d_field = rng.choice(np.array(FIELDS, dtype=object), n_d, p=fp / fp.sum())
    d_reg = rng.random(n_d) < 0.12
    dy = np.arange(2012, 2024)
    dyw = np.linspace(1, 3, len(dy))
    d_year = rng.choice(dy, n_d, p=dyw / dyw.sum())
    d_est = (d_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(
        0, 181, n_d
    ).astype("timedelta64[D]")
    lo = np.maximum(_d64(dt.date(2021, 1, 1)), d_est + np.timedelta64(180, "D"))
    hi = _d64(dt.date(2025, 12, 20))
    span = (hi - lo).astype(int)
    d_dis = lo + np.floor(rng.random(n_d) ** 0.8 * (span + 1)).astype("timedelta64[D]")

    comm_i = np.concatenate([a_comm, d_comm])
    field = np.concatenate([a_field, d_field])
    registered = np.concatenate([reg, d_reg])
    est = np.concatenate([a_est, d_est])
    dis = np.concatenate([np.full(n_active, np.datetime64("NaT"), dtype="datetime64[D]"), d_dis])
    active = np.concatenate([np.ones(n_active, bool), np.zeros(n_d, bool)])
    n = len(est)

    # Serial numbers follow establishment order, like a real register.
    order = np.lexsort((rng.random(n), est))
    comm_i, field, registered, est, dis, active = (
        a[order] for a in (comm_i, field, registered, est, dis, active)
    )

    legal = np.full(n, None, dtype=object)
    kind = rng.random(n)
    legal[registered] = np.where(
        (field[registered] == "resident_services") & (kind[registered] < 0.45)
        | (kind[registered] < 0.18),
        "social_service_agency",
        "social_group",
    )
    # One foundation per county: an active registered charity in an urban community.
    cand = np.flatnonzero(registered & active & curban[comm_i] & (field == "charity"))
    if len(cand) == 0:
        cand = np.flatnonzero(registered & active)
    foundation = int(cand[0])
    legal[foundation] = "foundation"

    # Credit codes: 5 (civil affairs) + kind + county + MJ + 7 + check.
    credit = np.full(n, None, dtype=object)
    reg_i = np.flatnonzero(registered)
    body = rng.choice(list(CREDIT_ALPHABET), (len(reg_i), 7))
    kind_char = {"social_group": "1", "social_service_agency": "2", "foundation": "3"}
    seen: set[str] = set()
    for k, ri in enumerate(reg_i):
        org_code = "MJ" + "".join(body[k])
        while org_code in seen:
            org_code = "MJ" + "".join(rng.choice(list(CREDIT_ALPHABET), 7))
        seen.add(org_code)
        first17 = "5" + kind_char[legal[ri]] + c.code + org_code
        credit[ri] = first17 + credit_check_char(first17)
    # At least one check character 0: adjust the 17th character (weight 28, 28*10 = 1 mod 31).
    if not any(cc[-1] == "0" for cc in credit[reg_i]):
        i0 = int(reg_i[0])
        first16 = credit[i0][:16]
        s = sum(_CREDIT_VALUE[ch] * w for ch, w in zip(first16, CREDIT_WEIGHTS, strict=False))
        ch = CREDIT_ALPHABET[(-s * 10) % 31]
        credit[i0] = first16 + ch + "0"
        assert credit_code_valid(credit[i0])

    # Names: filed teams carry the community's name; registered ones the county's too. Within a
    # community each kind of team gets a different name before any name repeats with a prefix.
    pick = rng.random(n)
    groups: dict[tuple[int, str, str | None], list[int]] = {}
    names: list[str] = []
    for i in range(n):
        f = field[i]
        if legal[i] == "foundation":
            names.append(c.name + "社区发展基金会")
            continue
        if legal[i] is None:
            pool = _words(_FILED_NAMES[f])
        else:
            pool = _words(_GROUP_NAMES[f] if legal[i] == "social_group" else _AGENCY_NAMES[f])
        g = groups.setdefault((int(comm_i[i]), f, legal[i]), [int(pick[i] * len(pool)), 0])
        k = g[1]
        g[1] += 1
        what = pool[(g[0] + k) % len(pool)]
        if k >= len(pool):
            what = _NAME_PREFIXES[(k // len(pool) - 1 + g[0]) % len(_NAME_PREFIXES)] + what
        place = cname[comm_i[i]]
        names.append(place + what if legal[i] is None else c.name + place + what)
    seen_n: dict[str, int] = {}
    for i, nm in enumerate(names):
        k = seen_n.get(nm, 0)
        seen_n[nm] = k + 1
        if k:
            names[i] = f"{nm}（{_CN_NUM[min(k, 9)]}）"

    leaders = _names(rng, n)
    # Characters that exist in GB18030 but not in GBK: a GBK-only reader must not choke on them.
    filed_active = np.flatnonzero(~registered & active)
    special = rng.choice(filed_active, 3, replace=False)
    leaders[special[0]] = "刘䶮"
    leaders[special[1]] = "陈𠮷"
    names[special[2]] = cname[comm_i[special[2]]] + "𠮷祥腰鼓队"

    members = np.where(
        registered,
        np.clip(np.round(rng.lognormal(np.log(60), 0.6, n)), 10, 400),
        np.clip(np.round(rng.lognormal(np.log(22), 0.5, n)), 5, 120),
    ).astype(np.int64)
    volunteers = np.round(members * rng.uniform(0, 1.5, n)).astype(np.int64)
    charters = active | (rng.random(n) < 0.65)
    integrity = active | (rng.random(n) < 0.6)
    branch = rng.random(n) < np.where(registered, 0.6, 0.385)

    guide = []
    gu = rng.random(n)
    for i in range(n):
        town = tname[ctown[comm_i[i]]]
        gov = town + ("办事处" if town.endswith("街道") else "人民政府")
        if legal[i] is not None and gu[i] < 0.6:
            guide.append(c.name + _FIELD_BUREAU[field[i]])
        else:
            guide.append(gov)

    ids = [f"SZ{c.code}{k + 1:05d}" for k in range(n)]
    return pl.DataFrame(
        {
            "org_id": ids,
            "name": names,
            "credit_code": credit.tolist(),
            "status": np.where(registered, "registered", "filed").tolist(),
            "legal_form": legal.tolist(),
            "field": field.tolist(),
            "community_code": ccode[comm_i].tolist(),
            "established_on": est,
            "dissolved_on": dis,
            "leader_name": leaders,
            "leader_phone": _phones(rng, n),
            "members": members,
            "volunteers": volunteers,
            "party_in_charter": charters,
            "integrity_in_charter": integrity,
            "has_party_branch": branch,
            "guide_unit": guide,
        },
        schema=_schema("organizations"),
    )


def _platforms(c: County, geo: _Geo, rng: np.random.Generator) -> pl.DataFrame:
    d = geo.divisions
    codes = d["division_code"].to_list()
    dnames = d["name"].to_list()
    lon, lat = d["lon"].to_numpy(), d["lat"].to_numpy()
    comm = geo.community_idx
    pop = d["population"].to_numpy()[comm]
    n_c = len(comm)

    per = np.ones(n_c, dtype=int)
    n_none = int(rng.integers(10, 16))
    small = np.argsort(pop, kind="stable")[:40]
    per[rng.choice(small, n_none, replace=False)] = 0
    has = np.flatnonzero(per)
    stations = _targets(geo).stations
    extra = stations - len(has)
    k3 = int(rng.integers(8, 14))
    k2 = extra - 2 * k3
    w = pop[has].astype(float)
    more = rng.choice(has, k2 + k3, replace=False, p=w / w.sum())
    per[more[:k3]] = 3
    per[more[k3:]] = 2
    assert per.sum() == stations

    levels_d = d["level"].to_list()
    div_i = [0] + [i for i in range(len(codes)) if levels_d[i] == "township"]
    levels = ["county"] + ["township"] * (len(div_i) - 1)
    names = [c.name + "社会组织党群服务中心"]
    names += [dnames[i] + "社会组织服务中心" for i in div_i[1:]]
    for k, i in enumerate(comm):
        for j in range(per[k]):
            div_i.append(int(i))
            levels.append("village")
            part = "" if per[k] == 1 else f"（{_AREA_PARTS[j]}）"
            names.append(dnames[i] + "社会组织服务站" + part)
    div_i_arr = np.array(div_i)
    n = len(div_i)
    # A short walk from the division's seat, kept inside its polygon.
    dx, dy = rng.normal(0, 0.0015, n), rng.normal(0, 0.0015, n)
    px, py = np.round(lon[div_i_arr] + dx, 6), np.round(lat[div_i_arr] + dy, 6)
    ok = shapely.contains_xy(geo.geoms[div_i_arr], px, py)
    px, py = np.where(ok, px, lon[div_i_arr]), np.where(ok, py, lat[div_i_arr])

    lv = np.array(levels)
    opened = np.where(
        lv == "county",
        _days(dt.date(2019, 3, 1), dt.date(2019, 9, 30), rng, n),
        np.where(
            lv == "township",
            _days(dt.date(2019, 6, 1), dt.date(2022, 12, 31), rng, n),
            _days(dt.date(2018, 1, 1), dt.date(2025, 11, 30), rng, n),
        ),
    )
    area = np.where(
        lv == "county",
        rng.uniform(1200, 2000, n),
        np.where(lv == "township", rng.uniform(200, 600, n), rng.uniform(40, 200, n)),
    ).round(1)
    return pl.DataFrame(
        {
            "platform_id": [f"PT{c.code}{k + 1:03d}" for k in range(n)],
            "name": names,
            "level": levels,
            "division_code": [codes[i] for i in div_i],
            "opened_on": opened,
            "floor_area_m2": area,
            "lon": px,
            "lat": py,
        },
        schema=_schema("platforms"),
    )


def _budgets(c: County, rng: np.random.Generator) -> pl.DataFrame:
    if c.index == 0:
        special = list(SPECIAL_FUND_FIRST_COUNTY)
    else:
        start = 2_000_000 + 100_000 * int(rng.integers(0, 4))
        steps = np.cumsum(rng.choice([0, 100_000, 200_000], len(YEARS) - 1))
        special = [start] + [start + int(s) for s in steps]
    rows = []
    for k, y in enumerate(YEARS):
        rows.append((y, "county_special_fund", special[k]))
        rows.append((y, "higher_level", int(rng.integers(30, 81)) * 10_000))
        rows.append((y, "welfare_lottery", int(rng.integers(15, 41)) * 10_000))
        rows.append((y, "charity", int(rng.integers(5, 31)) * 10_000))
    return pl.DataFrame(
        {
            "year": [r[0] for r in rows],
            "fund_source": [r[1] for r in rows],
            "budget_yuan": [r[2] for r in rows],
        },
        schema={"year": pl.Int32, "fund_source": pl.String, "budget_yuan": pl.Int64},
    ).with_columns(pl.col("budget_yuan").cast(pl.Decimal(14, 2)))


def _id(prefix: str, year: int, seq: int, width: int, c: County, multi: bool) -> str:
    # One county's files number per year; a province file needs the county in the number.
    return (
        f"{prefix}{year}-{c.code}-{seq:0{width}d}" if multi else f"{prefix}{year}-{seq:0{width}d}"
    )


def _split_amounts(
    target: int, purposes: list[str], probs: np.ndarray, rng: np.random.Generator
) -> tuple[list[str], list[int]]:
    """Grants whose amounts add up to exactly target (yuan, multiples of 100)."""
    k = target // GRANT_MIN + 20  # enough draws to reach target even if all are the minimum
    p = rng.choice(len(purposes), k, p=probs)
    med = np.array([PURPOSE_AMOUNT[purposes[i]][0] for i in p], dtype=float)
    sig = np.array([PURPOSE_AMOUNT[purposes[i]][1] for i in p])
    amt = np.clip(
        np.round(med * np.exp(rng.normal(0, 1, k) * sig), -2), GRANT_MIN, GRANT_MAX
    ).astype(int)
    cum = np.cumsum(amt)
    stop = int(np.searchsorted(cum, target))  # first index where the running total reaches target
    amounts = amt[: stop + 1].tolist()
    amounts[-1] = target - (int(cum[stop - 1]) if stop else 0)
    kinds = [purposes[i] for i in p[: stop + 1]]
    if amounts[-1] < GRANT_MIN and len(amounts) > 1:
        small = int(np.argmin(amounts[:-1]))
        amounts[small] += amounts.pop()
        kinds.pop()
    return kinds, amounts


def _grants(
    c: County,
    geo: _Geo,
    orgs: pl.DataFrame,
    budgets: pl.DataFrame,
    rng: np.random.Generator,
    multi: bool,
) -> pl.DataFrame:
    d = geo.divisions
    tw = d.filter(pl.col("level") == "township")
    tw_codes, tw_names = tw["division_code"].to_list(), tw["name"].to_list()
    cm = d.filter(pl.col("level") == "community")
    cm_codes, cm_names = cm["division_code"].to_list(), cm["name"].to_list()
    county_code = d["division_code"][0]

    est = orgs["established_on"].to_numpy().astype("datetime64[D]")
    dis = orgs["dissolved_on"].to_numpy().astype("datetime64[D]")
    o_field = np.array(orgs["field"].to_list(), dtype=object)
    o_reg = (orgs["status"] == "registered").to_numpy()
    o_ids, o_names = orgs["org_id"].to_list(), orgs["name"].to_list()
    o_comm = orgs["community_code"].to_list()
    fw = {
        "resident_services": 3.0,
        "charity": 3.0,
        "mutual_aid": 1.5,
        "rural_revitalization": 1.2,
        "culture_sports": 1.0,
        "mediation": 1.0,
        "other": 0.3,
    }
    ow = np.array([fw[f] for f in o_field]) * np.where(o_reg, 4.0, 1.0)
    ow /= ow.sum()
    month_w = np.array([1, 2, 5, 8, 9, 9, 8, 7, 7, 6, 4, 2], dtype=float)
    month_w /= month_w.sum()

    rows: list[dict[str, Any]] = []
    bmap = {(r[0], r[1]): int(r[2]) for r in budgets.iter_rows()}
    for y in YEARS:
        for src in FUND_SOURCES:
            target = int(round(bmap[(y, src)] * rng.uniform(0.85, 0.98), -2))
            mix = PURPOSE_MIX[src]
            kinds, amounts = _split_amounts(target, list(mix), np.array(list(mix.values())), rng)
            m = rng.choice(12, len(kinds), p=month_w) + 1
            day = rng.integers(1, 29, len(kinds))
            for purpose, amount, mo, dd in zip(kinds, amounts, m, day, strict=True):
                rows.append(
                    {
                        "year": y,
                        "fund_source": src,
                        "purpose": purpose,
                        "approved_yuan": amount,
                        "approved_on": dt.date(y, int(mo), int(dd)),
                    }
                )

    # Organisations for project and award grants: active on the approval date, drawn by weight.
    on = np.array([r["approved_on"] for r in rows], dtype="datetime64[D]")
    need = np.array([r["purpose"] in ("project", "award") for r in rows])
    chosen = np.full(len(rows), -1)
    todo = np.flatnonzero(need)
    while len(todo):
        cand = rng.choice(len(o_ids), len(todo), p=ow)
        ok = (est[cand] <= on[todo]) & (np.isnat(dis[cand]) | (dis[cand] > on[todo]))
        chosen[todo[ok]] = cand[ok]
        todo = todo[~ok]

    pick = rng.random(len(rows))
    tw_pick = rng.integers(0, len(tw_codes), len(rows))
    cm_pick = rng.integers(0, len(cm_codes), len(rows))
    for k, r in enumerate(rows):
        y, purpose = r["year"], r["purpose"]
        r["org_id"] = None
        if purpose in ("project", "award"):
            i = int(chosen[k])
            r["org_id"], r["division_code"] = o_ids[i], o_comm[i]
            if purpose == "project":
                themes = _words(_THEMES[o_field[i]])
                r["title"] = f"{o_names[i]}“{themes[int(pick[k] * len(themes))]}”项目"
            else:
                r["title"] = f"{y}年度优秀社区社会组织奖励（{o_names[i]}）"
        elif purpose == "venue":
            t = int(cm_pick[k])
            r["division_code"] = cm_codes[t]
            r["title"] = f"{y}年{cm_names[t]}社会组织活动场地租赁"
        else:
            at_county = pick[k] < (0.3 if purpose == "training" else 0.15)
            t = int(tw_pick[k])
            code, place = (county_code, c.name) if at_county else (tw_codes[t], tw_names[t])
            r["division_code"] = code
            if purpose == "training":
                what = "负责人培训班" if pick[k] < 0.6 else "业务骨干培训班"
                r["title"] = f"{y}年{place}社区社会组织{what}"
            else:
                r["title"] = f"{y}年{place}社会组织服务平台运营经费"

    rows.sort(key=lambda r: (r["year"], r["approved_on"], r["fund_source"], r["approved_yuan"]))
    seq: dict[int, int] = {}
    for r in rows:
        seq[r["year"]] = seq.get(r["year"], 0) + 1
        r["grant_id"] = _id("ZJ", r["year"], seq[r["year"]], 4, c, multi)
    cols = [col.name for col in SOURCES_BY_NAME["grants"].columns]
    return pl.DataFrame(
        {k: [r[k] for r in rows] for k in cols},
        schema={**_schema("grants"), "approved_yuan": pl.Int64},
    ).with_columns(pl.col("approved_yuan").cast(pl.Decimal(14, 2)))


def _disbursements(
    c: County, grants: pl.DataFrame, budgets: pl.DataFrame, rng: np.random.Generator, multi: bool
) -> pl.DataFrame:
    g_ids = grants["grant_id"].to_list()
    g_year = grants["year"].to_list()
    g_amt = [int(a) for a in grants["approved_yuan"].to_list()]
    g_on = grants["approved_on"].to_list()
    n = len(g_ids)
    n_pay = rng.choice([1, 2, 3], n, p=[0.4, 0.4, 0.2])
    n_pay = np.where(np.array(g_amt) < 10_000, 1, n_pay)
    split2 = rng.choice([0.4, 0.5, 0.6], n)
    first_gap = rng.integers(7, 46, n)
    year_end = rng.random(n) < 0.45
    q4_gap = rng.random(n)
    later_gap = rng.integers(40, 121, n)
    middle = rng.uniform(0.3, 0.7, n)
    lag = rng.random(n) < 0.015
    # (grant, date, amount, grant year, is the last of several tranches, approval date)
    pays: list[tuple[str, dt.date, int, int, bool, dt.date]] = []
    for k in range(n):
        a, y, on = g_amt[k], g_year[k], g_on[k]
        if n_pay[k] == 1:
            parts = [a]
        elif n_pay[k] == 2:
            first = int(round(a * split2[k], -2))
            parts = [first, a - first]
        else:
            first, second = int(round(a * 0.4, -2)), int(round(a * 0.3, -2))
            parts = [first, second, a - first - second]
        first_on = on + dt.timedelta(days=int(first_gap[k]))
        # Final tranches (and some single payments) go out in the year-end rush: a Q4 bulge.
        q4 = max(first_on + dt.timedelta(days=30), dt.date(y, 10, 1))
        end = dt.date(y, 12, 28)
        if q4 <= end:
            last_on = q4 + dt.timedelta(days=int(q4_gap[k] * (end - q4).days))
        else:
            last_on = first_on + dt.timedelta(days=int(later_gap[k]))
        if len(parts) == 1:
            dates = [last_on if year_end[k] and q4 <= end else first_on]
        elif len(parts) == 2:
            dates = [first_on, last_on]
        else:
            mid_on = first_on + dt.timedelta(days=int(middle[k] * (last_on - first_on).days))
            dates = [first_on, mid_on, last_on]
        if lag[k] and y < 2025:  # a handful of older grants still waiting for money
            parts, dates = parts[:-1], dates[:-1]
        for j, (p_amt, p_on) in enumerate(zip(parts, dates, strict=True)):
            if p_on <= AS_OF:
                pays.append((g_ids[k], p_on, p_amt, y, j == len(parts) - 1 and j > 0, on))

    # The current year: final tranches wait for next year's acceptance check, latest approvals
    # first, until execution is about 70 % of the year's budget.
    budget_2025 = sum(int(r[2]) for r in budgets.iter_rows() if r[0] == 2025)
    limit = EXECUTION_2025 * budget_2025
    paid = sum(p[2] for p in pays if p[3] == 2025)
    if paid > limit:
        order = sorted(
            (p for p in pays if p[3] == 2025), key=lambda p: (p[4], p[5], p[0]), reverse=True
        )
        drop: set[tuple[str, dt.date]] = set()
        for p in order:
            if paid <= limit:
                break
            paid -= p[2]
            drop.add((p[0], p[1]))
        pays = [p for p in pays if (p[0], p[1]) not in drop]

    pays.sort(key=lambda p: (p[1], p[0]))
    seq: dict[int, int] = {}
    ids = []
    for p in pays:
        y = p[1].year
        seq[y] = seq.get(y, 0) + 1
        ids.append(_id("BF", y, seq[y], 5, c, multi))
    return pl.DataFrame(
        {
            "disbursement_id": ids,
            "grant_id": [p[0] for p in pays],
            "paid_on": [p[1] for p in pays],
            "amount_yuan": [p[2] for p in pays],
        },
        schema={**_schema("disbursements"), "amount_yuan": pl.Int64},
    ).with_columns(pl.col("amount_yuan").cast(pl.Decimal(14, 2)))


@dataclass
class _Compliance:
    reports: pl.DataFrame
    evaluations: pl.DataFrame
    ratings: pl.DataFrame
    listings: pl.DataFrame
    inspections: pl.DataFrame


def _compliance(
    c: County, orgs: pl.DataFrame, rng: np.random.Generator, multi: bool
) -> _Compliance:
    reg = orgs.filter(pl.col("status") == "registered")
    r_ids = reg["org_id"].to_list()
    r_est = reg["established_on"].to_list()
    r_dis = reg["dissolved_on"].to_list()
    nr = len(r_ids)

    # One or two registered organisations stop filing reports altogether: abnormal list, then
    # after two years the dishonest list (docs/DOMAIN.md).
    old_active = [i for i in range(nr) if r_dis[i] is None and r_est[i] <= dt.date(2019, 12, 31)]
    chronic = {
        int(i): int(y)
        for i, y in zip(
            rng.choice(old_active, int(rng.integers(1, 3)), replace=False),
            rng.choice([2020, 2021, 2022], 2),
            strict=False,
        )
    }

    # Annual reports 2020-2024: due by 31 May of the next year.
    rep: list[tuple[str, int, dt.date, dt.date | None, str | None]] = []
    missing: list[tuple[int, int]] = []
    u = rng.random((nr, len(REPORT_YEARS), 4))
    for i in range(nr):
        for j, y in enumerate(REPORT_YEARS):
            due = dt.date(y + 1, 5, 31)
            if r_est[i] > dt.date(y, 12, 31) or (r_dis[i] is not None and r_dis[i] <= due):
                continue
            never = (i in chronic and y >= chronic[i]) or (i not in chronic and u[i, j, 0] < 0.03)
            if never:
                rep.append((r_ids[i], y, due, None, None))
                missing.append((i, y))
                continue
            if u[i, j, 1] < 0.10:  # late: days to months
                sub = due + dt.timedelta(days=1 + int(u[i, j, 2] ** 2 * 180))
                sub = min(sub, AS_OF)
            else:
                sub = due - dt.timedelta(days=int(u[i, j, 2] * 85))
            res = "pass" if u[i, j, 3] < 0.85 else ("basic_pass" if u[i, j, 3] < 0.97 else "fail")
            rep.append((r_ids[i], y, due, sub, res))
    reports = pl.DataFrame(
        {
            "org_id": [r[0] for r in rep],
            "report_year": [r[1] for r in rep],
            "due_on": [r[2] for r in rep],
            "submitted_on": [r[3] for r in rep],
            "result": [r[4] for r in rep],
        },
        schema=_schema("annual_reports"),
    )

    # Evaluations: about 40 % of those registered two years or more, once each, mostly 3A/4A.
    ev: list[tuple[str, int, float, int]] = []
    grades = np.array([5, 4, 3, 2, 1])
    gp = np.array([0.05, 0.35, 0.42, 0.13, 0.05])
    for i in range(nr):
        if i in chronic:
            continue
        ok = [
            y
            for y in YEARS
            if r_est[i] <= dt.date(y - 2, 12, 31)
            and (r_dis[i] is None or r_dis[i] > dt.date(y, 12, 31))
        ]
        if not ok or rng.random() >= 0.4:
            continue
        y = int(rng.choice(ok))
        g = int(rng.choice(grades, p=gp))
        lo, hi = GRADE_BANDS[g]
        ev.append((r_ids[i], y, round(float(rng.uniform(lo, hi)), 1), g))
    evaluations = pl.DataFrame(
        {
            "org_id": [e[0] for e in ev],
            "evaluated_year": [e[1] for e in ev],
            "score": [e[2] for e in ev],
            "grade": [e[3] for e in ev],
        },
        schema=_schema("evaluations"),
    )

    # Credit ratings 2021-2025 for registered organisations alive at the year's end.
    missed = set(missing)
    rt: list[tuple[str, int, str]] = []
    ur = rng.random((nr, len(YEARS)))
    for i in range(nr):
        for j, y in enumerate(YEARS):
            end = dt.date(y, 12, 31)
            if r_est[i] > end or (r_dis[i] is not None and r_dis[i] <= end):
                continue
            if i in chronic and y > chronic[i]:
                rating = "D" if y >= chronic[i] + 2 else "C"
            elif (i, y - 1) in missed:
                rating = "C" if ur[i, j] < 0.7 else "B"
            else:
                rating = "A" if ur[i, j] < 0.84 else ("B" if ur[i, j] < 0.97 else "C")
            rt.append((r_ids[i], y, rating))
    ratings = pl.DataFrame(
        {"org_id": [r[0] for r in rt], "year": [r[1] for r in rt], "rating": [r[2] for r in rt]},
        schema=_schema("credit_ratings"),
    )

    # Credit listings: missed reports go on the abnormal list; chronic cases turn dishonest.
    ls: list[tuple[str, str, dt.date, dt.date | None, str]] = []
    for i, y in missing:
        if i in chronic and y > chronic[i]:
            continue  # already on the list
        listed = dt.date(y + 1, 7, 1) + dt.timedelta(days=int(rng.integers(0, 46)))
        removed = None
        if i not in chronic and rng.random() < 0.5:
            later = listed + dt.timedelta(days=int(rng.integers(60, 300)))
            removed = later if later <= AS_OF else None
        ls.append((r_ids[i], "abnormal", listed, removed, f"未按规定报送{y}年度工作报告"))
        if i in chronic:
            dis_on = listed + dt.timedelta(days=731 + int(rng.integers(0, 30)))
            ls.append((r_ids[i], "dishonest", min(dis_on, AS_OF), None, "被列入活动异常名录满2年"))
    # Listed at least 200 days after registration and before the as-of date.
    alive = [
        i
        for i in range(nr)
        if r_dis[i] is None and i not in chronic and r_est[i] <= dt.date(2025, 3, 1)
    ]
    for i in rng.choice(alive, int(rng.integers(4, 8)), replace=False):
        listed = _days(dt.date(2022, 1, 1), dt.date(2025, 10, 31), rng, 1)[0].item()
        listed = max(listed, r_est[int(i)] + dt.timedelta(days=200))
        removed = None
        if rng.random() < 0.5:
            later = listed + dt.timedelta(days=int(rng.integers(30, 240)))
            removed = later if later <= AS_OF else None
        ls.append(
            (
                r_ids[int(i)],
                "abnormal",
                listed,
                removed,
                "通过登记的住所或者经营场所无法与该组织取得联系",
            )
        )
    ls.sort(key=lambda r: (r[2], r[0]))
    listings = pl.DataFrame(
        {
            "org_id": [r[0] for r in ls],
            "list_type": [r[1] for r in ls],
            "listed_on": [r[2] for r in ls],
            "removed_on": [r[3] for r in ls],
            "reason": [r[4] for r in ls],
        },
        schema=_schema("credit_listings"),
    )

    # Special inspections: 40-80 a year, mostly registered organisations active on the day.
    est = orgs["established_on"].to_numpy().astype("datetime64[D]")
    dis = orgs["dissolved_on"].to_numpy().astype("datetime64[D]")
    w = np.where((orgs["status"] == "registered").to_numpy(), 12.0, 1.0)
    w /= w.sum()
    ins: list[tuple[str, str, dt.date, str]] = []
    all_ids = orgs["org_id"].to_list()
    for y in YEARS:
        k = int(rng.integers(40, 81))
        on_days = np.sort(_days(dt.date(y, 4, 1), dt.date(y, 11, 30), rng, k))
        who = np.full(k, -1)
        todo = np.arange(k)
        while len(todo):
            cand = rng.choice(len(all_ids), len(todo), p=w)
            ok = (est[cand] <= on_days[todo]) & (np.isnat(dis[cand]) | (dis[cand] > on_days[todo]))
            who[todo[ok]] = cand[ok]
            todo = todo[~ok]
        results = rng.choice(["compliant", "rectify", "violation"], k, p=[0.8, 0.15, 0.05])
        for s in range(k):
            ins.append(
                (
                    _id("CC", y, s + 1, 4, c, multi),
                    all_ids[who[s]],
                    on_days[s].item(),
                    str(results[s]),
                )
            )
    inspections = pl.DataFrame(
        {
            "inspection_id": [r[0] for r in ins],
            "org_id": [r[1] for r in ins],
            "inspected_on": [r[2] for r in ins],
            "result": [r[3] for r in ins],
        },
        schema=_schema("inspections"),
    )
    return _Compliance(reports, evaluations, ratings, listings, inspections)


# ---------------------------------------------------------------------------
# The county's programmes: micro-projects, points, trainings, awards, 睦邻客厅
# ---------------------------------------------------------------------------

MICRO_PROJECT_MAX = 50_000  # project grants up to 5万元 are the speech's 小而精 micro-projects
# 积分制 "在部分社区试点": communities joining the pilot each year (cumulative 3, 8, 14, 20).
POINTS_PILOTS = {2022: 3, 2023: 5, 2024: 6, 2025: 6}
POINTS_ACTIVITY = {  # activity -> (share of entries, points per entry options)
    "volunteer": (0.34, (5, 10, 20)),
    "neighbour_help": (0.18, (5,)),
    "environment": (0.2, (5,)),
    "civility": (0.1, (5, 10)),
    "safety": (0.08, (10,)),
    "consultation": (0.06, (5,)),
    "other": (0.04, (2,)),
}
# The 星级评定办法 is one of the speech's documents of the last three years: ratings from 2023.
LOUNGE_RATED_FROM = dt.date(2023, 6, 1)
LOUNGE_STARS = (0.05, 0.15, 0.40, 0.28, 0.12)  # one to five stars
HIGHER_AWARDS = {
    "municipal": (("全市优秀社区社会组织", "全市社区社会组织优秀服务项目"), (3, 6)),
    "provincial": (("全省优秀社会组织", "全省社区社会组织示范单位"), (0, 2)),
}


def _programmes(
    c: County,
    geo: _Geo,
    orgs: pl.DataFrame,
    grants: pl.DataFrame,
    rng: Callable[[int], np.random.Generator],
    multi: bool,
) -> dict[str, pl.DataFrame]:
    """The five programme sources, each from its own stream so the older sources never change."""
    return {
        "micro_projects": _micro_projects(c, orgs, grants, rng(8), multi),
        "points_ledger": _points_ledger(c, geo, rng(9)),
        "trainings": _trainings(c, geo, grants, rng(10), multi),
        "awards": _awards(orgs, grants, rng(11)),
        "lounges": _lounges(c, geo, rng(12)),
    }


def _micro_projects(
    c: County, orgs: pl.DataFrame, grants: pl.DataFrame, rng: np.random.Generator, multi: bool
) -> pl.DataFrame:
    """Project grants of up to 5万元 are run as micro-projects by the organisation that got them:
    in its own community, started within weeks, short (见效快), most finished within the year."""
    fields = dict(zip(orgs["org_id"].to_list(), orgs["field"].to_list(), strict=True))
    g = grants.filter(
        (pl.col("purpose") == "project") & (pl.col("approved_yuan") <= MICRO_PROJECT_MAX)
    ).sort("approved_on", "grant_id")
    n = g.height
    approved = g["approved_on"].to_numpy().astype("datetime64[D]")
    start = np.minimum(approved + rng.integers(3, 31, n).astype("timedelta64[D]"), _d64(AS_OF))
    # An organisation dissolved soon after its grant started the project before it went.
    dissolved = (
        g.join(orgs.select("org_id", "dissolved_on"), on="org_id", how="left")["dissolved_on"]
        .to_numpy()
        .astype("datetime64[D]")
    )
    gone = ~np.isnat(dissolved)
    start[gone] = np.minimum(start[gone], dissolved[gone] - np.timedelta64(1, "D"))
    length = rng.integers(30, 181, n).astype("timedelta64[D]")
    planned_end = start + length
    u = rng.random(n)
    as_of = _d64(AS_OF)
    status = np.where(planned_end <= as_of, "completed", "ongoing").astype(object)
    status[(u < 0.025)] = "cancelled"
    late = approved >= _d64(dt.date(2025, 11, 20))  # approved at the year's end, not yet begun
    status[late] = "planned"
    end = np.where(status == "completed", planned_end, np.datetime64("NaT"))
    # A cancelled project stopped part way (or on the day it was due to start).
    stopped = start + (length * rng.uniform(0, 0.6, n)).astype("timedelta64[D]")
    end = np.where(status == "cancelled", np.minimum(stopped, as_of), end)
    budget = g["approved_yuan"].cast(pl.Float64).to_numpy()
    people = np.round(budget / 100 * rng.lognormal(0, 0.45, n)).astype(np.int64)
    people = np.clip(people, 20, None)
    # Satisfaction is surveyed at 结项: whole percentages, mostly in the nineties.
    pct = np.clip(np.round(100 - 12 * rng.beta(1.2, 3.5, n)), 80, 100)
    satisfied = np.where(status == "completed", pct / 100, np.nan)
    theme = g["title"].str.extract(r"“(.+)”", 1).to_list()
    seq: dict[int, int] = {}
    ids = []
    for d in start:
        y = int(str(d)[:4])
        seq[y] = seq.get(y, 0) + 1
        ids.append(_id("WXM", y, seq[y], 4, c, multi))
    frame = pl.DataFrame(
        {
            "project_id": ids,
            "name": [f"{t}微项目" for t in theme],
            "org_id": g["org_id"],
            "community_code": g["division_code"],
            "field": [fields[o] for o in g["org_id"].to_list()],
            "budget_yuan": g["approved_yuan"],
            "start_on": start,
            "end_on": end,
            "beneficiaries": np.where(np.isin(status, ["planned", "cancelled"]), -1, people),
            "status": status.tolist(),
            "satisfaction_rate": satisfied,
        },
        schema_overrides={"beneficiaries": pl.Int64},
    ).with_columns(
        pl.when(pl.col("beneficiaries") >= 0).then(pl.col("beneficiaries")),
        pl.col("satisfaction_rate").fill_nan(None),
    )
    schema = _schema("micro_projects")
    return frame.select(schema.keys()).cast(pl.Schema(schema))


def _points_ledger(c: County, geo: _Geo, rng: np.random.Generator) -> pl.DataFrame:
    """积分制 in a few pilot communities from 2022: residents earn points for volunteering and
    other activities; participation grows over a community's first half year in the pilot."""
    d = geo.divisions
    comm = d.filter(pl.col("level") == "community")
    codes = comm["division_code"].to_list()
    pop = comm["population"].to_numpy().astype(float)
    urban = (comm["area_type"] == "urban").to_numpy()
    w = pop * np.where(urban, 3.0, 0.6)
    total = sum(POINTS_PILOTS.values())
    pilots = rng.choice(len(codes), total, replace=False, p=w / w.sum())
    joined: list[tuple[int, dt.date]] = []
    k = 0
    for year, n_new in POINTS_PILOTS.items():
        for _ in range(n_new):
            first = int(rng.integers(4, 7)) if year == 2022 else int(rng.integers(1, 10))
            joined.append((int(pilots[k]), dt.date(year, first, 1)))
            k += 1
    kinds = np.array(list(POINTS_ACTIVITY), dtype=object)
    shares = np.array([v[0] for v in POINTS_ACTIVITY.values()])
    # Points per entry: one of the activity's options, drawn as an index into a padded table.
    options = [v[1] for v in POINTS_ACTIVITY.values()]
    width = max(len(o) for o in options)
    table = np.array([[o[j % len(o)] for j in range(width)] for o in options])
    parts: dict[str, list[np.ndarray]] = {
        "resident": [],
        "community": [],
        "day": [],
        "kind": [],
    }
    for ci, since in joined:
        pool = int(pop[ci] * rng.uniform(0.01, 0.025))
        month, m = since, 0
        while month <= AS_OF:
            p = 0.25 * min(1.0, (m + 1) / 6)
            who = np.flatnonzero(rng.random(pool) < p)
            who = np.concatenate([who, who[rng.random(len(who)) < 0.3]])
            nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
            parts["resident"].append(who)
            parts["community"].append(np.full(len(who), ci))
            parts["day"].append(_days(month, min(nxt - dt.timedelta(days=1), AS_OF), rng, len(who)))
            parts["kind"].append(rng.choice(len(kinds), len(who), p=shares / shares.sum()))
            month, m = nxt, m + 1
    resident = np.concatenate(parts["resident"])
    community = np.concatenate(parts["community"])
    kind = np.concatenate(parts["kind"])
    points = table[kind, rng.integers(0, width, len(kind))]
    code_arr = np.array(codes, dtype=object)[community]
    frame = pl.DataFrame(
        {
            "resident_id": [f"JM{c_}{r + 1:04d}" for c_, r in zip(code_arr, resident, strict=True)],
            "community_code": code_arr.tolist(),
            "earned_on": np.concatenate(parts["day"]),
            "activity_type": kinds[kind].tolist(),
            "points": points,
        },
        schema=_schema("points_ledger"),
    )
    return frame.sort("earned_on", "community_code", "resident_id", maintain_order=True)


def _trainings(
    c: County, geo: _Geo, grants: pl.DataFrame, rng: np.random.Generator, multi: bool
) -> pl.DataFrame:
    """Each 人员培训 grant pays for a class (the speech's 负责人培训班 and 业务骨干培训班) held by
    the county centre or a township; communities add small classes of their own."""
    d = geo.divisions
    levels = dict(zip(d["division_code"].to_list(), d["level"].to_list(), strict=True))
    names = dict(zip(d["division_code"].to_list(), d["name"].to_list(), strict=True))
    g = grants.filter(pl.col("purpose") == "training").sort("approved_on", "grant_id")
    county = c.name if multi else ""
    rows: list[dict[str, Any]] = []
    for r in g.iter_rows(named=True):
        # Held a few weeks after approval, within the year and by the as-of date.
        gap = int(rng.integers(10, 61))
        room = (min(dt.date(r["year"], 12, 28), AS_OF) - r["approved_on"]).days
        held = r["approved_on"] + dt.timedelta(days=max(0, min(gap, room)))
        level = levels[r["division_code"]]
        what = r["title"].split("社区社会组织", 1)[1]
        place = names[r["division_code"]]
        big = level == "county"
        people = int(rng.integers(60, 151) if big else rng.integers(25, 71))
        rows.append(
            {
                "held_on": held,
                # A province file names the county too: every county has its 城关街道.
                "stem": f"{county}{'' if big else place}社区社会组织{what}",
                "level": level,
                # County classes are often logged without a code: the column is optional.
                "division_code": None if big and rng.random() < 0.4 else r["division_code"],
                "participants": people,
                "org_count": round(people * rng.uniform(0.6, 0.9)),
            }
        )
    # The speech: 依托县社会组织党群服务中心…定期举办负责人培训班、业务骨干培训班, every year,
    # paid from the centre's running costs rather than a training grant.
    centre = d["division_code"][0]
    for y in YEARS:
        for what, lo, hi in (
            ("负责人培训班", (3, 1), (5, 31)),
            ("业务骨干培训班", (9, 1), (11, 15)),
        ):
            people = int(rng.integers(80, 151))
            rows.append(
                {
                    "held_on": _days(dt.date(y, *lo), dt.date(y, *hi), rng, 1)[0].item(),
                    "stem": f"{c.name}社会组织党群服务中心{what}",
                    "level": "county",
                    "division_code": centre,
                    "participants": people,
                    "org_count": round(people * rng.uniform(0.7, 0.9)),
                }
            )
    comm = d.filter(pl.col("level") == "community")
    for y in YEARS:
        for i in rng.choice(comm.height, int(rng.integers(4, 9)), replace=False):
            held = _days(dt.date(y, 3, 1), dt.date(y, 11, 30), rng, 1)[0].item()
            people = int(rng.integers(12, 41))
            rows.append(
                {
                    "held_on": held,
                    "stem": f"{county}{comm['name'][int(i)]}社区社会组织能力提升培训",
                    "level": "community",
                    "division_code": comm["division_code"][int(i)],
                    "participants": people,
                    "org_count": int(rng.integers(max(3, people // 4), people // 2 + 4)),
                }
            )
    rows.sort(key=lambda r: (r["held_on"], r["stem"]))
    count: dict[tuple[int, str], int] = {}
    for r in rows:  # 第N期 within a year keeps (date, name) unique and reads as the bureau writes
        key = (r["held_on"].year, r["stem"])
        count[key] = count.get(key, 0) + 1
        r["name"] = f"{r['held_on'].year}年{r['stem']}（第{_cn_number(count[key])}期）"
    cols = list(_schema("trainings"))
    return pl.DataFrame({k: [r[k] for r in rows] for k in cols}, schema=_schema("trainings"))


def _cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (for 第N期)."""
    if n <= 10:
        return _CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_NUM[tens - 1]) + "十" + (_CN_NUM[ones - 1] if ones else "")


def _awards(orgs: pl.DataFrame, grants: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The county's 表彰奖励 grants are its own awards; the city and province add a few a year."""
    county = (
        grants.filter((pl.col("purpose") == "award") & pl.col("org_id").is_not_null())
        .select("year", "org_id")
        .unique(maintain_order=True)
    )
    rows = [(y, o, "优秀社区社会组织", "county") for y, o in county.iter_rows()]
    est = orgs["established_on"].to_numpy().astype("datetime64[D]")
    dis = orgs["dissolved_on"].to_numpy().astype("datetime64[D]")
    ids = orgs["org_id"].to_list()
    w = np.where((orgs["status"] == "registered").to_numpy(), 6.0, 1.0)
    for y in YEARS:
        end = _d64(dt.date(y, 12, 31))
        alive = (est <= end - np.timedelta64(365, "D")) & (np.isnat(dis) | (dis > end))
        p = np.where(alive, w, 0.0)
        for level, (titles, (lo, hi)) in HIGHER_AWARDS.items():
            k = int(rng.integers(lo, hi + 1))
            for i in rng.choice(len(ids), k, replace=False, p=p / p.sum()):
                rows.append((y, ids[int(i)], titles[int(rng.integers(len(titles)))], level))
    best = np.flatnonzero(
        (orgs["status"] == "registered").to_numpy()
        & (est <= _d64(dt.date(2018, 12, 31)))
        & np.isnat(dis)
    )
    rows.append((2024, ids[int(rng.choice(best))], "全国先进社会组织", "national"))
    frame = pl.DataFrame(
        {
            "year": [r[0] for r in rows],
            "org_id": [r[1] for r in rows],
            "title": [r[2] for r in rows],
            "level": [r[3] for r in rows],
        },
        schema=_schema("awards"),
    )
    return frame.unique(["year", "org_id", "title"], keep="first", maintain_order=True).sort(
        "year", "level", "org_id", maintain_order=True
    )


def _lounges(c: County, geo: _Geo, rng: np.random.Generator) -> pl.DataFrame:
    """睦邻客厅 in most urban communities and some villages, rated one to five stars since 2023."""
    d = geo.divisions
    comm_i = geo.community_idx
    codes = d["division_code"].to_list()
    names = d["name"].to_list()
    lon, lat = d["lon"].to_numpy(), d["lat"].to_numpy()
    urban = np.array([d["area_type"][int(i)] == "urban" for i in comm_i])
    has = rng.random(len(comm_i)) < np.where(urban, 0.75, 0.15)
    two = has & urban & (rng.random(len(comm_i)) < 0.12)
    rows: list[dict[str, Any]] = []
    for k, i in enumerate(comm_i):
        for j in range(int(has[k]) + int(two[k])):
            dx, dy = rng.normal(0, 0.0012, 2)
            x, y = round(float(lon[i] + dx), 6), round(float(lat[i] + dy), 6)
            if not shapely.contains_xy(geo.geoms[i], x, y):
                x, y = float(lon[i]), float(lat[i])
            placed = rng.random() >= 0.1  # a tenth logged without coordinates
            rows.append(
                {
                    "community_code": codes[i],
                    "name": names[i] + "睦邻客厅" + ("（二）" if j else ""),
                    "floor_area_m2": round(float(rng.uniform(60, 300)), 1),
                    "stars": int(rng.choice(5, p=LOUNGE_STARS)) + 1,
                    "rated_on": _days(LOUNGE_RATED_FROM, dt.date(2025, 11, 30), rng, 1)[0].item(),
                    "lon": x if placed else None,
                    "lat": y if placed else None,
                }
            )
    for k, r in enumerate(rows):
        r["lounge_id"] = f"MLKT{c.code}{k + 1:03d}"
    cols = list(_schema("lounges"))
    return pl.DataFrame({k: [r[k] for r in rows] for k in cols}, schema=_schema("lounges"))


def _county_truth(c: County, seed: int, multi: bool) -> tuple[dict[str, pl.DataFrame], _Geo]:
    """Every source's clean rows for one county; each part has its own stream of randomness."""

    def rng(k: int) -> np.random.Generator:
        return np.random.default_rng([seed, c.index, k])

    if c.real:
        from demo.real_county import geography

        geo = geography(c, rng(1))
    else:
        geo = _geography(c, rng(1))
    orgs = _organizations(c, geo, rng(2))
    platforms = _platforms(c, geo, rng(3))
    budgets = _budgets(c, rng(4))
    grants = _grants(c, geo, orgs, budgets, rng(5), multi)
    pays = _disbursements(c, grants, budgets, rng(6), multi)
    comp = _compliance(c, orgs, rng(7), multi)
    prog = _programmes(c, geo, orgs, grants, rng, multi)
    frames = {
        "divisions": geo.divisions,
        "division_boundaries": geo.boundaries,
        "platforms": platforms,
        "organizations": orgs,
        "fund_budgets": budgets,
        "grants": grants,
        "disbursements": pays,
        "annual_reports": comp.reports,
        "evaluations": comp.evaluations,
        "credit_ratings": comp.ratings,
        "credit_listings": comp.listings,
        "inspections": comp.inspections,
        **prog,
    }
    frames.update(demo_linkage.sources(c.code, c.name, frames, rng, AS_OF))
    frames.update(demo_targets.sources(frames, c.index == 0, AS_OF))
    return frames, geo


# ---------------------------------------------------------------------------
# Messiness: how clerks actually type the values
# ---------------------------------------------------------------------------

Cell = str | int | float | dt.date | dt.datetime | None
_FULLWIDTH = str.maketrans(
    {
        ch: chr(ord(ch) + 0xFEE0)
        for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    }
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_STYLES_CSV = (0.55, 0.20, 0.13, 0.12, 0.0, 0.0)
_DATE_STYLES_XLSX = (0.42, 0.14, 0.10, 0.06, 0.20, 0.08)


class _Mess:
    """Formatters that turn clean values into what a county office types, from one rng."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def style(self, n: int, probs: Sequence[float]) -> np.ndarray:
        p = np.asarray(probs, dtype=float)
        return self.rng.choice(len(p), size=n, p=p / p.sum())

    def spaces(self, values: list[Any], p: float) -> list[Any]:
        hit = self.rng.random(len(values)) < p
        how = self.rng.integers(0, 4, len(values))
        for i in np.flatnonzero(hit):
            v = values[i]
            if isinstance(v, str):
                values[i] = (" " + v, v + " ", "\u3000" + v, v + "\u3000")[how[i]]
        return values

    def fullwidth(self, values: list[Any], p: float) -> list[Any]:
        hit = self.rng.random(len(values)) < p
        for i in np.flatnonzero(hit):
            if isinstance(values[i], str):
                values[i] = values[i].translate(_FULLWIDTH)
        return values

    def text(self, s: pl.Series, p_space: float = 0.01) -> list[Any]:
        return self.spaces(s.to_list(), p_space)

    def code(
        self,
        s: pl.Series,
        xlsx: bool,
        p_number: float = 0.0,
        p_fw: float = 0.01,
        p_space: float = 0.01,
    ) -> list[Any]:
        values: list[Any] = s.to_list()
        if xlsx and p_number:
            hit = self.rng.random(len(values)) < p_number
            for i in np.flatnonzero(hit):
                if values[i] is not None and values[i].isdigit():
                    values[i] = int(values[i])  # 12 digits fit a double exactly
        return self.spaces(self.fullwidth(values, p_fw), p_space)

    def credit(self, s: pl.Series) -> list[Any]:
        values: list[Any] = s.to_list()
        k = self.style(len(values), (0.86, 0.05, 0.03, 0.03, 0.03))
        for i in np.flatnonzero(k):
            v = values[i]
            if v is None:
                continue
            if k[i] == 1:
                values[i] = v.lower()
            elif k[i] == 2:
                values[i] = v.translate(_FULLWIDTH)
            elif k[i] == 3:
                values[i] = f"{v[:8]} {v[8:]}"
            else:
                values[i] = v + " "
        return values

    def dates(self, s: pl.Series, xlsx: bool) -> list[Any]:
        k = self.style(len(s), _DATE_STYLES_XLSX if xlsx else _DATE_STYLES_CSV)
        frame = pl.DataFrame({"d": s, "k": k})
        d, ks = pl.col("d"), pl.col("k")
        y, m, dd = (e.cast(pl.String) for e in (d.dt.year(), d.dt.month(), d.dt.day()))
        text = (
            pl.when(ks == 1)
            .then(pl.concat_str([y, pl.lit("/"), m, pl.lit("/"), dd]))
            .when(ks == 2)
            .then(pl.concat_str([y, pl.lit("年"), m, pl.lit("月"), dd, pl.lit("日")]))
            .when(ks == 3)
            .then(d.dt.strftime("%Y%m%d"))
            .otherwise(d.dt.strftime("%Y-%m-%d"))
        )
        out: list[Any] = frame.select(text.alias("t"))["t"].to_list()
        if xlsx:
            raw = s.to_list()
            for i in np.flatnonzero(k >= 4):
                if raw[i] is not None:
                    out[i] = raw[i] if k[i] == 4 else (raw[i] - _EXCEL_EPOCH).days
        return out

    def amounts(self, s: pl.Series, xlsx: bool, probs: Sequence[float]) -> list[Any]:
        """probs over: number cell, 12,500.00, 12500.00, 12500, 1.25万, 1.25万元, ¥12,500.00."""
        p = list(probs)
        if not xlsx:  # a CSV has no number cells: those become plain text
            p[2] += p[0]
            p[0] = 0.0
        k = self.style(len(s), p)
        out: list[Any] = []
        for v, st in zip(s.to_list(), k, strict=True):
            if v is None:
                out.append(None)
                continue
            x = float(v)
            if st == 0:
                out.append(x)
            elif st == 1:
                out.append(f"{x:,.2f}")
            elif st == 2:
                out.append(f"{x:.2f}")
            elif st == 3:
                out.append(f"{x:.0f}" if x == int(x) else f"{x:.2f}")
            elif st in (4, 5):
                wan = f"{x / 10_000:.6f}".rstrip("0").rstrip(".")
                out.append(wan + ("万" if st == 4 else "万元"))
            else:
                out.append(f"¥{x:,.2f}")
        return out

    def numbers(self, s: pl.Series, xlsx: bool, fmt: str = "{}") -> list[Any]:
        values = s.to_list()
        if xlsx:
            return values
        return [None if v is None else fmt.format(v) for v in values]

    def bools(self, s: pl.Series) -> list[Any]:
        k = self.style(len(s), (0.85, 0.05, 0.05, 0.05))
        spell = (("否", "是"), ("×", "√"), ("N", "Y"), ("0", "1"))
        return [
            None if v is None else spell[st][int(v)] for v, st in zip(s.to_list(), k, strict=True)
        ]

    def enum(
        self, s: pl.Series, enum: str, alt: dict[str, tuple[str, float]] | None = None
    ) -> list[Any]:
        labels = ENUMS[enum].codes
        values = s.to_list()
        u = self.rng.random(len(values))
        out: list[Any] = []
        for v, x in zip(values, u, strict=True):
            if v is None:
                out.append(None)
            elif alt and v in alt and x < alt[v][1]:
                out.append(alt[v][0])
            else:
                out.append(labels[v])
        return out

    def rates(self, s: pl.Series, xlsx: bool) -> list[Any]:
        """A share as clerks type it: 95%, 0.95 or 95 (an Excel number cell holds 0.95)."""
        k = self.style(len(s), (0.6, 0.25, 0.15))
        out: list[Any] = []
        for v, st in zip(s.to_list(), k, strict=True):
            if v is None:
                out.append(None)
                continue
            whole = round(v * 100)
            if st == 1:
                out.append(v if xlsx else f"{v:.2f}")
            else:
                out.append(f"{whole}%" if st == 0 else str(whole))
        return out

    def stars(self, s: pl.Series, xlsx: bool) -> list[Any]:
        """4, 4星, 四星级 or ★★★★ (Excel: a number cell when plain)."""
        k = self.style(len(s), (0.55, 0.2, 0.15, 0.1))
        out: list[Any] = []
        for v, st in zip(s.to_list(), k, strict=True):
            if v is None:
                out.append(None)
            elif st == 0:
                out.append(v if xlsx else str(v))
            elif st == 1:
                out.append(f"{v}星")
            elif st == 2:
                out.append(f"{_CN_NUM[v - 1]}星级")
            else:
                out.append("★" * v)
        return out

    def grades(self, s: pl.Series) -> list[Any]:
        k = self.style(len(s), (0.80, 0.12, 0.05, 0.03))
        out: list[Any] = []
        for g, st in zip(s.to_list(), k, strict=True):
            out.append((f"{g}A", "A" * g, f"{g}A".translate(_FULLWIDTH), f"{g}A级")[st])
        return out


# Per-source amount spellings (see _Mess.amounts for the order).
_AMOUNT_STYLES = {
    "fund_budgets": (0.70, 0.12, 0.0, 0.0, 0.12, 0.06, 0.0),
    "grants": (0.75, 0.12, 0.0, 0.03, 0.04, 0.02, 0.04),
    "disbursements": (0.0, 0.70, 0.15, 0.05, 0.04, 0.03, 0.03),
    "micro_projects": (0.6, 0.1, 0.0, 0.2, 0.06, 0.04, 0.0),
}


def _render(source: Source, clean: pl.DataFrame, mess: _Mess, xlsx: bool) -> dict[str, list[Any]]:
    """The file's cells for every non-derived column, keyed by warehouse column name."""
    out: dict[str, list[Any]] = {}
    for col in source.file_columns():
        s = clean[col.name]
        k = col.kind
        if k == "id":
            v = mess.code(s, xlsx, p_fw=0.004, p_space=0.006)
        elif k == "text":
            v = mess.text(s, 0.01 if col.name in ("name", "leader_name", "title") else 0.0)
        elif k == "division_code":
            v = mess.code(s, xlsx, p_number=0.3, p_fw=0.015, p_space=0.01)
        elif k == "credit_code":
            v = mess.credit(s)
        elif k == "phone":
            v = mess.code(s, xlsx, p_fw=0.03, p_space=0.02)
        elif k == "date":
            v = mess.dates(s, xlsx)
        elif k == "amount":
            v = mess.amounts(s, xlsx, _AMOUNT_STYLES[source.name])
        elif k in ("int", "year"):
            v = mess.numbers(s, xlsx)
        elif k in ("lon", "lat"):
            v = mess.numbers(s, xlsx, "{:.6f}")
        elif k == "float":
            v = mess.numbers(s, xlsx, "{:.1f}")
        elif k == "bool":
            v = mess.bools(s)
        elif k == "grade":
            v = mess.grades(s)
        elif k == "rate":
            v = mess.rates(s, xlsx)
        elif k == "stars":
            v = mess.stars(s, xlsx)
        elif k == "org_list":
            v = demo_linkage.render_org_list(s, mess.rng)
        elif k == "enum":
            assert col.enum is not None
            if col.enum == "area_type":  # the file names the committee, not the area
                v = [
                    None if x is None else {"urban": "居委会", "rural": "村委会"}[x]
                    for x in s.to_list()
                ]
            elif col.enum == "credit_rating":
                v = mess.enum(s, col.enum, {r: (r, 0.7) for r in "ABCD"})
            elif col.enum == "legal_form":
                v = mess.enum(s, col.enum, {"social_service_agency": ("民办非企业单位", 0.15)})
            elif col.enum == "inspection_result":
                v = mess.enum(s, col.enum, {"rectify": ("限期整改", 0.1)})
            elif col.enum == "project_status":
                v = mess.enum(s, col.enum, {"completed": ("已完成", 0.15)})
            else:
                v = mess.enum(s, col.enum)
        else:  # pragma: no cover - a new kind in sources.py needs a formatter here
            raise ValueError(f"no formatter for kind {k!r}")
        out[col.name] = v
    return out


# ---------------------------------------------------------------------------
# Clerk mistakes
# ---------------------------------------------------------------------------


def _error_rows(
    truth: dict[str, pl.DataFrame], c: County, multi: bool
) -> dict[str, list[tuple[DemoError, dict[str, Any]]]]:
    """Extra rows for the first county, keyed by source: (error, {column: cell text})."""
    e = {err.source: err for err in demo_errors(c.code)}
    orgs = truth["organizations"]
    reg = orgs.filter((pl.col("status") == "registered") & pl.col("dissolved_on").is_null())
    evaluated = set(truth["evaluations"]["org_id"].to_list())
    free = [o for o in reg["org_id"].to_list() if o not in evaluated]
    some_reg = reg["org_id"][3]
    comm = truth["divisions"].filter(pl.col("level") == "community").row(0, named=True)
    grant_2024 = truth["grants"].filter(pl.col("year") == 2024)["grant_id"][5]
    # An organisation alive all of 2025 somewhere other than the community the mistake names.
    elsewhere = orgs.filter(
        (pl.col("community_code") != e["micro_projects"].value)
        & (pl.col("established_on") <= dt.date(2025, 1, 1))
        & pl.col("dissolved_on").is_null()
    ).row(0, named=True)
    out: dict[str, list[tuple[DemoError, dict[str, Any]]]] = {
        "divisions": [
            (
                e["divisions"],
                {
                    "division_code": e["divisions"].value,
                    "name": "新建社区",
                    "level": "社区",
                    "parent_code": comm["parent_code"],
                    "area_type": "居委会",
                    "urban_rural_code": "121",
                    "population": "3200",
                    "households": "1210",
                    "lon": f"{comm['lon']:.6f}",
                    "lat": f"{comm['lat']:.6f}",
                },
            )
        ],
        "organizations": [
            (
                e["organizations"],
                {
                    "org_id": f"SZ{c.code}99901",
                    "name": f"{c.name}{comm['name']}志愿者协会",
                    "credit_code": e["organizations"].value,
                    "status": "登记",
                    "legal_form": "社会团体",
                    "field": "为民服务",
                    "community_code": comm["division_code"],
                    "established_on": "2024-03-01",
                    "leader_name": "周建国",
                    "leader_phone": "13955120001",
                    "members": "45",
                    "volunteers": "30",
                    "party_in_charter": "是",
                    "integrity_in_charter": "是",
                    "has_party_branch": "否",
                    "guide_unit": c.name + "民政局",
                },
            )
        ],
        "grants": [
            (
                e["grants"],
                {
                    "grant_id": _id("ZJ", 2025, 9001, 4, c, multi),
                    "year": "2025",
                    "fund_source": "县级专项资金",
                    "purpose": "人员培训",
                    "division_code": e["grants"].value,
                    "title": "2025年社区社会组织财务人员培训班",
                    "approved_yuan": "8,000.00",
                    "approved_on": "2025-06-18",
                },
            )
        ],
        "disbursements": [
            (
                e["disbursements"],
                {
                    "disbursement_id": _id("BF", 2025, 90001, 5, c, multi),
                    "grant_id": grant_2024,
                    "paid_on": e["disbursements"].value,
                    "amount_yuan": "1,000.00",
                },
            )
        ],
        "annual_reports": [
            (
                e["annual_reports"],
                {
                    "org_id": e["annual_reports"].value,
                    "report_year": "2023",
                    "due_on": "2024-05-31",
                    "submitted_on": "2024-04-12",
                    "result": "合格",
                },
            )
        ],
        "credit_listings": [
            (
                e["credit_listings"],
                {
                    "org_id": some_reg,
                    "list_type": "活动异常名录",
                    "listed_on": "2024-08-01",
                    "removed_on": e["credit_listings"].value,
                    "reason": "未按规定报送2023年度工作报告",
                },
            )
        ],
        "inspections": [
            (
                e["inspections"],
                {
                    "inspection_id": _id("CC", 2025, 9001, 4, c, multi),
                    "org_id": some_reg,
                    "inspected_on": "2025-09-10",
                    "result": e["inspections"].value,
                },
            )
        ],
        "evaluations": [
            (
                e["evaluations"],
                {
                    "org_id": free[0],
                    "evaluated_year": "2024",
                    "score": "650.0",
                    "grade": e["evaluations"].value,
                },
            )
        ],
        "micro_projects": [
            (
                e["micro_projects"],
                {
                    "project_id": _id("WXM", 2025, 9001, 4, c, multi),
                    "name": "邻里守望微项目",
                    "org_id": elsewhere["org_id"],
                    "community_code": e["micro_projects"].value,
                    "field": "邻里互助",
                    "budget_yuan": "6,000",
                    "start_on": "2025-04-10",
                    "end_on": "2025-08-30",
                    "beneficiaries": "150",
                    "status": "已结项",
                    "satisfaction_rate": "96%",
                },
            )
        ],
        "lounges": [
            (
                e["lounges"],
                {
                    "lounge_id": f"MLKT{c.code}999",
                    "community_code": comm["division_code"],
                    "name": f"{comm['name']}睦邻客厅（新）",
                    "floor_area_m2": "80",
                    "stars": e["lounges"].value,
                    "rated_on": "2025-06-01",
                },
            )
        ],
    }
    return out


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

# How each source is handed over at scale 1: (format, encoding).
_FORMATS: dict[str, tuple[str, str]] = {
    "divisions": ("xlsx", ""),
    "platforms": ("csv", "utf-8-sig"),
    "organizations": ("csv", "gb18030"),
    "fund_budgets": ("xlsx", ""),
    "grants": ("xlsx", ""),
    "disbursements": ("csv", "utf-8"),
    "annual_reports": ("csv", "gb18030"),
    "evaluations": ("xlsx", ""),
    "credit_ratings": ("csv", "utf-8"),
    "credit_listings": ("xlsx", ""),
    "inspections": ("csv", "gb18030"),
    "micro_projects": ("xlsx", ""),
    "points_ledger": ("csv", "utf-8"),  # exported by the points app
    "trainings": ("xlsx", ""),
    "awards": ("csv", "gb18030"),
    "lounges": ("xlsx", ""),
    **demo_linkage.FORMATS,
    **demo_targets.FORMATS,
}


def _titles(source: str, region: str) -> tuple[list[str], list[str]]:
    """Rows above the header and note rows below the data, as the office's templates have them."""
    if source == "divisions":
        return [f"{region}行政区划及人口统计表（2025年）", ""], [
            "注：人口为2025年末常住人口。",
            "填表人：张三  审核人：李四",
        ]
    if source == "organizations":
        return [f"{region}社区社会组织名录（截至2025年12月31日）"], [
            "注：登记类型为“登记”的组织具有法人资格，“备案”的组织由乡镇（街道）备案管理。"
        ]
    if source == "fund_budgets":
        return [f"{region}社区社会组织发展资金预算表（2021—2025年）", "单位：元"], [
            "注：县级专项资金每年不少于200万元。"
        ]
    if source == "grants":
        return [f"{region}社区社会组织发展资金安排明细表"], ["填表人：王五  审核人：赵六"]
    if source == "annual_reports":
        return [f"{region}社会组织年度报告报送情况（2020—2024年度）"], [
            "注：报送日期为空表示未报送。"
        ]
    if source == "credit_listings":
        return [f"{region}社会组织活动异常名录和严重违法失信名单", ""], []
    if source == "micro_projects":
        return [f"{region}社区社会组织“微项目”台账（2021—2025年）"], [
            "注：满意度为结项时群众满意度测评结果；实施中的项目结束日期暂不填写。"
        ]
    if source == "trainings":
        return [f"{region}社区社会组织培训情况登记表"], []
    if source == "lounges":
        return [f"{region}睦邻客厅星级评定结果", ""], [
            f"注：星级按《{region}睦邻客厅建设管理服务星级评定办法（试行）》评定。"
        ]
    if source in demo_targets.FORMATS:
        return demo_targets.titles(source, region)
    return demo_linkage.titles(source, region)


def _headers(source: Source) -> list[str]:
    # The credit-rating system exports its own English column names.
    if source.name == "credit_ratings":
        return [c.name for c in source.file_columns()]
    return [c.label for c in source.file_columns()]


def _csv_cell(v: Any) -> str | None:
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, float):
        return f"{v:.2f}" if v != int(v) else f"{v:.0f}"
    return str(v)


class _CsvOut:
    """A CSV written county by county, so a province never sits in memory as text."""

    def __init__(
        self, path: Path, source: Source, encoding: str, pre: list[str], post: list[str]
    ) -> None:
        self.path, self.source, self.post = path, source, post
        self.codec = "utf-8" if encoding == "utf-8-sig" else encoding
        # Files saved from Excel/WPS on Windows end lines with CRLF; system exports with LF.
        self.eol = "\n" if encoding == "utf-8" else "\r\n"
        self.width = len(source.file_columns())
        self.fh = path.open("wb")
        if encoding == "utf-8-sig":
            self.fh.write(b"\xef\xbb\xbf")
        lines = [self._padded(t) for t in pre] + [",".join(_headers(source))]
        self.fh.write((self.eol.join(lines) + self.eol).encode(self.codec))
        self.rows = 0
        self.header_row = len(pre) + 1

    def _padded(self, text: str) -> str:
        # Excel pads a one-cell row with commas up to the sheet's width.
        return text + "," * (self.width - 1)

    def write(self, cells: dict[str, list[Any]]) -> None:
        names = [c.name for c in self.source.file_columns()]
        frame = pl.DataFrame(
            {n: [_csv_cell(v) for v in cells[n]] for n in names},
            schema=dict.fromkeys(names, pl.String),
        )
        if frame.height:
            text = frame.write_csv(include_header=False, line_terminator=self.eol)
            self.fh.write(text.encode(self.codec))
        self.rows += frame.height

    def close(self) -> None:
        if self.post:
            self.fh.write(
                (self.eol.join(self._padded(t) for t in self.post) + self.eol).encode(self.codec)
            )
        self.fh.close()


def _write_xlsx(
    path: Path, source: Source, cells: dict[str, list[Any]], pre: list[str], post: list[str]
) -> int:
    """Write one sheet; returns the Excel row number of the header."""
    cols = source.file_columns()
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({"created": CREATED, "author": "县民政局", "title": source.label})
    ws = wb.add_worksheet(source.label)
    bold = wb.add_format({"bold": True, "align": "center", "border": 1, "bg_color": "#DDEBF7"})
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    for k, text in enumerate(pre):
        if text and k == 0 and len(cols) > 1:
            ws.merge_range(r, 0, r, len(cols) - 1, text, title_fmt)
        elif text:
            ws.write_string(r, len(cols) - 1, text)  # e.g. 单位：元, right above the last column
        r += 1
    header_row = r + 1
    for j, col in enumerate(cols):
        ws.write_string(r, j, _headers(source)[j], bold)
        ws.set_column(j, j, max(10, min(40, 2 * len(col.label) + 6)))
    n = len(cells[cols[0].name])
    for i in range(n):
        r += 1
        for j, col in enumerate(cols):
            v = cells[col.name][i]
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, j, v)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, j, dt.datetime(v.year, v.month, v.day), date_fmt)
            else:
                ws.write_number(r, j, v)
    for text in post:
        r += 1
        ws.write_string(r, 0, text)
    wb.close()
    return header_row


def _insert_errors(
    cells: dict[str, list[Any]],
    errs: list[tuple[DemoError, dict[str, Any]]],
    rng: np.random.Generator,
) -> list[tuple[DemoError, int]]:
    """Put the extra rows somewhere in the middle, as a clerk would; returns 0-based positions."""
    placed: list[tuple[DemoError, int]] = []
    n = len(next(iter(cells.values())))
    for err, row in errs:
        pos = int(rng.integers(n // 4, max(n // 4 + 1, 3 * n // 4)))
        for name, values in cells.items():
            values.insert(pos, row.get(name))
        placed = [(e, p + 1 if p >= pos else p) for e, p in placed]
        placed.append((err, pos))
        n += 1
    return placed


def _write_manifest(
    path: Path, counties: list[County], scale: int, seed: int, errors: bool
) -> None:
    lines = [
        *(
            _real_county_note(counties[0])
            if counties[0].real
            else [
                "# Demo data written by demo.synthetic: the raw files of a fictional county (or province)."
            ]
        ),
        f"as_of = {AS_OF.isoformat()}",
        f'county_name = "{counties[0].name}"',
        f'county_code = "{counties[0].code}"',
        f"scale = {scale}",
        f"seed = {seed}",
        f"errors = {'true' if errors else 'false'}",
        "",
    ]
    for c in counties:
        lines += ["[[counties]]", f'code = "{c.code}"', f'name = "{c.name}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def _real_county_note(c: County) -> list[str]:
    """Manifest lines of a demo on a real county's divisions: where they come from, and that the
    boundaries are not real (the load records it: warehouse_info.boundaries_synthetic)."""
    from demo.real_county import source_note

    return [
        "# Demo data written by demo.synthetic: invented raw files on a real county's divisions.",
        *(f"# {line}" for line in source_note(c.code)),
        'boundaries = "synthetic"',
    ]


def generate(
    out_dir: Path,
    scale: int = 1,
    seed: int = 20251231,
    errors: bool = True,
    progress: Callable[[str], None] | None = None,
    county: str | None = None,
) -> DemoResult:
    """Write every source file for `scale` counties into out_dir and return the ground truth.

    Scale 1 is the speech's county: Excel where the office uses Excel. Scale N >= 2 is a province
    for benchmarks: N counties with distinct codes in one set of files, all tables as CSV.
    errors=True adds the extra invalid rows listed in DEMO_ERRORS (first county only).
    county="530427" draws the one county on that real county's townships and communities
    (demo/counties/530427.json; demo.real_county.UnknownCounty for a code without an extract).
    """
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {MAX_SCALE}, got {scale}")
    if county is not None and scale != 1:
        raise ValueError(f"county={county} draws one county: scale must be 1, got {scale}")
    say = progress or (lambda _msg: None)
    if county is None:
        counties = _counties(scale, seed)
    else:
        from demo.real_county import real_county

        counties = [real_county(county)]  # before any file is written: an unknown code stops here
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    multi = scale > 1
    region = counties[0].name if not multi else PROVINCE_NAME
    tabular = [s for s in SOURCES if not s.geojson]

    paths: dict[str, Path] = {}
    csv_out: dict[str, _CsvOut] = {}
    xlsx_cells: dict[str, dict[str, list[Any]]] = {}
    for s in tabular:
        fmt, enc = _FORMATS[s.name]
        if fmt == "xlsx" and not multi:
            paths[s.name] = out_dir / f"{s.label}.xlsx"
            continue
        enc = enc or "utf-8-sig"  # an Excel table saved as CSV for a province: UTF-8 with BOM
        paths[s.name] = out_dir / f"{s.label}.csv"
        pre, post = _titles(s.name, region)
        csv_out[s.name] = _CsvOut(paths[s.name], s, enc, pre, post)
    geo_path = out_dir / "边界.geojson"
    paths["division_boundaries"] = geo_path
    geo_fh = geo_path.open("w", encoding="utf-8", newline="\n")
    geo_fh.write('{"type":"FeatureCollection","features":[\n')

    parts: dict[str, list[pl.DataFrame]] = {s.name: [] for s in SOURCES}
    error_pos: list[tuple[DemoError, str, int]] = []
    first_feature = True
    for c in counties:
        say(f"县 {c.index + 1}/{scale}：{c.name}（{c.code}）")
        truth, geo = _county_truth(c, seed, multi)
        for name, frame in truth.items():
            parts[name].append(frame)
        for code, gname, gj in zip(
            geo.boundaries["division_code"], geo.names, geo.boundaries["geojson"], strict=True
        ):
            props = json.dumps({"区划代码": code, "名称": gname}, ensure_ascii=False)
            sep = "" if first_feature else ",\n"
            geo_fh.write(f'{sep}{{"type":"Feature","properties":{props},"geometry":{gj}}}')
            first_feature = False
        mess_rng = np.random.default_rng([seed, c.index, 100])
        mess = _Mess(mess_rng)
        errs = _error_rows(truth, c, multi) if errors and c.index == 0 else {}
        for s in tabular:
            if multi and s.name == "fund_budgets":
                continue  # one province table, summed below
            xlsx = s.name not in csv_out
            cells = _render(s, truth[s.name], mess, xlsx)
            if s.name in errs:
                # Own stream, so errors=False writes the same rows minus the extra ones.
                err_rng = np.random.default_rng([seed, c.index, 102])
                for err, pos in _insert_errors(cells, errs[s.name], err_rng):
                    error_pos.append((err, s.name, pos))
            if xlsx:
                xlsx_cells[s.name] = cells
            else:
                csv_out[s.name].write(cells)
    if multi:
        # fund_budgets is keyed by year and source only (no division): a province file carries
        # the counties' budgets summed, one row per year and source.
        order = {f: k for k, f in enumerate(FUND_SOURCES)}
        budgets = (
            pl.concat(parts["fund_budgets"])
            .group_by("year", "fund_source")
            .agg(pl.col("budget_yuan").sum().cast(pl.Decimal(14, 2)))
            .sort(
                pl.col("year"), pl.col("fund_source").replace_strict(order, return_dtype=pl.Int32)
            )
        )
        parts["fund_budgets"] = [budgets]
        mess = _Mess(np.random.default_rng([seed, scale, 101]))
        src = SOURCES_BY_NAME["fund_budgets"]
        csv_out["fund_budgets"].write(_render(src, budgets, mess, xlsx=False))
    geo_fh.write("\n]}\n")
    geo_fh.close()

    header_rows: dict[str, int] = {}
    for s in tabular:
        if s.name in csv_out:
            csv_out[s.name].close()
            header_rows[s.name] = csv_out[s.name].header_row
        else:
            say(f"写入 {paths[s.name].name}")
            pre, post = _titles(s.name, region)
            header_rows[s.name] = _write_xlsx(paths[s.name], s, xlsx_cells[s.name], pre, post)

    manifest = out_dir / "manifest.toml"
    _write_manifest(manifest, counties, scale, seed, errors)
    frames = {name: pl.concat(fs, how="vertical") for name, fs in parts.items()}
    say("完成")
    return DemoResult(
        out_dir=out_dir,
        paths=paths,
        manifest=manifest,
        frames=frames,
        counties=tuple(counties),
        error_rows=tuple((err, header_rows[src] + pos + 1) for err, src, pos in error_pos),
    )
