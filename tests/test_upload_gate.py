"""Uploads reach the server only from signed-in sessions that may upload, within the caps; a hostile
workbook costs a capped child process, never the dashboard (security issue: unauthenticated
memory exhaustion, zip bomb)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from dashboard import upload_gate
from etl import untrusted
from etl.read import FileProblem
from tests import hostile
from tests.wire import upload_put, watch_session_ids

MB = 2**20


# ---------------------------------------------------------------- the gate's rules, without a server


@pytest.fixture
def fresh_gate(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(upload_gate, "_admitted", {})
    monkeypatch.setattr(upload_gate, "_inflight", {})
    return upload_gate


def test_a_session_not_signed_in_may_not_upload(fresh_gate) -> None:  # type: ignore[no-untyped-def]
    caps = upload_gate.Caps(file=50 * MB, session=200 * MB, total=1024 * MB)
    status, reason = upload_gate.decide("anon", 1000, caps)
    assert status == 403 and "请先登录" in reason
    upload_gate.admit("s1", "admin")
    assert upload_gate.decide("s1", 1000, caps) == (0, "")
    upload_gate.withdraw("s1")
    assert upload_gate.decide("s1", 1000, caps)[0] == 403


def test_caps_per_file_session_and_server(fresh_gate, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    caps = upload_gate.Caps(file=50 * MB, session=120 * MB, total=300 * MB)
    upload_gate.admit("s1", "admin")
    upload_gate.admit("s2", "admin")
    assert upload_gate.decide("s1", None, caps)[0] == 411  # no Content-Length: no way to judge
    status, reason = upload_gate.decide("s1", 60 * MB, caps)
    assert status == 413 and "50 MB" in reason
    held = {"s1": 100 * MB, "s2": 0}
    monkeypatch.setattr(upload_gate, "_held", lambda sid: (held.get(sid, 0), sum(held.values())))
    status, reason = upload_gate.decide("s1", 30 * MB, caps)
    assert status == 413 and "120 MB" in reason
    assert upload_gate.decide("s2", 30 * MB, caps) == (0, "")
    held["s2"] = 100 * MB  # the server holds 200 MB in all
    assert upload_gate.decide("s2", 20 * MB, caps) == (0, "")
    held["s2"] = 100 * MB
    upload_gate._inflight["s3"] = 95 * MB  # a PUT being received counts before it lands
    assert upload_gate.decide("s2", 20 * MB, caps)[0] == 503


def test_config_toml_sets_streamlits_limit_to_the_products() -> None:
    import tomllib

    from etl.config import EtlConfig

    config = tomllib.loads(
        (Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text("utf-8")
    )
    assert config["server"]["maxUploadSize"] == EtlConfig().max_upload_mb
    assert config["client"]["showErrorDetails"] == "none"


# ---------------------------------------------------------------- hostile files


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 2.5 MB that unpacks to about 630 MB (the red team's was 3 MB -> 9.4 GB)."""
    return hostile.workbook(tmp_path_factory.mktemp("bomb") / "社会组织名录.xlsx", 3_000_000)


def test_zip_bomb_refused_from_the_zip_directory_alone(bomb: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FileProblem) as exc:
        untrusted.vet(bomb, bomb.name)
    assert exc.value.rule == "too_big"
    assert "解压后过大" in exc.value.message and "另存为" in exc.value.message
    assert time.monotonic() - started < 1  # nothing was unpacked


def test_a_bomb_whose_directory_lies_dies_in_the_child_not_here(bomb: Path) -> None:
    """With the zip checks out of the way (as if its directory understated the sizes), the parse
    runs out of its memory cap in the child; this process neither grows nor crashes."""
    lax = untrusted.Limits(unzipped_bytes=10**13, ratio=1e9, parse_bytes=256 * MB)
    before = _rss()
    with pytest.raises(FileProblem) as exc:
        untrusted.vet(bomb, bomb.name, lax)
    assert exc.value.rule == "too_big" and "内存超过了上限" in exc.value.message
    assert _rss() - before < 100 * MB


def test_a_parse_past_its_time_is_stopped(bomb: Path) -> None:
    lax = untrusted.Limits(unzipped_bytes=10**13, ratio=1e9, parse_seconds=0.3)
    with pytest.raises(FileProblem) as exc:
        untrusted.vet(bomb, bomb.name, lax)
    assert exc.value.rule == "too_slow" and "0.3 秒" in exc.value.message


def test_an_ordinary_workbook_passes(tmp_path: Path) -> None:
    untrusted.vet(hostile.workbook(tmp_path / "名录.xlsx", 200), "名录.xlsx")


def test_not_a_zip_named_xlsx_is_left_to_the_readers_message(tmp_path: Path) -> None:
    from etl.read import open_workbook

    fake = tmp_path / "名录.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip" * 10)
    untrusted.vet(fake, fake.name)  # nothing to unpack, nothing that could hurt
    with pytest.raises(FileProblem) as exc:
        open_workbook(fake)
    assert "Excel 文件无法打开" in exc.value.message


def test_geojson_nested_past_the_stack(tmp_path: Path) -> None:
    """json.loads raised RecursionError, which no reader caught (a traceback on the page)."""
    from etl.read import read_geojson
    from etl.sources import SOURCES

    path = hostile.nested_geojson(tmp_path / "边界.geojson")
    with pytest.raises(FileProblem) as exc:
        untrusted.vet(path, path.name)
    assert "嵌套层数异常" in exc.value.message
    boundaries = next(s for s in SOURCES if s.geojson)
    with pytest.raises(FileProblem) as exc:  # the reader itself too (orgdash load from a folder)
        read_geojson(path, boundaries)
    assert "嵌套层数异常" in exc.value.message


def test_a_reader_panic_becomes_the_clerks_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """calamine's panics arrive as pyo3's PanicException, a BaseException that `except Exception`
    let through to the page; the reader turns them into its message like any other damage."""
    from etl import read

    class PanicException(BaseException):  # pyo3_runtime.PanicException's shape
        pass

    def panic(_path: object) -> None:
        raise PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(read.fastexcel, "read_excel", panic)
    with pytest.raises(FileProblem) as exc:
        read.open_workbook(hostile.workbook(tmp_path / "名录.xlsx", 5))
    assert "Excel 文件无法打开" in exc.value.message
    assert "PanicException" in exc.value.message


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(ln.split()[1]) * 1024 for ln in f if ln.startswith("VmRSS:"))


# ---------------------------------------------------------------- against a real server


def _put(url: str, session_id: str, xsrf: str | None, data: bytes) -> tuple[int, str]:
    return upload_put(url, session_id, {"_streamlit_xsrf": xsrf} if xsrf else {}, data)


def _session_of(tab_factory, url: str, user: str | None):  # type: ignore[no-untyped-def]
    """Open the dashboard in Chromium (signed in as user, or not) and read, as an attacker would,
    the session id from the websocket and the XSRF cookie."""
    from tests.test_browser import PLOTLY, sign_in

    ctx, tab = tab_factory()
    ids = watch_session_ids(tab)
    tab.goto(url, wait_until="domcontentloaded")
    tab.get_by_label("账户名").wait_for(timeout=45_000)
    if user is not None:
        sign_in(tab, user)
        tab.wait_for_selector(PLOTLY, timeout=45_000)
    xsrf = next((c["value"] for c in ctx.cookies() if c["name"] == "_streamlit_xsrf"), None)
    assert ids, "no session id seen on the websocket"
    return ids[-1], xsrf, ctx


@pytest.mark.browser
def test_uploads_only_from_signed_in_sessions_that_may_upload(
    demo_db: Path, users_file: Path, tmp_path: Path
) -> None:
    """Reproduces the red team's attack: without signing in, the session id from the websocket
    and the XSRF cookie were enough to PUT 4 x 200 MB that the server kept (204 each)."""
    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, serve

    config = tmp_path / "orgdash.toml"
    config.write_text("[etl]\nmax_upload_mb = 1\nmax_session_upload_mb = 2\n", encoding="utf-8")
    from playwright.sync_api import sync_playwright

    with serve(demo_db, users_file, ORGDASH_CONFIG=str(config)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def tab_factory():  # type: ignore[no-untyped-def]
            ctx = browser.new_context(locale="zh-CN")
            return ctx, ctx.new_page()

        try:
            anon, xsrf, ctx = _session_of(tab_factory, url, None)
            status, reason = _put(url, anon, xsrf, os.urandom(200_000))
            assert status == 403, (status, reason)
            assert "请先登录" in reason
            ctx.close()

            leader, xsrf, ctx = _session_of(tab_factory, url, "leader")
            assert _put(url, leader, xsrf, os.urandom(200_000))[0] == 403  # 领导 uploads nothing
            ctx.close()

            admin, xsrf, ctx = _session_of(tab_factory, url, "admin")
            assert _put(url, admin, xsrf, os.urandom(200_000))[0] == 204
            status, reason = _put(url, admin, xsrf, os.urandom(int(1.5 * MB)))
            assert status == 413 and "1 MB" in reason  # past max_upload_mb
            assert _put(url, admin, xsrf, os.urandom(900_000))[0] == 204
            assert _put(url, admin, xsrf, os.urandom(900_000))[0] == 204  # 2.0 MB held
            status, reason = _put(url, admin, xsrf, os.urandom(300_000))
            assert status == 413 and "2 MB" in reason  # past max_session_upload_mb
            ctx.close()
        finally:
            browser.close()
