"""The public register's page file and the sign-in page's link to it, in a module that imports
nothing: dashboard/auth.py draws the link, dashboard/nav.py registers the page and asks auth who
is signed in, and dashboard/public.py (the page) asks auth for the client's address; with the
names here none of them imports another in a circle (tests/test_architecture.py)."""

PAGE_FILE = "views/public.py"
LINK = "信息公开查询（无需登录）"
