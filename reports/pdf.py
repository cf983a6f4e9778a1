"""Word → PDF on the server: LibreOffice headless, with the 公文's fonts mapped to free ones.

The docx names the fonts the bureau's PCs have (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体);
reports/fonts/fonts.conf (FONTCONFIG_FILE) maps them to FandolFang, AR PL KaitiM GB and Noto CJK
for LibreOffice. Each conversion runs in a profile of its own (-env:UserInstallation): a profile is
a slot taken with a file lock, kept between conversions (a fresh profile costs a second or more),
and never shared by two conversions at once — a second soffice on a busy profile hands its work to
the first one's process, or fails. A conversion that takes longer than TIMEOUT is killed with its
process group.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FONTS = Path(__file__).resolve().parent / "fonts"
FONTS_CONF = FONTS / "fonts.conf"
FONT_FILES = ("FandolFang-Regular.otf",)  # fetched by reports/fonts/fetch.sh into fonts/files
TIMEOUT = 120.0  # seconds for one conversion; the county report takes 2-3 s on 2 cores
SLOTS = 4  # profiles, so at most this many conversions at once; more wait for one
MIME = "application/pdf"

NO_LIBREOFFICE = (
    "服务器上没有安装 LibreOffice，不能生成 PDF。"
    "请管理员安装 libreoffice-writer-nogui（见 docs/REPORTS.md）；Word 版可以下载。"
)
NO_FONTS = (
    "服务器上缺少 PDF 所需的仿宋字体（FandolFang），不能生成 PDF。"
    "请管理员运行 reports/fonts/fetch.sh（见 docs/REPORTS.md）；Word 版可以下载。"
)


class PdfError(RuntimeError):
    """A PDF that could not be made; the message is Chinese, for the page and the CLI."""


def soffice() -> str | None:
    """LibreOffice's soffice: ORGDASH_SOFFICE, else on PATH, else Debian's place for it."""
    named = os.environ.get("ORGDASH_SOFFICE")
    if named:
        return named if Path(named).is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    debian = Path("/usr/lib/libreoffice/program/soffice")
    return str(debian) if debian.is_file() else None


def font_dir() -> Path:
    return FONTS / "files"


def missing() -> str | None:
    """Why no PDF can be made here (in Chinese), or None when it can."""
    if soffice() is None:
        return NO_LIBREOFFICE
    if not all((font_dir() / name).is_file() for name in FONT_FILES):
        return NO_FONTS
    return None


def _profiles() -> Path:
    base = os.environ.get("ORGDASH_LO_PROFILES") or str(
        Path(tempfile.gettempdir()) / f"orgdash-libreoffice-{os.getuid()}"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


@contextmanager
def _slot(deadline: float) -> Iterator[Path]:
    """A LibreOffice profile no other conversion is using (an exclusive lock on slot-N.lock)."""
    base = _profiles()
    while True:
        for n in range(SLOTS):
            handle = open(base / f"slot-{n}.lock", "w")  # noqa: SIM115 - held for the with block
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield base / f"profile-{n}"
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        if time.monotonic() > deadline:
            raise PdfError(f"PDF 转换繁忙（{SLOTS} 份正在生成），请稍后再试。")
        time.sleep(0.2)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    env["SAL_USE_VCLPLUGIN"] = "svp"  # headless, no X or Wayland
    return env


def convert(docx: bytes, timeout: float = TIMEOUT) -> bytes:
    """The PDF of a .docx, made by LibreOffice headless; PdfError (Chinese) when it cannot be."""
    why = missing()
    if why:
        raise PdfError(why)
    program = soffice()
    assert program is not None
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="orgdash-pdf-") as tmp, _slot(deadline) as profile:
        work = Path(tmp)
        source = work / "report.docx"
        source.write_bytes(docx)
        args = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ]
        # Its own process group: soffice starts soffice.bin, and a timeout must end both.
        proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
            cwd=work,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=max(deadline - time.monotonic(), 1.0))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfError(f"生成 PDF 超过 {timeout:.0f} 秒未完成，已停止。") from None
        pdf = work / "report.pdf"
        if proc.returncode != 0 or not pdf.is_file():
            detail = (err or out).decode("utf-8", "replace").strip().splitlines()[-1:]
            raise PdfError(
                f"LibreOffice 未能生成 PDF（退出码 {proc.returncode}）：{''.join(detail) or '无输出'}"
            )
        return pdf.read_bytes()
