"""orgdash user add|remove|list|demo: the accounts that may sign in to the dashboard."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from access import accounts, audit, roles
from etl.config import DEFAULT_DB
from orgdash.cli import DbOption, app, err, out

user_app = typer.Typer(
    help="账户管理：添加、删除、列出可以登录看板的账户。\n\nManage dashboard accounts.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(user_app, name="user")

ROLE_HELP = "角色 / role: " + ", ".join(f"{k}（{v}）" for k, v in roles.ROLES.items())


def _path(db: Path) -> Path:
    return accounts.users_path(db)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("密码 / password", hide_input=True)
    second = typer.prompt("再输一次 / again", hide_input=True)
    if first != second:
        err.print("[red]两次输入的密码不一致，账户未创建。[/red]")
        raise typer.Exit(1)
    return str(first)


@user_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="账户名 / account name")],
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    display_name: Annotated[str, typer.Option("--display-name", help="显示名称 / shown name")] = "",
    township: Annotated[
        str | None,
        typer.Option("--township", help="只看本乡镇（街道）：12位区划代码 / limit to a township"),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", help="单位统一登录的邮箱 / OpenID Connect email"),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="从标准输入读密码 / read the password from stdin"),
    ] = False,
    no_password: Annotated[
        bool,
        typer.Option("--no-password", help="只用单位统一登录 / OpenID Connect only"),
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="覆盖同名账户 / replace an existing account")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """添加账户（密码以加盐 scrypt 散列保存）/ add an account (salted scrypt hash)."""
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
        raise typer.Exit(1) from None
    audit.record("user_add", audit.cli_user(), db, account=name, role=role, township=township)
    scope = f"，限乡镇 {township}" if township else ""
    out.print(f"已添加账户 {escape(account.name)}（{account.role_label}{scope}）→ {_path(db)}")


@user_app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="账户名 / account name")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """删除账户，其登录随即失效 / remove an account; its sign-ins stop working."""
    try:
        gone = accounts.remove(name, _path(db))
    except accounts.AccountError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from None
    audit.record("user_remove", audit.cli_user(), db, account=name, role=gone.role)
    out.print(f"已删除账户 {escape(name)}。")


@user_app.command("list")
def list_(db: DbOption = DEFAULT_DB) -> None:
    """列出账户 / list accounts."""
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


@user_app.command("demo")
def demo(db: DbOption = DEFAULT_DB) -> None:
    """没有账户时创建演示账户 / create demo accounts when there are none."""
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
