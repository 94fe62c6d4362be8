"""Body text from the chosen content block: junk blocks cut out, leading headline/info/tool/
breadcrumb lines dropped, the tail cut at 责任编辑/上一篇/分享到/打印 and similar.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement as Element

from crawler.extract.body import is_junk
from crawler.extract.dates import find_dates
from crawler.extract.layout import Layout
from crawler.extract.text import squash, squash_spaces

_TAIL_CUT_RE = re.compile(
    r"^(?:【?\s*(?:打印本页|关闭窗口|打印|关闭|返回顶部|收藏)|分享到|扫一扫|上一篇|下一篇|"
    r"相关(?:新闻|文章|链接|阅读)|责任编辑|【纠错】|附件下载\s*[:：]?$|文件下载\s*[:：]?$)"
)
_ATTACH_LINE_RE = re.compile(r"^(?:相关)?附件(?:下载)?\s*\d*\s*[:：]")
_TOOL_LINE_RE = re.compile(r"字[体号]|打印|分享|关闭|收藏|【\s*[大中小]")
_INFO_LINE_RE = re.compile(
    r"(?:发布日期|发布时间|来源|浏览|阅读|点击|访问|字号|作者|时间|日期).{0,6}[:：]"
)

_CRUMB_SEP_RE = re.compile(r"[>»＞›]")
_CRUMB_TEXT_RE = re.compile(r"^\s*(?:当前位置|您的位置|你的位置|您当前的位置|所在位置|当前的位置)")


def _junk_spans(body_el: Element, layout: Layout) -> list[tuple[int, int]]:
    """Spans of small share/print/related/QR blocks inside the body element."""
    cut: list[tuple[int, int]] = []
    spans = layout.spans
    for child in body_el.iterdescendants():
        span = spans.get(child)
        if span is None or (cut and span[0] < cut[-1][1]):
            continue
        if is_junk(child, layout) and len(squash(layout.text[span[0] : span[1]])) < 200:
            cut.append(span)
    return cut


def _is_head_line(line: str, sq_title: str, index: int) -> bool:
    """A line before the article text: the headline, an info line, tools, a breadcrumb."""
    sq = squash(line)
    if sq_title and (sq == sq_title or (len(sq) > 6 and sq in sq_title)):
        return True
    if len(sq) < 100 and _INFO_LINE_RE.search(line) and (index > 0 or find_dates(line)):
        return True
    if len(sq) < 40 and (_TAIL_CUT_RE.match(line.strip()) or _TOOL_LINE_RE.search(line)):
        return True
    return len(sq) < 80 and bool(_CRUMB_TEXT_RE.match(line) or _CRUMB_SEP_RE.search(line))


def body_text(body_el: Element, title: str | None, layout: Layout) -> tuple[str | None, str]:
    start, end = layout.spans.get(body_el, (0, 0))
    pieces: list[str] = []
    pos = start
    for c_start, c_end in _junk_spans(body_el, layout):
        pieces.append(layout.text[pos:c_start])
        pos = c_end
    pieces.append(layout.text[pos:end])
    lines = squash_spaces("\n".join(pieces)).split("\n")
    # leading headline / info / tool / breadcrumb lines when the block also holds them
    sq_title = squash(title)
    head = 0
    while head < min(len(lines), 8) and _is_head_line(lines[head], sq_title, head):
        head += 1
    lines = lines[head:]
    for i, line in enumerate(lines):
        if i > 0 and _TAIL_CUT_RE.match(line.strip()):
            lines = lines[:i]
            break
    # an attachment list closing the block (附件：1.名单.pdf …) is the attachments field's
    for i in range(max(1, len(lines) - 6), len(lines)):
        if _ATTACH_LINE_RE.match(lines[i]) and sum(map(len, lines[i:])) < 400:
            lines = lines[:i]
            break
    text = "\n".join(lines).strip()
    return (text or None), "density"
