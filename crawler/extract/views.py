"""View counts: parse ``阅览量:16701``, ``浏览次数：1,234``, ``1.2万`` and spot dynamic labels.

A view label whose number is empty or ``-`` (filled in later by a script or AJAX call) is
"dynamic": :func:`find_views` reports it so the counter resolver can fetch the number. Site-wide
counters (总访问量, 今日访问量, 网站总点击量 …) are never an article's views.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from textkit.normalise import nfkc

VIEW_LABELS = (
    "阅览量",
    "阅览次数",
    "阅读量",
    "阅读数",
    "阅读次数",
    "浏览量",
    "浏览次数",
    "浏览数",
    "访问量",
    "访问次数",
    "点击数",
    "点击量",
    "点击次数",
    "点击率",
    "查看次数",
    "访问",
    "浏览",
    "阅读",
    "点击",
    "阅览",
    "人气",
)
_LABEL_ALT = "|".join(sorted(VIEW_LABELS, key=len, reverse=True))
_NUMBER = r"(?P<num>\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>万|千|w|W|k|K)?"
#: words before a label that make it a site-wide counter, not the article's
_SITE_PREFIX = re.compile(r"(?:总|今日|本站|网站|全站|日|月|累计|昨日|在线)\s*$")
LABEL_RE = re.compile(
    rf"(?P<label>{_LABEL_ALT})(?:次数|人次|量|数)?[ \t]*(?P<colon>[:：])?[ \t]*[\[【(（]?[ \t]*"
    rf"(?:{_NUMBER}[ \t]*(?:次|人次)?)?"
)
#: what may follow an empty view label for it to count as "filled in by a script"
_DYNAMIC_AFTER = re.compile(
    r"[ \t]*(?:次|人次)?[ \t]*(?:[-—–]+|$|\n|[|｜】\]）)]|字号|来源|发布|作者|时间|日期|【)"
)
_NUM_RE = re.compile(_NUMBER)


@dataclass(frozen=True)
class ViewsMatch:
    views: int | None
    raw: str
    dynamic: bool
    start: int


_SCALE = {"万": 10000, "w": 10000, "W": 10000, "千": 1000, "k": 1000, "K": 1000}


def _to_int(num: str, unit: str | None) -> int | None:
    """The exact integer: a float would turn 9223372036854775807 into 2**63 (issue 23);
    whether the number fits the database is validation's question, not the parser's."""
    num = num.replace(",", "").replace("，", "")
    if not num or not num[0].isdigit():
        return None
    value = Decimal(num) * _SCALE.get(unit or "", 1)
    return int(value.to_integral_value(ROUND_HALF_EVEN))


def parse_views(text: str | None) -> int | None:
    """The view count in ``text`` (with or without a label); None when there is none."""
    if not text:
        return None
    norm = nfkc(text)
    for m in LABEL_RE.finditer(norm):
        if m.group("num"):
            return _to_int(m.group("num"), m.group("unit"))
        return None
    m2 = _NUM_RE.search(norm)
    if m2 and m2.start() <= 2:
        return _to_int(m2.group("num"), m2.group("unit"))
    return None


def _loose_ok(norm: str, m: re.Match[str]) -> bool:
    """``阅读 1234``: a space before the number and nothing word-like right after it."""
    gap = norm[m.end("label") : m.start("num")]
    after = norm[m.end() : m.end() + 1]
    return bool(gap) and not gap.strip() and (not after or not after.isalnum())


def find_views(text: str) -> list[ViewsMatch]:
    """Article view labels in ``text`` (site counters skipped), static or dynamic."""
    norm = nfkc(text)
    found: list[ViewsMatch] = []
    for m in LABEL_RE.finditer(norm):
        if _SITE_PREFIX.search(norm[max(0, m.start() - 4) : m.start()]):
            continue
        label = m.group("label")
        bare = len(label) < 3 and label not in ("人气",)
        if m.group("num"):
            # a bare 访问/浏览/阅读/点击 needs a colon to count as a label ("阅读全文1")
            if bare and not m.group("colon") and not _loose_ok(norm, m):
                continue
            value = _to_int(m.group("num"), m.group("unit"))
            found.append(ViewsMatch(value, m.group(0).strip(), False, m.start()))
        elif (m.group("colon") or not bare) and _DYNAMIC_AFTER.match(norm, m.end()):
            if bare and not m.group("colon"):
                continue
            found.append(ViewsMatch(None, m.group(0).strip(), True, m.start()))
    return found
