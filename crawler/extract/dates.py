"""Find and parse publication dates in Chinese government pages (pure, no clock).

Handles ``2021-03-01``, ``2021/03/01``, ``2021.03.01``, ``2021年3月1日 10:20``,
``2025年06月03日 13时44分``, ``10∶08`` (U+2236 ratio colon), full-width digits and the labels
发布日期/发布时间/时间/日期/生成日期/成文日期. All results are timezone-aware, in China's fixed
+08:00 (:data:`crawler.items.CHINA_TIME`, not the historical offsets of Asia/Shanghai).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from crawler.items import CHINA_TIME
from textkit.normalise import nfkc

SHANGHAI = CHINA_TIME  # the name callers know; a fixed +08:00

_DATE = (
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})"
    r"(?!\d)\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：∶时]\s*(?P<M>\d{1,2})(?:\s*[:：∶分]\s*(?P<S>\d{1,2}))?\s*[分秒]?)?"
)
DATE_RE = re.compile(_DATE)
#: labels in the order of their reliability for the *publication* date
LABELS = (
    "发布日期",
    "发布时间",
    "发表时间",
    "发表于",
    "发文日期",
    "成文日期",
    "生成日期",
    "更新时间",
    "日期",
    "时间",
)
_LABEL_ALT = "|".join(LABELS)
LABELLED_RE = re.compile(rf"(?P<label>{_LABEL_ALT})\s*[:：]?\s*[\[【(（]?\s*{_DATE}")
#: the date a document was written or generated, not published: it loses to a publication label
DOCUMENT_LABELS = frozenset(["成文日期", "生成日期", "发文日期"])
#: a two-digit year, as some CMS templates print it under the headline (``| 20-06-23 |``):
#: two digits each, one separator repeated, not part of a longer number or a time
_SHORT_DATE_RE = re.compile(
    r"(?<![\d:.\-/])(?P<y>\d{2})(?P<sep>[-/.])(?P<m>[01]\d)(?P=sep)(?P<d>[0-3]\d)(?![\d:.\-/])"
)
_URL_RES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})-?(\d{2})-?/?(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/t\d{8}_"),
)


@dataclass(frozen=True)
class DateMatch:
    value: datetime
    raw: str
    label: str | None
    start: int


def _norm(text: str) -> str:
    # NFKC folds full-width digits/colons; the ratio colon survives NFKC, fold it explicitly
    return nfkc(text).replace("∶", ":")


def _build(m: re.Match[str]) -> datetime | None:
    try:
        hour = int(m.group("H")) if m.group("H") else 0
        minute = int(m.group("M")) if m.group("M") else 0
        second = int(m.group("S")) if m.group("S") else 0
        if hour > 23 or minute > 59 or second > 59:
            hour = minute = second = 0
        return datetime(
            int(m.group("y")),
            int(m.group("m")),
            int(m.group("d")),
            hour,
            minute,
            second,
            tzinfo=SHANGHAI,
        )
    except ValueError:
        return None


def parse_date(text: str | None) -> datetime | None:
    """The first date (with time if given) in ``text``; None when there is none."""
    if not text:
        return None
    for m in DATE_RE.finditer(_norm(text)):
        value = _build(m)
        if value is not None:
            return value
    return None


def find_dates(text: str) -> list[DateMatch]:
    """Every parseable date in ``text`` with its label (if one precedes it) and offset."""
    norm = _norm(text)
    found: list[DateMatch] = []
    labelled_at: dict[int, str] = {}
    for m in LABELLED_RE.finditer(norm):
        labelled_at[m.start("y")] = m.group("label")
    for m in DATE_RE.finditer(norm):
        value = _build(m)
        if value is None:
            continue
        found.append(DateMatch(value, m.group(0).strip(), labelled_at.get(m.start()), m.start()))
    return found


def find_short_date(text: str) -> DateMatch | None:
    """The first two-digit-year date (``20-06-23``) in ``text``, read as 20YY; only for the text
    where the publication date belongs (the info line), never a whole page."""
    for m in _SHORT_DATE_RE.finditer(_norm(text)):
        try:
            value = datetime(2000 + int(m["y"]), int(m["m"]), int(m["d"]), tzinfo=SHANGHAI)
        except ValueError:
            continue
        return DateMatch(value, m.group(0), None, m.start())
    return None


def date_from_url(url: str | None) -> datetime | None:
    """Dates that CMSs put in article URLs (``/t20240310_``, ``/art/2024/3/10/``)."""
    if not url:
        return None
    for pattern in _URL_RES:
        m = pattern.search(url)
        if m:
            try:
                return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=SHANGHAI)
            except ValueError:
                continue
    return None
