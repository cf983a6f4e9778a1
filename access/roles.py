"""The four roles, what each may open and do: one table the navigation, the pages and tests share."""

from __future__ import annotations

ROLES: dict[str, str] = {
    "leader": "领导",
    "planner": "规划",
    "analyst": "分析",
    "admin": "管理",
}

# Each role sees what the one before it sees, plus its own pages.
_LEADER = frozenset({"overview", "map", "community", "report", "screen"})
_PLANNER = _LEADER | {"organizations", "funding", "governance", "projects"}
_ANALYST = _PLANNER | {"sql", "data"}
_ADMIN = _ANALYST | {"import", "targets", "accounts", "audit", "rounds"}
# Pages for an account scoped to one township (whatever its role but leader): its quarterly
# submission. Not in PAGES: a county-wide account has no township to submit for.
TOWNSHIP_PAGES = frozenset({"submit"})
PAGES: dict[str, frozenset[str]] = {
    "leader": _LEADER,
    "planner": _PLANNER,
    "analyst": _ANALYST,
    "admin": _ADMIN,
}

# Capabilities inside pages.
CAPABILITIES: dict[str, frozenset[str]] = {
    "leader": frozenset(),
    "planner": frozenset({"report_builder"}),
    "analyst": frozenset({"report_builder", "detail_downloads", "sql"}),
    "admin": frozenset({"report_builder", "detail_downloads", "sql", "personal_data", "manage"}),
}
CAPABILITY_LABELS: dict[str, str] = {
    "report_builder": "自选报告范围和日期",
    "detail_downloads": "下载明细数据",
    "sql": "自助查询",
    "personal_data": "查看负责人姓名和电话",
    "manage": "导入、回退、年度目标、账户和审计",
}


# Every way rows leave the app, by kind of file, and the roles that may take it. The pages offer a
# download only where this says so (dashboard/downloads.py is the one place that draws them), and
# every one taken is audited. Streamlit's own table toolbar (CSV download, copy) is off for all
# (client.disableDataExport): it cannot be audited.
EXPORTS: dict[str, frozenset[str]] = {
    "summary": frozenset({"leader", "planner", "analyst", "admin"}),  # counts, rates, per area
    "report": frozenset({"leader", "planner", "analyst", "admin"}),  # the meeting report files
    # The report as PDF (LibreOffice on the server): whoever may take the Word file.
    "report_pdf": frozenset({"leader", "planner", "analyst", "admin"}),
    "detail": frozenset({"analyst", "admin"}),  # one row per organisation, grant, report …
    "query": frozenset({"analyst", "admin"}),  # results of the SQL workbench
    "rejects": frozenset({"planner", "analyst", "admin"}),  # reject reports of one's uploads
    "audit": frozenset({"admin"}),  # the audit log
}
EXPORT_LABELS: dict[str, str] = {
    "summary": "汇总表",
    "report": "会议材料",
    "report_pdf": "会议材料PDF",
    "detail": "明细数据",
    "query": "查询结果",
    "rejects": "拒收报告",
    "audit": "审计日志",
}


def may_export(role: str, kind: str) -> bool:
    return role in EXPORTS.get(kind, frozenset())


def may_open(role: str, page: str, township: str | None = None) -> bool:
    if page in TOWNSHIP_PAGES:
        return township is not None and role != "leader"
    return page in PAGES.get(role, frozenset())


def can(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())


def label(role: str) -> str:
    return ROLES.get(role, role)
