"""Field finders used by :mod:`crawler.extract.article`: the info area around the headline,
date, views, source/author, breadcrumb column and attachments.

Each ``fill_*`` writes the value and its method name into the result's ``methods``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement as Element

from crawler.extract.crumbs import CRUMB_SEP_RE, CRUMB_TEXT_RE, crumb_attrs
from crawler.extract.dates import (
    DOCUMENT_LABELS,
    DateMatch,
    date_from_url,
    find_dates,
    find_short_date,
    parse_date,
)
from crawler.extract.layout import Layout
from crawler.extract.text import inline_text
from crawler.extract.title import headline_end
from crawler.extract.types import ExtractedArticle
from crawler.extract.views import VIEW_LABELS, find_views
from textkit.normalise import nfkc, squash

ATTACH_EXT_RE = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|wps|et|ofd|txt|csv)(?:$|[?#])", re.IGNORECASE
)
#: the next field's label: where a value stops when the info line runs fields together
#: without spaces (``来源：档案馆阅览量:267``)
_NEXT_LABEL = "|".join(["发布", "时间", "日期", "作者", "来源", *VIEW_LABELS, "字号", "字体"])
_VALUE_END = (
    rf"(?=\s|$|[|｜]|{_NEXT_LABEL}|评论|分享|打印|"
    r"【|\[|(?:19|20)\d{2}\s*[-年/.]\s*\d)"
)
_SOURCE_RE = re.compile(
    r"(?:信息来源|文章来源|稿件来源|新闻来源|来源)\s*[:：]\s*(?P<v>[^\s|｜]{1,40}?)" + _VALUE_END
)
#: 作者 may be followed by a colon or just a space (``作者 县融媒体中心``)
_AUTHOR_RE = re.compile(
    r"(?:作者|撰稿|撰文|记者)(?:[ \t]*[:：][ \t]*|[ \t]+)"
    r"(?P<v>(?:(?:记者|通讯员|实习生|文|图)[ \t]+)?[^\s|｜]{1,30}?)" + _VALUE_END
)


# --- areas -----------------------------------------------------------------------------------


def info_area(layout: Layout, title_el: Element | None, body_el: Element | None) -> str:
    """Text between the headline and the body (the info line), or the text before the body."""
    body_start = layout.spans.get(body_el, (len(layout.text), 0))[0] if body_el is not None else 0
    if title_el is not None and title_el in layout.spans:
        t_end = headline_end(layout, title_el)
        if t_end <= body_start:
            return layout.between(t_end, min(body_start, t_end + 600))
        return layout.between(t_end, t_end + 300)
    return layout.between(body_start - 300, body_start)


def before_title(layout: Layout, title_el: Element | None) -> str:
    """Up to 400 characters before the headline (信息公开 tables, date lines above titles)."""
    if title_el is None or title_el not in layout.spans:
        return ""
    start = layout.spans[title_el][0]
    return layout.between(start - 400, start)


_AFTER_STOP_RE = re.compile(
    r"上一篇|下一篇|上一条|下一条|相关(?:新闻|文章|链接|阅读|信息)|热点|推荐阅读|猜你喜欢|"
    r"版权所有|ICP|公网安备|网站标识码|主办单位|Copyright|©"
)


def after_body(layout: Layout, body_el: Element | None) -> str:
    """Up to 300 characters after the body, cut before related lists, prev/next and footers."""
    if body_el is None or body_el not in layout.spans:
        return ""
    end = layout.spans[body_el][1]
    text = layout.between(end, end + 300)
    stop = _AFTER_STOP_RE.search(text)
    return text[: stop.start()] if stop else text


# --- date, views, source, author ---------------------------------------------------------------


def _pick_date(text: str) -> tuple[datetime, str, str] | None:
    """The info line's date: a publication label's first (a document's 成文日期 only when no
    other label is there), else the first date, else a two-digit-year date."""
    matches = find_dates(text)
    labelled = sorted(
        (m for m in matches if m.label), key=lambda m: (m.label in DOCUMENT_LABELS, m.start)
    )
    if labelled:
        m = labelled[0]
        return m.value, m.raw, "label"
    if matches:
        return matches[0].value, matches[0].raw, "info"
    short = find_short_date(text)
    if short is not None:
        return short.value, short.raw, "info-short-year"
    return None


_TIME_RE = re.compile(r"\d\s*[:：∶时]")


def _timed(value: datetime, raw: str, meta: dict[str, str]) -> datetime:
    """The visible date, with the time of meta ``PubDate`` when the page shows the day only
    and meta gives that same day with a time (the visible day wins, meta adds precision)."""
    if _TIME_RE.search(raw) or not meta.get("published"):
        return value
    meta_date = parse_date(meta["published"])
    if (
        meta_date is None
        or meta_date.date() != value.date()
        or not _TIME_RE.search(meta["published"])
    ):
        return value
    return meta_date


#: today's date in a page header (今天是2024年3月5日 星期二) is the day the page was served
_TODAY_BEFORE_RE = re.compile(r"(?:今天|今日|当前|现在)[是为:：]?\s*$")
_WEEKDAY_AFTER_RE = re.compile(r"^\s*(?:星期|周|礼拜)[一二三四五六日天]")
#: what may stand around a date line above the headline: spaces, brackets, separators
_ONLY_PUNCT_RE = re.compile(r"^[\s|｜/\\()（）\[\]【】·•:：,，.。-]*$")


def _date_above_headline(before: str) -> DateMatch | None:
    """A date alone on the line right above the headline (a date bar), unless it reads as the
    day the page was served (今天是…, …星期二). A date in a sidebar row (a link title, a click
    count beside it) is not alone on its line."""
    matches = find_dates(before)
    if not matches:
        return None
    last = matches[-1]
    end = last.start + len(last.raw)
    norm = nfkc(before).replace("∶", ":")
    line_start = norm.rfind("\n", 0, last.start) + 1
    if not _ONLY_PUNCT_RE.match(norm[end:]) or not _ONLY_PUNCT_RE.match(
        norm[line_start : last.start]
    ):
        return None
    if _TODAY_BEFORE_RE.search(norm[: last.start]) or _WEEKDAY_AFTER_RE.match(norm[end:]):
        return None
    return last


def fill_date(
    result: ExtractedArticle,
    info: str,
    after: str,
    layout: Layout,
    meta: dict[str, str],
    url: str | None,
    before: str = "",
) -> None:
    found = _pick_date(info)
    if found:
        result.published_at, result.published_raw = _timed(found[0], found[1], meta), found[1]
        result.methods["published"] = found[2]
        return
    for text, where in ((before, "before-title-label"), (after, "after-body-label")):
        labelled = [m for m in find_dates(text) if m.label]
        if labelled:
            pick = labelled[-1] if where.startswith("before") else labelled[0]
            result.published_at, result.published_raw = _timed(pick.value, pick.raw, meta), pick.raw
            result.methods["published"] = where
            return
    above = _date_above_headline(before)
    if above is not None:
        result.published_at, result.published_raw = _timed(above.value, above.raw, meta), above.raw
        result.methods["published"] = "above-title"
        return
    meta_date = parse_date(meta.get("published"))
    if meta_date is not None:
        result.published_at, result.published_raw = meta_date, meta.get("published")
        result.methods["published"] = "meta"
        return
    url_date = date_from_url(url)
    if url_date is not None:
        result.published_at, result.methods["published"] = url_date, "url"
        return
    labelled = [m for m in find_dates(layout.text) if m.label]
    if labelled:
        result.published_at, result.published_raw = labelled[0].value, labelled[0].raw
        result.methods["published"] = "page-label"


def fill_views(result: ExtractedArticle, info: str, after: str) -> None:
    for text, where in ((info, "label"), (after, "after-body-label")):
        matches = find_views(text)
        static = [m for m in matches if m.views is not None]
        if static:
            result.views, result.views_raw = static[0].views, static[0].raw
            result.methods["views"] = where
            return
        if matches:
            result.views_dynamic, result.views_raw = True, matches[0].raw
            result.methods["views"] = "dynamic-label"
            return


_VALUE_STOP_RE = re.compile(rf"^(?:{_NEXT_LABEL}|信息来源|打印|分享|\d{{4}}[-年/.]\d)")


def _clean_value(value: str) -> str | None:
    value = value.strip(" :：|｜-—【】[]()（）")
    if not value or _VALUE_STOP_RE.match(value):
        return None
    return value


def _labelled(pattern: re.Pattern[str], text: str) -> str | None:
    for m in pattern.finditer(nfkc(text)):
        value = _clean_value(m.group("v"))
        if value:
            return value
    return None


_TAIL_CREDIT_RE = re.compile(
    r"^[（(【\[]?\s*(?:信息来源|文章来源|稿件来源|来源|作者|记者|撰稿)\s*[:：]"
)


def _credit_lines(body: str | None) -> str:
    """The body's closing credit lines (``（来源：县妇联　作者：林小燕）``), if any."""
    if not body:
        return ""
    lines = body.rsplit("\n", 3)[-3:]
    return "\n".join(line for line in lines if _TAIL_CREDIT_RE.match(line.strip()))


def fill_source_author(
    result: ExtractedArticle, info: str, after: str, meta: dict[str, str]
) -> None:
    """Labelled values in the info line, then the body's closing credit line, then meta."""
    credits = _credit_lines(result.body_text)
    for field, pattern in (("source", _SOURCE_RE), ("author", _AUTHOR_RE)):
        value = _labelled(pattern, info)
        method = "label"
        if not value and credits:
            value, method = _labelled(pattern, credits), "body-credit"
        if not value and meta.get(field) and len(meta[field]) <= 30:
            value, method = meta[field], "meta"
        if value:
            setattr(result, field, value)
            result.methods[field] = method


_NOT_COLUMN_RE = re.compile(
    r"^(?:首页|网站首页|主页|返回首页|正文|详情|内容|正文内容|详细内容|文章|"
    r"浏览文章|关闭|打印|返回|更多|当前位置|列表)$"
)


def _last_crumb_is_column(last: str, title: str | None) -> bool:
    """Whether a breadcrumb's unlinked last crumb names a column: short, and not the headline
    (whole, or cut with an ellipsis)."""
    if len(last) > 12 or "…" in last or "..." in last:
        return False
    return not title or not squash(title).startswith(squash(last))


def fill_column(
    result: ExtractedArticle,
    root: Element,
    layout: Layout,
    meta: dict[str, str],
    title: str | None,
) -> None:
    for el, (start, end) in layout.spans.items():
        if end - start > 1500 or end - start < 4 or el.tag in ("html", "body"):
            continue
        if not CRUMB_TEXT_RE.match(layout.text, start):
            attrs = f"{el.get('id') or ''} {el.get('class') or ''}"
            if attrs == " " or not crumb_attrs(attrs):
                continue
        text = layout.text[start:end]
        if len(squash(text)) > 150:
            continue
        if not CRUMB_SEP_RE.search(text) and len(list(el.iter("a"))) < 2:
            continue
        names = [
            inline_text(a)
            for a in el.iter("a")
            if not (a.get("href") or "").lower().startswith("javascript")
        ]
        # the current column is often the last crumb, as text rather than a link
        last = " ".join(CRUMB_SEP_RE.split(text)[-1].split())
        if last and not any(n and n in last for n in names) and _last_crumb_is_column(last, title):
            names.append(last)
        names = [n for n in names if n and not _NOT_COLUMN_RE.match(n)]
        if title:
            names = [n for n in names if squash(n) != squash(title)]
        if names:
            result.column_name, result.methods["column"] = names[-1], "breadcrumb"
            return
    if meta.get("column"):
        result.column_name, result.methods["column"] = meta["column"], "meta"


def attachments(body_el: Element, base: str | None, layout: Layout) -> list[dict[str, str | None]]:
    found: dict[str, str | None] = {}
    scope: list[Element] = [body_el]
    parent = body_el.getparent()
    if parent is not None:
        scope.append(parent)
    for el in scope:
        for a in el.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or not ATTACH_EXT_RE.search(href):
                continue
            absolute = urljoin(base, href) if base else href
            name = inline_text(a) or None
            found.setdefault(absolute, name)
    return [{"url": u, "name": n} for u, n in found.items()]


def add_attachments(
    found: list[dict[str, Any]], more: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``found`` with the records of ``more`` whose URL it does not hold yet, in order."""
    known = {a.get("url") for a in found}
    return found + [a for a in more if a.get("url") not in known]
