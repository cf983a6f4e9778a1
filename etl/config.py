"""Settings a site may change without touching code: reject threshold, grade bands, rating list."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"

# Evaluation score bands (score out of 1000 -> grade). They differ by locality, hence config.
DEFAULT_GRADE_BANDS: dict[int, tuple[float, float]] = {
    5: (900, 1000),
    4: (800, 900),
    3: (700, 800),
    2: (600, 700),
    1: (500, 600),
}
DEFAULT_CREDIT_RATINGS: dict[str, str] = {
    "A": "守信",
    "B": "基本守信",
    "C": "失信风险",
    "D": "严重失信",
}


@dataclass(frozen=True)
class EtlConfig:
    max_reject_share: float = 0.05  # more rejected rows than this in one source fails the load
    grade_bands: dict[int, tuple[float, float]] = field(
        default_factory=lambda: dict(DEFAULT_GRADE_BANDS)
    )
    credit_ratings: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CREDIT_RATINGS))
    boundaries_crs: str = "wgs84"  # or "gcj02": boundaries drawn on AMap/Tencent tiles
    keep_builds: int = 5  # warehouse builds kept for rollback (the live one always stays)
    max_upload_mb: float = 50.0  # one uploaded file on the import page
    max_session_upload_mb: float = 200.0  # all files one browser session holds at once
    max_total_upload_mb: float = 1024.0  # all files all sessions hold at once
    # An uploaded workbook is parsed in a child process first (etl/untrusted.py): at most this
    # much unpacked, this much memory and this many seconds.
    max_unzipped_mb: float = 512.0
    max_parse_mb: float = 2048.0
    max_parse_s: float = 60.0
    # [major_matters] report_days: a 重大事项 is reported on time within this many days of the
    # matter (or before it); later is late, not at all by then is overdue.
    matter_report_days: int = 10
    # [eligibility] min_rating: the lowest credit rating a grant or award may go to (资格核查);
    # a rating further down the credit_ratings scale is flagged.
    eligibility_min_rating: str = "B"


def config_path() -> Path:
    return Path(os.environ.get("ORGDASH_CONFIG", ROOT / "orgdash.toml"))


def load_config(path: Path | None = None) -> EtlConfig:
    """Read [etl], [major_matters] and [eligibility] from orgdash.toml (or $ORGDASH_CONFIG);
    missing file or keys keep the defaults."""
    p = path or config_path()
    if not p.exists():
        return EtlConfig()
    doc = tomllib.loads(p.read_text(encoding="utf-8"))
    data = doc.get("etl", {})
    kw: dict = {}
    if "max_reject_share" in data:
        kw["max_reject_share"] = float(data["max_reject_share"])
    if "grade_bands" in data:  # e.g. grade_bands = { "5" = [900, 1000], "4" = [800, 900] }
        kw["grade_bands"] = {
            int(k): (float(v[0]), float(v[1])) for k, v in data["grade_bands"].items()
        }
    if "credit_ratings" in data:
        kw["credit_ratings"] = {str(k): str(v) for k, v in data["credit_ratings"].items()}
    if "boundaries_crs" in data:
        kw["boundaries_crs"] = str(data["boundaries_crs"]).lower()
    if "keep_builds" in data:
        kw["keep_builds"] = max(1, int(data["keep_builds"]))
    for key in (
        "max_upload_mb",
        "max_session_upload_mb",
        "max_total_upload_mb",
        "max_unzipped_mb",
        "max_parse_mb",
        "max_parse_s",
    ):
        if key in data:
            kw[key] = float(data[key])
    matters = doc.get("major_matters", {})
    if "report_days" in matters:
        kw["matter_report_days"] = max(0, int(matters["report_days"]))
    eligibility = doc.get("eligibility", {})
    if "min_rating" in eligibility:
        kw["eligibility_min_rating"] = str(eligibility["min_rating"]).strip()
    return EtlConfig(**kw)
