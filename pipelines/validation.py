"""ValidationPipeline: an article that cannot be stored becomes a RejectItem, never vanishes.

Runs after cleaning. An ``ArticleItem`` without a usable URL, title or body (text, or the images
or attachments of a notice whose content is scans or files), or with a view count no database
column holds, is replaced by a ``RejectItem`` (reason ``bad_url``, ``missing_title``,
``missing_body`` or ``views_out_of_range``) that the storage pipeline writes to ``rejects``;
each reason is counted as ``govnews/validation/<reason>``. A short page that says the article is
gone (``该信息已删除``, ``您访问的页面不存在``: :func:`gone_notice`) is the reject ``gone_page``,
not an article titled "提示信息": storage marks a known article of that URL removed.
A publication date that cannot be right (before 1949, or later than the page was fetched) is
kept as the page gives it, since the raw value is evidence, but flagged in
``methods["published_flag"]`` (``before_1949`` or ``in_future``), with the quality flag
``date_implausible``, and counted as ``govnews/validation/published_<flag>``. Reads no settings.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.items import CHINA_TIME, ArticleItem, RejectItem

logger = logging.getLogger(__name__)
#: ``articles.views`` and ``view_counts.views`` are BIGINT: a larger count (a page showing
#: 10^30) would make the database refuse the row, so it is refused here, with its reason
MAX_VIEWS = 2**63 - 1


def _blank(text: str | None) -> bool:
    """None, empty or whitespace only (what ``str.split`` splits on), without copying a body."""
    return not text or text.isspace()


#: what a CMS puts on the page of a deleted or withdrawn article: a subject (信息, 文章, 页面 …)
#: then "was deleted/withdrawn" or "does not exist", or "cannot find" then a subject
#: at the start of a clause ("部分过期信息已被删除" is a sentence of a real notice)
_SUBJECT = r"(?:信息|文章|内容|页面|网页|稿件|新闻|记录|资源|链接|文档|该文|此文|本文|该条)"
_WHOSE = r"(?:^|(?<=[\W_]))(?:该|此|本|这条|这个|(?:您|你)?所?要?(?:访问|查看|浏览|请求|查找)的)?"
_GONE_RE = re.compile(
    rf"{_WHOSE}{_SUBJECT}[^。！!，,]{{0,6}}?(?:已经?被?|被)(?:删除|撤销|撤回|撤稿|下线|移除|屏蔽)"
    rf"|{_WHOSE}{_SUBJECT}[^。！!，,]{{0,6}}?(?:不存在|已过期|已失效|找不到|未找到|无法(?:访问|找到))"
    rf"|(?:找不到|未找到|没有找到|无法找到)[^。！!，,]{{0,8}}?{_SUBJECT}"
    r"|page not found|404 not found",
    re.IGNORECASE,
)
#: the same words with no subject, when they are all the page says ("对不起，已被删除！")
_BARE_RE = re.compile(
    r"(?:对不起|抱歉|很抱歉|您好|提示|温馨提示)?[\W_]*"
    r"(?:已经?被?(?:删除|撤销|撤回|撤稿|下线|移除)|不存在|已过期)[\W_]*"
)
#: a gone notice is a short page; an article that merely mentions a deletion is longer
GONE_MAX_CHARS = 120


def gone_notice(title: str | None, body: str | None) -> str | None:
    """The words saying the page's article is gone, when the page is only that notice."""
    body = " ".join((body or "").split())
    if len(body) > GONE_MAX_CHARS:
        return None
    if _BARE_RE.fullmatch(body.replace(" ", "")):
        return body
    for text in (body, title or ""):
        if match := _GONE_RE.search(text):
            return match.group(0)
    return None


def rejection(item: ArticleItem) -> tuple[str, str] | None:
    """(reason, detail) when ``item`` must not be stored as an article, else None."""
    parts = urlsplit(item.url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "bad_url", f"not an absolute http(s) URL: {item.url!r}"[:500]
    if item.body_kind == "text" and (notice := gone_notice(item.title, item.body_text)):
        return "gone_page", f"the page says the article is gone: {notice}"[:500]
    if _blank(item.title):
        return "missing_title", "no title after cleaning"
    if not item.has_body:
        return "missing_body", f"no body text after cleaning (title {item.title!r})"[:500]
    if item.views is not None and not 0 <= item.views <= MAX_VIEWS:
        return "views_out_of_range", f"view count {item.views} (raw {item.views_raw!r})"[:500]
    return None


#: the earliest year a government news page can plausibly date an article in
EARLIEST_YEAR = 1949
#: how far past the fetch a date may lie (a page dated "tomorrow" by a clock a few hours ahead)
FUTURE_SLACK = timedelta(days=1)


def date_flag(item: ArticleItem, now: datetime | None = None) -> str | None:
    """``before_1949`` or ``in_future`` when ``item``'s publication date cannot be right."""
    published = item.published_at
    if published is None:
        return None
    if published.tzinfo is None:
        published = published.replace(tzinfo=CHINA_TIME)
    if published.astimezone(CHINA_TIME).year < EARLIEST_YEAR:
        return f"before_{EARLIEST_YEAR}"
    if published > (now or item.fetched_at or datetime.now(UTC)) + FUTURE_SLACK:
        return "in_future"
    return None


class ValidationPipeline:
    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        found = rejection(item)
        if found is None:
            flag = date_flag(item)
            if flag is not None:
                item.methods["published_flag"] = flag
                # an implausible date is a low-confidence one (articles.quality)
                item.quality = sorted({*item.quality, "date_implausible"})
            if self.stats is not None:
                self.stats.inc_value("govnews/validation/ok")
                if flag is not None:
                    self.stats.inc_value(f"govnews/validation/published_{flag}")
            return item
        reason, detail = found
        if self.stats is not None:
            self.stats.inc_value(f"govnews/validation/{reason}")
        logger.info("rejected %s: %s", item.url, reason)
        return RejectItem(url=item.url, site=item.site, reason=reason, detail=detail)
