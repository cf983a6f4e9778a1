"""[access] settings from orgdash.toml: session length and OpenID Connect sign-in."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class AccessSettings:
    session_hours: float = 12.0  # a sign-in lasts one working day, then asks again
    oidc: bool = False  # offer 「单位统一登录」 through st.login (needs [auth] in secrets.toml)
    oidc_label: str = "单位统一登录"
    # The public register (信息公开查询, no sign-in): searches one client may make per minute
    # (access/public_limit.py). Residents behind one carrier NAT share an address: keep it roomy.
    public_searches_per_minute: int = 20


def load_settings(path: Path | None = None) -> AccessSettings:
    p = path or Path(os.environ.get("ORGDASH_CONFIG", ROOT / "orgdash.toml"))
    if not p.exists():
        return AccessSettings()
    data = tomllib.loads(p.read_text(encoding="utf-8")).get("access", {})
    kw: dict = {}
    for key, kind in (
        ("session_hours", float),
        ("oidc", bool),
        ("oidc_label", str),
        ("public_searches_per_minute", int),
    ):
        if key in data:
            kw[key] = kind(data[key])
    return AccessSettings(**kw)
