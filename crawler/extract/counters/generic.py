"""The generic counter resolver (a counter ``<script src>`` next to a view label) and the
profile-driven one (a site profile's ``[views]`` table: resolver, url_template, pattern,
self_increments).

A generic counter's behaviour is unknown, so it is assumed to add a hit (most do): the stored
value is then at most one below the truth instead of one above it.
"""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import quote, urlsplit

from crawler.extract.counters.base import CounterRequest, Resolver, absolute, script_srcs
from crawler.extract.views import VIEW_LABELS

VIEW_LABEL_RE = re.compile("|".join(sorted(VIEW_LABELS, key=len, reverse=True)))
#: words before a label that make it a site-wide counter, not the article's
SITE_PREFIX = re.compile(r"(?:总|今日|本站|网站|全站|累计|昨日|在线|字号|无障碍)\s*$")
#: how far after a label the counter script may start (characters of HTML)
_NEAR = 400
_COUNTERISH = re.compile(
    r"hits?(?![a-z])|count|click|views?(?![a-z])|visit|readnum|readcount|pv(?![a-z])|browse|"
    r"liulan|dianji|djl|llcs",
    re.I,
)
_LIBRARY = re.compile(r"jquery|bootstrap|vue|layui|swiper|share|common|jiucuo|wza|aria", re.I)
#: endpoints that record a visit rather than display a count: never requested
NEVER = re.compile(r"visitcount/visit\.jsp|/visit\.jsp", re.I)


def _is_counter_src(src: str) -> bool:
    if not src or NEVER.search(src) or src.startswith(("data:", "javascript:")):
        return False
    parts = urlsplit(src)
    name = parts.path.rsplit("/", 1)[-1]
    if _LIBRARY.search(name):
        return False
    return bool(_COUNTERISH.search(name) or _COUNTERISH.search(parts.query))


class GenericResolver(Resolver):
    name: ClassVar[str] = "generic"
    self_increments: ClassVar[bool] = True

    def find(self, html: str, url: str) -> CounterRequest | None:
        srcs = [(pos, src) for pos, src in script_srcs(html) if _is_counter_src(src)]
        if not srcs:
            return None
        for label in VIEW_LABEL_RE.finditer(html):
            if SITE_PREFIX.search(html[max(0, label.start() - 8) : label.start()]):
                continue
            gap_end = label.end() + _NEAR
            for pos, src in srcs:
                if label.end() <= pos <= gap_end and not re.search(
                    r"\d", _strip_tags(html[label.end() : pos])
                ):
                    return self.request(absolute(url, src))
        return None


def _strip_tags(fragment: str) -> str:
    return re.sub(r"<[^>]*>|&\w+;|&#\d+;", "", fragment)


class ProfileResolver(Resolver):
    """``[views] url_template = "/hits.php?id={1}"`` with ``pattern = 'art_(\\d+)'``.

    ``pattern`` is searched in the page HTML, then in the page URL; its groups fill the template
    (``{1}``, ``{name}``), as do ``{url}`` (the page URL, quoted) and ``{host}``.
    """

    name: ClassVar[str] = "profile"
    self_increments: ClassVar[bool] = True

    def __init__(self, template: str, pattern: str | None, self_increments: bool | None) -> None:
        self.template = template
        self.pattern = re.compile(pattern) if pattern else None
        self.increments = True if self_increments is None else self_increments

    def find(self, html: str, url: str) -> CounterRequest | None:
        groups: list[str] = []
        named: dict[str, str] = {}
        if self.pattern is not None:
            m = self.pattern.search(html) or self.pattern.search(url)
            if m is None:
                return None
            groups = [m.group(0), *(g or "" for g in m.groups())]
            named = {k: v or "" for k, v in m.groupdict().items()}
        named.setdefault("url", quote(url, safe=""))
        named.setdefault("host", urlsplit(url).netloc)
        try:
            ref = self.template.format(*groups, **named)
        except (IndexError, KeyError):
            return None
        return CounterRequest(self.name, absolute(url, ref), self.increments)
