"""信息公开查询: the public register, open without signing in (dashboard/public.py)."""

from dashboard import auth, public

public.page(auth.current_or_none())
