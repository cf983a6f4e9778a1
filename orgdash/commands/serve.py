"""orgdash serve: start the dashboard the one supported way (dashboard/server.py, behind the upload
gate), with the upload limit of orgdash.toml, refusing to expose demo accounts beyond this machine;
with --workers N, N such servers on loopback behind nginx (orgdash/workers.py)."""

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
@click.option(
    "--workers",
    default=1,
    type=click.IntRange(1, 64),
    help="工作进程数：大于 1 时由 nginx 在前面分配（会话固定在一个进程）/ "
    "Streamlit processes; above 1, behind nginx with sticky sessions",
)
@db_option
def serve(address: str, port: int, workers: int, db: Path) -> None:
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

    def streamlit_args(bind: str, on_port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard" / "server.py"),
            "--server.address",
            bind,
            "--server.port",
            str(on_port),
            "--server.maxUploadSize",
            str(limit_mb),
        ]

    if workers == 1:
        os.chdir(ROOT)  # .streamlit/config.toml is read from the working directory
        os.execve(sys.executable, streamlit_args(address, port), env)
        return  # execve does not return; a test that stubs it must not go on to start workers

    from access import sessions
    from orgdash.workers import BODY_MARGIN_MB, Supervisor

    # The sign-in cookie's secret, made once here rather than by the workers' first sign-ins, so
    # every worker reads the same file from the start (sessions._secret is also safe to race:
    # the first os.link wins and the others read its secret).
    sessions._secret(accounts.users_path(db))
    supervisor = Supervisor(
        address=address,
        port=port,
        count=workers,
        body_mb=limit_mb + BODY_MARGIN_MB,
        # No "You can now view … at 127.0.0.1:<worker>": the address to open is nginx's.
        worker_args=lambda on_port: [
            *streamlit_args("127.0.0.1", on_port),
            "--logger.hideWelcomeMessage",
            "true",
        ],
        env=env,
        say=lambda text: err.print(text, soft_wrap=True),
    )
    raise SystemExit(supervisor.run())
