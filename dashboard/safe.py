"""Text from users or data, made safe to show: st.markdown (and every label, caption, alert and help
text, which Streamlit renders as Markdown) or HTML.

Names in the data, URL parameters, file and sheet names, SQL and error messages are shown as typed:
`[登录已过期](http://evil)` must stay text, not become a link, and `<img onerror=...>` must not
become an element. One helper for Markdown (md) and one for HTML (html_text), used wherever such a
value is put into a string that Streamlit renders.
"""

from __future__ import annotations

import html
import re

# Inline Markdown in Streamlit starts only at these characters: backslash escapes, code, emphasis,
# strikethrough, links, images and footnotes ([ ]), Streamlit's :colour[...] (needs [), math ($),
# tables (|) and braces. They are backslash-escaped wherever they are. < > & are HTML-escaped
# (raw HTML and <http://...> autolinks). ( ) ! . # + - = are Markdown only in a place the others
# already rule out (after an escaped ]) or at the start of a line: escaping them there only keeps
# sentences like "增长12.8%" readable as source, which tests and logs compare with.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~$])")
# At the start of a line: a heading (#), a list item (- + or 1. 1)), a setext underline or a
# thematic break (= -); a quote's > is already &gt;.
_BLOCK_START = re.compile(r"^(\s*)(?:([#+\-=])|(\d{1,9})([.)]))")
# Streamlit's Markdown (remark-gfm) also turns bare http://…, www.… and a@b.c in the text into
# links, after escapes are resolved, so escaping cannot stop it: an invisible WORD JOINER after
# http/https/www and after @ breaks the pattern and leaves the text as it reads.
_AUTOLINK = re.compile(r"(?i)(https?(?=:)|www(?=\.)|@)")
_JOINER = "\u2060"


def md(text: object) -> str:
    """`text` (any value; None is empty) as Markdown that renders exactly as the text.

    HTML-escaped first (& < >: raw HTML never starts, also where unsafe_allow_html=True), then
    Markdown specials backslash-escaped; the entities it made (&lt;) still render as < >. Line
    breaks become spaces, and a leading #, -, +, = or "1." is escaped: a value never starts a
    heading, list or quote of its own. Bare URLs and e-mail addresses stay text (see _AUTOLINK).
    """
    raw = "" if text is None else str(text)
    raw = re.sub(r"[\r\n]+", " ", raw)
    raw = _AUTOLINK.sub(lambda m: m.group(1) + _JOINER, raw)
    out = _MD_SPECIAL.sub(r"\\\1", html.escape(raw, quote=False))
    return _BLOCK_START.sub(
        lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"),
        out,
        count=1,
    )


def html_text(text: object) -> str:
    """`text` for an HTML body or attribute value (& < > " ' escaped)."""
    return html.escape("" if text is None else str(text), quote=True)
