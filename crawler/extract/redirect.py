"""A page that only sends the reader on by script, or shows its article in a frame: where to.

CMSs publish a 链接型 document (an article that lives at another address, often a city or
province portal's copy) as a page of their own whose script moves the browser on:
``<script>window.location.href="…";</script>``, ``location.replace('…')``, or
``<body onload="location='…'">``. The spider follows it as it follows an HTTP or
``<meta http-equiv="refresh">`` redirect, and the article is stored under the address it lands
on, with the listed address as its alias.

Only a page with next to no text of its own counts: its body, if any, under :data:`MAX_BODY`
characters (a "页面跳转中，请稍候" line) and its whole visible text under :data:`MAX_TEXT` (so a
portal page whose search box script assigns ``location`` is never one); and only one target: a
page naming two places to go is not a redirect. Pure.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml.html import HtmlElement as Element

from crawler.extract.html import parse_html
from crawler.extract.layout import build_layout
from crawler.extract.media import player_kind
from textkit.normalise import squash

#: visible characters (spaces squashed) a redirect page may show: a "正在跳转…" line, a title
MAX_TEXT = 200
#: characters of body text (squashed) a redirect page may have: "如果页面没有自动跳转，请点击这里"
MAX_BODY = 50
#: ``[window.|top.|self.|parent.|document.]location[.href] = "URL"`` or
#: ``location.replace|assign("URL")``, the URL a whole string literal (not ``'?q=' + term``)
_ASSIGN_RE = re.compile(
    r"(?:\b(?:window|top|self|parent|document)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=\s*"
    r"(?P<q>['\"])(?P<url>[^'\"\s]+)(?P=q)(?!\s*\+)"
    r"|\blocation\s*\.\s*(?:replace|assign)\s*\(\s*(?P<q2>['\"])(?P<url2>[^'\"\s]+)(?P=q2)\s*\)"
)


def script_targets(root: Element) -> list[str]:
    """The URLs the page's scripts and ``onload`` handlers send the browser to, in order."""
    sources = [el.text or "" for el in root.iter("script")]
    sources += [el.get("onload") or "" for el in root.iter("body")]
    found: list[str] = []
    for source in sources:
        for m in _ASSIGN_RE.finditer(source):
            found.append(m.group("url") or m.group("url2"))
    return list(dict.fromkeys(found))


def script_redirect(html: str, base: str, body_text: str | None) -> str | None:
    """The absolute URL a text-less page (``body_text`` is what extraction found) sends the
    reader to by script, or None."""
    if len(squash(body_text)) >= MAX_BODY:
        return None
    root = parse_html(html)
    if len(squash(build_layout(root).text)) >= MAX_TEXT:
        return None
    targets = [t for t in script_targets(root) if not t.startswith(("#", "javascript:"))]
    return _elsewhere(base, targets)


#: a frame's address that shows a page (not an image, a player, a script URL)
_PAGE_SRC_RE = re.compile(
    r"^(?!javascript:|about:|data:)[^?#]*?(?:/|/[^/.]+|\.(?:s?html?|jhtml|jsp|aspx?|php|do))(?:[?#].*)?$",
    re.IGNORECASE,
)


def frame_page(html: str, base: str, body_text: str | None) -> str | None:
    """The page a text-less article shows in a frame (``<iframe src="content_123.html">``:
    older portals framed the article's text into a page holding its headline and date), or
    None. Only a page with (next to) no body of its own, and only when exactly one frame on it
    shows a page: players, maps of images and script URLs do not count."""
    if len(squash(body_text)) >= MAX_BODY or "<iframe" not in html.lower():
        return None
    frames = [
        src
        for el in parse_html(html).iter("iframe")
        if (src := (el.get("src") or "").strip())
        and _PAGE_SRC_RE.match(src)
        and player_kind(el) is None
    ]
    return _elsewhere(base, frames)


def _elsewhere(base: str, found: list[str]) -> str | None:
    """The one address in ``found``, absolute, when it is a web page other than ``base``."""
    if len(found) != 1:
        return None
    target = urljoin(base, found[0])
    return target if target.startswith(("http://", "https://")) and target != base else None


__all__ = ["MAX_BODY", "MAX_TEXT", "frame_page", "script_redirect", "script_targets"]
