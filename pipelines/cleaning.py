"""Cleaning: pure text normalisers and the ``CleaningPipeline`` that applies them to articles.

- whitespace: nbsp, full-width space, zero-width and control characters, runs of spaces,
  blank lines;
- doubled quotation marks left by CMS editors (``““十三五””`` -> ``“十三五”``);
- boilerplate lines (字号 放大/缩小, 打印本页, 关闭窗口, 分享到, 扫一扫/QR-code labels, footer
  navigation) dropped from body text;
- body HTML sanitised (no script/style/iframe, event handlers or ``javascript:`` URLs).

``CleaningPipeline`` cleans :class:`~crawler.items.ArticleItem` and passes other items through.
:func:`clean_item` is the one way an item is cleaned: the spider's extraction worker calls it
beside extraction (off the reactor thread, the crawl's bottleneck), and the pipeline calls it
for any item that arrives uncleaned (``ArticleItem.cleaned`` is None). Stats:
``govnews/cleaning/items``, ``govnews/cleaning/boilerplate_lines``,
``govnews/cleaning/quotes_collapsed``. It reads no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from crawler.items import ArticleItem
from pipelines.fingerprint import item_content_hash
from textkit.sanitise import clean_html

#: zero-width characters and C0/DEL control characters (not tab/newline/CR/VT/FF, which the
#: whitespace rules below fold): invisible in a browser, noise in the database
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f"
_ZERO_WIDTH_RE = re.compile(f"[{_INVISIBLE}]")
#: the same in body HTML, plus VT/FF (no whitespace rule folds them there; lxml cannot hold them)
_HTML_JUNK_RE = re.compile(f"[{_INVISIBLE}\x0b\x0c]")
_SPACE_RE = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANKS_RE = re.compile(r"\n\s*\n+")
#: a run of the same curly quotation mark (one pass over the text for all four)
_DOUBLED_QUOTE_RE = re.compile(r"([“”‘’])\1+")
#: a whole line that is page furniture, not article text
BOILERPLATE_LINE_RE = re.compile(
    r"^[\s【\[(（]*(?:"
    r"字号\s*[:：]?\s*(?:[+＋]?\s*放大|[-－]?\s*缩小|大|中|小|默认|\s)*|"
    r"[+＋]?\s*放大|[-－]?\s*缩小|[大中小](?:\s+[大中小]){1,2}|"
    r"打印本页|打印此页|打印文章|打印|关闭窗口|关闭本页|关闭|返回顶部|回到顶部|返回首页|收藏本页|"
    r"加入收藏|设为首页|分享到\s*[:：]?.*|分享\s*[:：]?|扫一扫.{0,20}|"
    r"(?:微信|手机)?扫(?:描|码|一扫)?.{0,12}(?:二维码|分享|手机(?:上)?(?:打开|阅读|浏览)).{0,12}|"
    r"(?:用)?微信扫.{0,16}|二维码|微信|微博|QQ空间|朋友圈|复制链接|"
    r"(?:网站地图|联系我们|关于我们|免责声明|隐私(?:政策|声明)|使用帮助)(?:\s*[|｜]\s*\S{2,6})*"
    r")[\s】\]）)]*$",
    re.IGNORECASE,
)


def normalise_whitespace(text: str) -> str:
    """nbsp/full-width/zero-width spaces folded, spaces collapsed, lines stripped, no blanks."""
    text = _ZERO_WIDTH_RE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACE_RE.sub(" ", text)
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def collapse_quotes(text: str) -> str:
    """``““十三五””`` -> ``“十三五”`` (CMS editors double them by pasting)."""
    return _DOUBLED_QUOTE_RE.sub(r"\1", text)


def is_boilerplate_line(line: str) -> bool:
    return bool(BOILERPLATE_LINE_RE.match(line.strip()))


def strip_boilerplate(text: str) -> tuple[str, int]:
    """Drop boilerplate lines; return the text and how many lines went."""
    kept: list[str] = []
    dropped = 0
    for line in text.split("\n"):
        if line.strip() and is_boilerplate_line(line):
            dropped += 1
        else:
            kept.append(line)
    return "\n".join(kept), dropped


def clean_text(value: str | None) -> str | None:
    """A one-line field (title, source, author, column): whitespace and quotes; None if empty."""
    if value is None:
        return None
    value = collapse_quotes(" ".join(normalise_whitespace(value).split()))
    return value or None


def clean_body_text(value: str | None) -> tuple[str | None, int]:
    """Body text: whitespace, quotes, boilerplate lines. Returns (text or None, lines dropped)."""
    if value is None:
        return None, 0
    # dropping whole lines of normalised text leaves it normalised: one whitespace pass
    text, dropped = strip_boilerplate(normalise_whitespace(value))
    text = collapse_quotes(text)
    return (text or None), dropped


def sanitise_body_html(value: str | None) -> str | None:
    """Body HTML without scripts, styles, frames, event handlers or unsafe URLs (nh3, the same
    rule as the extractor's), invisible characters dropped and doubled quotes collapsed."""
    if not value or not value.strip():
        return None
    return collapse_quotes(_HTML_JUNK_RE.sub("", clean_html(value))) or None


@dataclass
class CleanedFields:
    title: str | None
    body_text: str | None
    body_html: str | None
    source: str | None
    author: str | None
    column: str | None
    boilerplate_lines: int = 0


def clean_article_fields(
    *,
    title: str | None,
    body_text: str | None,
    body_html: str | None = None,
    source: str | None = None,
    author: str | None = None,
    column: str | None = None,
) -> CleanedFields:
    """Clean the text fields of one article (used by the pipeline and ``govnews extract``)."""
    body, dropped = clean_body_text(body_text)
    return CleanedFields(
        title=clean_text(title),
        body_text=body,
        body_html=sanitise_body_html(body_html),
        source=clean_text(source),
        author=clean_text(author),
        column=clean_text(column),
        boilerplate_lines=dropped,
    )


def clean_item(item: ArticleItem) -> tuple[int, int]:
    """Clean ``item``'s text fields in place and set its content hash; returns (and records in
    ``item.cleaned``) how many boilerplate lines went and how many doubled quotes."""
    body = item.body_text or ""
    quotes = body.count("““") + body.count("””")
    cleaned = clean_article_fields(
        title=item.title,
        body_text=item.body_text,
        body_html=item.body_html,
        source=item.source,
        author=item.author,
        column=item.column_name,
    )
    item.title = cleaned.title
    item.body_text = cleaned.body_text
    item.body_html = cleaned.body_html
    item.source = cleaned.source
    item.author = cleaned.author
    item.column_name = cleaned.column
    item.content_hash = item_content_hash(item)
    item.cleaned = (cleaned.boilerplate_lines, quotes)
    return item.cleaned


class _Stats(Protocol):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


class CleaningPipeline:
    """Scrapy item pipeline: clean :class:`ArticleItem` text fields, pass anything else on."""

    def __init__(self, stats: _Stats | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> CleaningPipeline:
        return cls(stats=getattr(crawler, "stats", None))

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(f"govnews/cleaning/{key}", count)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        boilerplate, quotes = item.cleaned if item.cleaned is not None else clean_item(item)
        self._inc("items")
        self._inc("boilerplate_lines", boilerplate)
        self._inc("quotes_collapsed", quotes)
        return item
