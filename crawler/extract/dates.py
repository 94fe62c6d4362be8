"""Find and parse publication dates in Chinese government pages (pure, no clock).

Handles ``2021-03-01``, ``2021/03/01``, ``2021.03.01``, ``2021年3月1日 10:20``,
``2025年06月03日 13时44分``, ``10∶08`` (U+2236 ratio colon), full-width digits and the labels
发布日期/发布时间/时间/日期/生成日期/成文日期. Twelve-hour times are read as servers print them:
``2024/3/5 下午 02:10:00`` (``上午``/``下午`` before the time, .NET's zh-CN and zh-TW formats) and
``5:54:13 PM`` (after it). A month-first date (``9/17/2004 5:54:13 PM``, .NET's en-US default on
a server whose locale was never changed) counts only right after a date label, where no other
reading is possible; day-first when the first number cannot be a month. All results are
timezone-aware, in China's fixed +08:00 (:data:`crawler.items.CHINA_TIME`, not the historical
offsets of Asia/Shanghai).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from crawler.items import CHINA_TIME
from textkit.normalise import nfkc

SHANGHAI = CHINA_TIME  # the name callers know; a fixed +08:00

#: an optional time after a date: 24-hour, or 12-hour with 上午/下午 before it or AM/PM after it
#: (not the PM of ``PM2.5``, which air-quality notices print right after a time)
_TIME = (
    r"(?:\s*(?P<half>上午|下午)?\s*(?P<H>\d{1,2})\s*[:：∶时]\s*(?P<M>\d{1,2})"
    r"(?:\s*[:：∶分]\s*(?P<S>\d{1,2}))?\s*[分秒]?(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z0-9]))?)?"
)
_DATE = (
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})"
    r"(?!\d)\s*日?" + _TIME
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
#: ``9/17/2004 5:54:13 PM`` right after a label: the year last, month first unless it is > 12
LABELLED_YEAR_LAST_RE = re.compile(
    rf"(?P<label>{_LABEL_ALT})\s*[:：]?\s*[\[【(（]?\s*"
    rf"(?P<date>(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<y>(?:19|20)\d{{2}})(?!\d){_TIME})"
)
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


def _hour(m: re.Match[str]) -> int:
    """The 24-hour hour of a match, its 上午/下午 or AM/PM applied (12 AM is 0, 1 PM is 13)."""
    hour = int(m.group("H")) if m.group("H") else 0
    half = m.group("half") or (m.group("ampm") or "").replace(".", "").upper()
    if half in ("下午", "PM") and hour < 12:
        return hour + 12
    if half in ("上午", "AM") and hour == 12:
        return 0
    return hour


def _build(m: re.Match[str], *, day_first: bool = False) -> datetime | None:
    month, day = int(m.group("m")), int(m.group("d"))
    if day_first:
        month, day = day, month
    try:
        hour = _hour(m)
        minute = int(m.group("M")) if m.group("M") else 0
        second = int(m.group("S")) if m.group("S") else 0
        if hour > 23 or minute > 59 or second > 59:
            hour = minute = second = 0
        return datetime(
            int(m.group("y")),
            month,
            day,
            hour,
            minute,
            second,
            tzinfo=SHANGHAI,
        )
    except ValueError:
        return None


#: an ISO 8601 date-time as meta tags write it (``article:published_time``, ``<time datetime>``)
_ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\S*")


def _iso(text: str) -> datetime | None:
    """``text`` as one ISO 8601 date-time, in China's time: its own offset applied (a ``Z`` time
    after 16:00 is the next day in China), none meaning China's."""
    if not _ISO_RE.fullmatch(text):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)


def parse_date(text: str | None) -> datetime | None:
    """The first date (with time if given) in ``text``; None when there is none. A whole ISO
    8601 date-time (a meta tag's) is read with its offset."""
    if not text:
        return None
    if (iso := _iso(text.strip())) is not None:
        return iso
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
    for m in LABELLED_YEAR_LAST_RE.finditer(norm):
        value = _build(m, day_first=int(m.group("m")) > 12)
        if value is not None:
            raw, label = m.group("date").strip(), m.group("label")
            found.append(DateMatch(value, raw, label, m.start("date")))
    return sorted(found, key=lambda match: match.start)


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
