"""orgdash user add|remove|list|demo|unlock: the accounts that may sign in to the dashboard."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from access import audit, roles
from orgdash.cli import Group, app, db_option, err, out

user_app = Group(
    "user",
    help="账户管理：添加、删除、列出可以登录看板的账户。\n\nManage dashboard accounts.",
    no_args_is_help=True,
)
app.add_command(user_app)

ROLE_HELP = "角色 / role: " + ", ".join(f"{k}（{v}）" for k, v in roles.ROLES.items())


def _path(db: Path) -> Path:
    # access.accounts (hashlib, tomllib) only for the user commands, not every orgdash command.
    from access import accounts

    return accounts.users_path(db)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = click.prompt("密码 / password", hide_input=True)
    second = click.prompt("再输一次 / again", hide_input=True)
    if first != second:
        err.print("[red]两次输入的密码不一致，账户未创建。[/red]")
        raise SystemExit(1)
    return str(first)


name_argument = click.argument("name", help="账户名 / account name")


@user_app.command("add")
@name_argument
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--display-name", default="", show_default=False, help="显示名称 / shown name")
@click.option("--township", help="只看本乡镇（街道）：12位区划代码 / limit to a township")
@click.option("--email", help="单位统一登录的邮箱 / OpenID Connect email")
@click.option(
    "--password-stdin", is_flag=True, help="从标准输入读密码 / read the password from stdin"
)
@click.option("--no-password", is_flag=True, help="只用单位统一登录 / OpenID Connect only")
@click.option("--replace", is_flag=True, help="覆盖同名账户 / replace an existing account")
@db_option
def add(
    name: str,
    role: str,
    display_name: str,
    township: str | None,
    email: str | None,
    password_stdin: bool,
    no_password: bool,
    replace: bool,
    db: Path,
) -> None:
    """添加账户（密码以加盐 scrypt 散列保存）/ add an account (salted scrypt hash)."""
    from access import accounts

    password = None if no_password else _password(password_stdin)
    try:
        account = accounts.add(
            name,
            role,
            password,
            display_name=display_name,
            township=township,
            email=email,
            replace=replace,
            path=_path(db),
        )
    except accounts.AccountError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise SystemExit(1) from None
    audit.record("user_add", audit.cli_user(), db, account=name, role=role, township=township)
    scope = f"，限乡镇 {township}" if township else ""
    out.print(f"已添加账户 {escape(account.name)}（{account.role_label}{scope}）→ {_path(db)}")


@user_app.command("remove")
@name_argument
@db_option
def remove(name: str, db: Path) -> None:
    """删除账户，其登录随即失效 / remove an account; its sign-ins stop working."""
    from access import accounts

    try:
        gone = accounts.remove(name, _path(db))
    except accounts.AccountError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise SystemExit(1) from None
    audit.record("user_remove", audit.cli_user(), db, account=name, role=gone.role)
    out.print(f"已删除账户 {escape(name)}。")


@user_app.command("list")
@db_option
def list_(db: Path) -> None:
    """列出账户 / list accounts."""
    from access import accounts

    known = accounts.load(_path(db))
    if not known:
        out.print(f"还没有账户（{_path(db)}）。用 orgdash user add 名称 --role admin 添加。")
        return
    table = Table("账户 / name", "角色 / role", "显示名称", "乡镇 / township", "邮箱 / email")
    for a in sorted(known.values(), key=lambda a: a.name):
        table.add_row(
            escape(a.name),
            a.role_label,
            escape(a.display_name),
            a.township or "全县",
            escape(a.email or ""),
        )
    out.print(table)
    _print_throttled(_path(db))


def _print_throttled(path: Path) -> None:
    """Names and clients with wrong passwords on record (see `orgdash user unlock`)."""
    import datetime as dt
    import time

    from access import accounts

    records = accounts.throttled(path)
    if not records:
        return
    now = time.time()
    table = Table(
        "账户 / name",
        "来源地址 / client",
        "连续输错 / failures",
        "最近一次 / last",
        "需等待至 / wait until",
        title="密码输错记录 / wrong passwords (orgdash user unlock 名称 清除)",
    )
    for r in records:
        last = dt.datetime.fromtimestamp(r.last_failure).strftime("%Y-%m-%d %H:%M:%S")
        until = (
            dt.datetime.fromtimestamp(r.until).strftime("%Y-%m-%d %H:%M:%S")
            if r.wait(now) > 0
            else "—"
        )
        client = "本机" if r.client == accounts.LOCAL_CLIENT else r.client
        table.add_row(escape(r.name), escape(client), str(r.failures), last, until)
    out.print(table)


@user_app.command("unlock")
@name_argument
@click.option(
    "--client",
    help="只清除这个来源地址的记录（默认全部）/ only this client address (default: all)",
)
@db_option
def unlock(name: str, client: str | None, db: Path) -> None:
    """清除账户的密码输错记录，不必再等待 / clear an account's wrong-password records."""
    from access import accounts

    cleared = accounts.unlock(name.strip(), client, _path(db))
    audit.record("user_unlock", audit.cli_user(), db, account=name, client=client, cleared=cleared)
    where = f"来自 {escape(client)} 的" if client else ""
    if cleared:
        out.print(f"已清除账户 {escape(name)} {where}密码输错记录 {cleared} 条，可立即重新登录。")
    else:
        out.print(f"账户 {escape(name)} 没有{where}密码输错记录，无需解除。")


@user_app.command("demo")
@db_option
def demo(db: Path) -> None:
    """没有账户时创建演示账户 / create demo accounts when there are none."""
    from access import accounts

    township = None
    try:
        from queries import run

        towns = run("filters/townships", db)
        township = str(towns["township_code"][0]) if towns.height else None
    except Exception:  # no warehouse yet: no township-scoped demo account
        township = None
    made = accounts.demo_accounts(township, _path(db))
    if not made:
        out.print(f"已有账户，未创建演示账户（{_path(db)}）。")
        return
    names = "、".join(a.name for a in made)
    out.print(
        f"已创建演示账户 {names}，密码均为 {accounts.DEMO_PASSWORD}（{_path(db)}）。"
        "正式使用前请用 orgdash user remove 删除。"
    )
