"""Find the news/notice/policy columns a portal page links to (pure; no I/O).

Used by ``govnews discover``. A portal's navigation is read in every form CMS templates draw
it: plain ``<a>`` menus (TRS ``<ul>``, Hanweb tables, dropdowns with second-level ``<ul>``s),
"更多" links under a block heading, and menus built by scripts, both HTML written from string
literals (``document.write('<li><a …>')``, ``html += "…"``) and arrays or object literals of
``{name, url}`` records (parsed with chompjs, like the script pagers). Each link's name decides
what it is, by vocabulary rather than by site: navigation noise (首页, 机构概况, 领导信息, 互动交流,
办事服务, English …) is dropped first; a column name (…动态, 要闻, 通知公告, 政策文件 …) gets a
kind (``news``, ``notices``, ``policy``); a channel such as 政务公开 is a hub whose own page may
hold more columns. Whether a column really is a list is for the caller to check on its page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import chompjs
from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.extract.dates import date_from_url
from crawler.extract.linkgroups import DATE_RE

#: names that are navigation, never a column, even when they hold a column word (领导信息)
NOISE_WORDS = (
    "首页", "主页", "机构", "概况", "简介", "领导", "互动", "交流", "办事", "服务", "联系",
    "登录", "登陆", "注册", "english", "login", "无障碍", "地图", "关于我们", "信箱", "留言",
    "咨询", "投诉", "访谈", "调查", "征集", "指南", "年报", "目录", "依申请", "下载", "搜索",
    "长者", "关怀", "繁體", "繁体", "简体", "专题", "专栏", "走进", "版权", "隐私", "声明",
    "帮助", "邮箱", "微信", "微博", "客户端", "app", "rss", "纠错", "统计", "数据开放",
)  # fmt: skip
#: column words by kind, tried in this order (政策文件 before 文件, 通知公告 before 通知)
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "policy",
        ("政策文件", "政策解读", "规范性文件", "政府文件", "政策法规", "文件", "解读", "公报"),
    ),
    ("notices", ("通知公告", "公示公告", "公告公示", "通知通告", "公告", "公示", "通告", "通知")),
    ("news", ("动态", "要闻", "新闻", "资讯", "快讯", "头条", "信息", "热点", "聚焦", "速递")),
)
#: a name ending so is a news column whatever its subject (领导动态 is news, 领导信息 is not)
NEWS_ENDINGS = ("动态", "要闻", "新闻")
#: channels whose landing page lists further columns (政务公开 → 政策文件, 通知公告 …)
HUB_WORDS = ("公开", "政务", "新闻中心", "资讯中心")
#: a column name is short; an article title is long or reads like a sentence
MAX_NAME = 10
_SENTENCE_RE = re.compile(r"[的，,。：:、；;！？!?“”\"]|关于")
_MORE_RE = re.compile(r"^(更多|更多内容|查看更多|more|\+|>>|»|…)+$", re.I)
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_TRIM = " \t\r\n\u3000»>›·•|[]【】()（）+"
_ASSET_RE = re.compile(
    r"\.(jpe?g|png|gif|bmp|svg|ico|css|js|pdf|docx?|xlsx?|pptx?|zip|rar|7z|mp4|mp3|wps|ofd)$",
    re.I,
)
_INDEX_RE = re.compile(r"/(index|default|list|index_0)\.(s?html?|jhtml|jsp|php|aspx?)$", re.I)
_STRING_RE = re.compile(r"'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"")
#: keys of a menu record's name and address (CMS exports: TRS chnlName/chnlUrl and the like)
_NAME_KEYS = ("name", "title", "text", "label", "cname", "channelname", "chnlname", "chnldesc",
              "menuname", "catname", "columnname")  # fmt: skip
_URL_KEYS = ("url", "href", "link", "linkurl", "path", "channelurl", "chnlurl", "columnurl")
_HEADING_CSS = "h1, h2, h3, h4, h5, h6, [class*=tit], [class*=head], [class*=hd], strong, span"
_MAX_SCRIPT = 200_000


@dataclass(frozen=True)
class NavLink:
    """One link a portal page's navigation offers, named and classified."""

    name: str
    url: str
    #: "news", "notices" or "policy" for a column name, None for a hub
    kind: str | None
    #: a channel whose page may list more columns (政务公开), explored one level further
    hub: bool
    #: where it was found: "html", "more" (a 更多 link under a heading) or "script"
    source: str = "html"


def clean_name(text: str) -> str:
    """A link's text without spaces, arrows and brackets (``» 区内动态 >`` -> ``区内动态``)."""
    name = re.sub(r"\s+", "", text).strip(_TRIM)
    if _CJK_RE.search(name):  # 通知公告NOTICE: drop the English caption beside the name
        name = re.sub(r"^[A-Za-z]+|[A-Za-z]+$", "", name).strip(_TRIM)
    return name


def classify(name: str) -> tuple[str | None, bool] | None:
    """``(kind, hub)`` for a link name, or None when it is neither a column nor a hub.

    Noise wins over column words, so 领导信息 and 政务服务 are dropped, unless the name ends as
    news does (领导动态, 机构要闻 report activity); a sentence or a long name is an article
    title (关于……的通知), not a column.
    """
    if not name or len(name) > MAX_NAME or _SENTENCE_RE.search(name):
        return None
    low = name.lower()
    if any(w in low for w in NOISE_WORDS) and not name.endswith(NEWS_ENDINGS):
        return None
    hub = any(w in name for w in HUB_WORDS)
    # 政务公开 / 政府信息公开 are channels of documents, never one column (信息 is no news here)
    words = () if "公开" in name else KIND_WORDS
    kind = next((k for k, ws in words if any(w in name for w in ws)), None)
    if kind is None and not hub:
        return None
    return kind, hub


def column_key(url: str) -> str:
    """One key for the spellings of a column's address (``/qndt/`` = ``/qndt/index.html``)."""
    parts = urlsplit(url)
    path = _INDEX_RE.sub("/", parts.path or "/")
    return urlunsplit(("", (parts.hostname or "").lower(), path, parts.query, ""))


def _absolute(href: str, base: str, host: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#") or re.match(r"(?i)(javascript|mailto|tel|data):", href):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != host:
        return None
    if _ASSET_RE.search(parts.path) or date_from_url(parts.path) is not None:
        return None  # a file or a dated article, never a column
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _more_name(node: LexborNode) -> str:
    """The heading of the block a 更多 link sits in (``<h3>通知公告</h3><a>更多>></a>``)."""
    parent = node.parent
    for _ in range(3):
        if parent is None:
            return ""
        for head in parent.css(_HEADING_CSS):
            name = clean_name(head.text(deep=True))
            if name and not _MORE_RE.match(name) and head.css_first("a") is None:
                return name
        parent = parent.parent
    return ""


def _dated_row(node: LexborNode) -> bool:
    """Whether the link sits in a dated list row: an article (区政府采购中心公告 2024-03-17),
    as a menu item never shows a date."""
    row, parent = node.parent, node.parent
    for _ in range(2):
        if row is None or row.tag in ("li", "tr", "dd", "p"):
            break
        row = row.parent
    if row is None or row.tag not in ("li", "tr", "dd", "p"):
        row = parent  # no list row: the link's own box, when it is a small one
    text = row.text(deep=True) if row is not None else ""
    return len(text) < 200 and bool(DATE_RE.search(text))


def _anchor_links(tree: LexborHTMLParser, base: str, host: str, source: str) -> Iterator[NavLink]:
    for node in tree.css("a[href]"):
        url = _absolute(node.attributes.get("href") or "", base, host)
        if url is None or _dated_row(node):
            continue
        name = clean_name(node.text(deep=True)) or clean_name(node.attributes.get("title") or "")
        if not name:
            img = node.css_first("img[alt]")
            name = clean_name(img.attributes.get("alt") or "") if img is not None else ""
        how = source
        if _MORE_RE.match(name):
            name, how = _more_name(node), "more"
        if (found := classify(name)) is not None:
            yield NavLink(name, url, found[0], found[1], how)


def _unescape_js(literal: str) -> str:
    body = literal[1:-1]
    body = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), body)
    return re.sub(r"\\(.)", r"\1", body)


def _records(value: Any) -> Iterator[tuple[str, str]]:
    """``(name, href)`` pairs in a parsed JS value, in source order: ``{name:…, url:…}``
    objects at any depth (children menus included) and ``["name", "/url/"]`` pairs."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            keys = {str(k).lower(): v for k, v in item.items()}
            name = next((keys[k] for k in _NAME_KEYS if isinstance(keys.get(k), str)), None)
            href = next((keys[k] for k in _URL_KEYS if isinstance(keys.get(k), str)), None)
            if name and href:
                yield name, href
            stack.extend(reversed([v for v in item.values() if isinstance(v, dict | list)]))
        elif isinstance(item, list):
            strs = [v for v in item if isinstance(v, str)]
            if len(item) == 2 and len(strs) == 2:
                name, href = sorted(strs, key=lambda s: ("/" in s or "." in s, s))
                yield name, href
            stack.extend(reversed([v for v in item if isinstance(v, dict | list)]))


def _script_links(tree: LexborHTMLParser, base: str, host: str) -> Iterator[NavLink]:
    for node in tree.css("script"):
        kind = (node.attributes.get("type") or "").lower()
        code = node.text(deep=True) or ""
        if node.attributes.get("src") or "xml" in kind or not code or len(code) > _MAX_SCRIPT:
            continue
        # HTML a script writes: its string literals, joined in order
        written = "".join(_unescape_js(s) for s in _STRING_RE.findall(code))
        if "<a" in written.lower():
            yield from _anchor_links(LexborHTMLParser(written), base, host, "script")
        try:
            values: list[Any] = list(chompjs.parse_js_objects(code, omitempty=True))
        except (ValueError, TypeError):
            continue
        for name, href in _records(values):
            url, cleaned = _absolute(href, base, host), clean_name(name)
            if url is not None and (found := classify(cleaned)) is not None:
                yield NavLink(cleaned, url, found[0], found[1], "script")


def nav_links(html: str, url: str) -> list[NavLink]:
    """The columns and hubs ``html`` (the page at ``url``) links to on its own host, once
    each by :func:`column_key`, in page order; markup before scripts."""
    tree = LexborHTMLParser(html)
    base = url
    base_node = tree.css_first("base[href]")
    if base_node is not None and base_node.attributes.get("href"):
        base = urljoin(url, base_node.attributes.get("href") or "")
    host = (urlsplit(url).hostname or "").lower()
    out: dict[str, NavLink] = {}
    for link in [*_anchor_links(tree, base, host, "html"), *_script_links(tree, base, host)]:
        out.setdefault(column_key(link.url), link)
    return list(out.values())


__all__ = ["NavLink", "classify", "clean_name", "column_key", "nav_links"]
