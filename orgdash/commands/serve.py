"""orgdash serve: start the dashboard the one supported way (dashboard/server.py, behind the upload
gate), with the upload limit of orgdash.toml, refusing to expose demo accounts beyond this machine."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from orgdash.cli import app, db_option, err

ROOT = Path(__file__).resolve().parent.parent.parent


@app.command("serve")
@click.option("--address", default="127.0.0.1", help="监听地址 / address to bind")
@click.option("--port", default=8501, type=int, help="端口 / port")
@db_option
def serve(address: str, port: int, db: Path) -> None:
    """启动看板（含上传闸门）/ start the dashboard (behind the upload gate)."""
    from access import accounts
    from access.network import is_loopback
    from etl.config import load_config

    demo = [a.name for a in accounts.load(accounts.users_path(db)).values() if a.demo]
    if demo and not is_loopback(address):
        err.print(
            f"[red]拒绝启动：演示账户（{'、'.join(demo)}）的密码是公开的，不能在 {address} 上对外提供服务。"
            "请先用 orgdash user add 创建正式账户，再用 orgdash user remove 删除演示账户；"
            "或只在本机地址 127.0.0.1 上启动。[/red]\n"
            f"Refusing to serve demo accounts on {address}: remove them first."
        )
        raise SystemExit(2)
    limit_mb = max(1, int(load_config().max_upload_mb + 0.999))
    env = dict(os.environ, ORGDASH_DB=str(db))
    args = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "dashboard" / "server.py"),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.maxUploadSize",
        str(limit_mb),
    ]
    os.chdir(ROOT)  # .streamlit/config.toml is read from the working directory
    os.execve(sys.executable, args, env)
