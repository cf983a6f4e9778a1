"""Every failure path of 导入 and 上报 ends in a Chinese message on the page, never a traceback or a
server path (security issue: a zip bomb crashed the page with a panic; a change of data between
staging and confirming showed a traceback with server paths)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import errors
from etl import kept_builds, rounds, staging
from etl.pipeline import load_dir
from tests import conftest, hostile, test_page_import
from tests.test_staging import corrected_orgs

site = test_page_import.site  # the fixture: a warehouse of its own ($ORGDASH_DB), changed here
IMPORT = "views/import_data.py"
SUBMIT = "views/submit.py"


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = hostile.workbook(tmp_path_factory.mktemp("bomb") / "社会组织名录.xlsx", 3_000_000)
    return path.read_bytes()


def shown(at: AppTest) -> str:
    """Everything the page wrote, as one text (alerts, markdown, captions)."""
    parts = [e.value for kind in ("error", "warning", "info", "success") for e in at.get(kind)]
    parts += [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def no_trace(at: AppTest, *paths: Path) -> None:
    assert not at.exception, [e.message for e in at.exception]
    text = shown(at)
    assert "Traceback" not in text and 'File "' not in text
    for path in paths:
        assert str(path.parent) not in text, text


def upload(at: AppTest, key: str, button: str, name: str, data: bytes) -> AppTest:
    at.file_uploader(key=f"{key}_files").set_value([(name, data, "application/octet-stream")])
    at.button(key=f"FormSubmitter:{key}_upload-{button}").click().run()
    return at


def test_import_refuses_a_zip_bomb_in_chinese(site: Path, bomb: bytes) -> None:
    at = conftest.open_as("admin", IMPORT)
    upload(at, "imp", "上传并校验", "社会组织名录.xlsx", bomb)
    no_trace(at, site)
    assert any("解压后过大" in e.value for e in at.error), shown(at)


def test_import_confirm_after_the_data_changed_says_so(site: Path, demo_dir: Path) -> None:
    """Another load between checking and confirming: was an uncaught UploadError (a traceback
    with the staging folder's path)."""
    data, _ = corrected_orgs(demo_dir, site)
    at = conftest.open_as("admin", IMPORT)
    upload(at, "imp", "上传并校验", "名录（更正）.csv", data)
    assert at.button(key="imp_confirm")
    load_dir(kept_builds.live_build(site).sources, site)  # someone else loads meanwhile
    at.button(key="imp_confirm").click().run()
    no_trace(at, site)
    assert any("在用的数据已经变了" in e.value for e in at.error), shown(at)


def test_import_unexpected_failure_is_an_incident_not_a_trace(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(errors, "RAISE", False)

    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise OSError(f"[Errno 28] No space left on device: '{site.parent}/staging/x'")

    monkeypatch.setattr(staging, "stage", broken)
    at = conftest.open_as("admin", IMPORT)
    upload(at, "imp", "上传并校验", "名录.csv", b"a,b\n1,2\n")
    no_trace(at, site)
    assert any("页面出现意外错误" in e.value and "编号" in e.value for e in at.error)
    assert "No space" not in shown(at) and "OSError" not in shown(at)


def test_any_page_failing_shows_an_incident(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard in dashboard/app.py: a page's own bug is a Chinese message with a number."""
    import queries
    from access import audit

    monkeypatch.setattr(errors, "RAISE", False)

    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"IO Error: Could not open file {site}")

    monkeypatch.setattr(queries, "run_on", broken)
    monkeypatch.setattr(queries, "run", broken)
    at = AppTest.from_file(
        str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"), default_timeout=60
    )
    at.run()
    conftest.signed_in(at, "admin")
    at.switch_page("views/organizations.py").run()
    no_trace(at, site)
    incident = next(e.value for e in at.error if "页面出现意外错误" in e.value)
    logged = [e for e in audit.read(site) if e["event"] == "page_error"]
    assert logged and logged[-1]["incident"] in incident


@pytest.fixture
def round_site(site: Path) -> Path:
    rounds.open_round(site, "2026Q1", dt.date(2026, 4, 10), "admin", now=dt.datetime(2026, 3, 25))
    return site


def test_submit_refuses_a_zip_bomb_in_chinese(round_site: Path, bomb: bytes) -> None:
    at = conftest.open_as("town", SUBMIT)
    upload(at, "sub", "上传并报送", "社会组织名录.xlsx", bomb)
    no_trace(at, round_site)
    assert any("解压后过大" in e.value for e in at.error), shown(at)


def test_submit_unexpected_failure_is_an_incident(
    round_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(errors, "RAISE", False)

    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise PermissionError(f"[Errno 13] Permission denied: '{round_site.parent}/rounds'")

    monkeypatch.setattr(rounds, "submit", broken)
    at = conftest.open_as("town", SUBMIT)
    upload(at, "sub", "上传并报送", "名录.csv", b"a,b\n1,2\n")
    no_trace(at, round_site)
    assert any("页面出现意外错误" in e.value for e in at.error)
