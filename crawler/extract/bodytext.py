"""Body text from the chosen content block: junk blocks cut out, leading headline/info/tool/
breadcrumb lines dropped, the tail cut at 责任编辑/上一篇/分享到/打印 and similar.

The block's HTML is cut at the same places (:func:`trim_body_html`): the chosen block often
holds the headline and the info line too, and ``body_html`` should not repeat them.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lxml.html import HtmlElement as Element

from crawler.extract.body import is_junk
from crawler.extract.crumbs import CRUMB_SEP_RE, CRUMB_TEXT_RE
from crawler.extract.dates import find_dates
from crawler.extract.layout import Layout
from textkit.normalise import squash, squash_line

_TAIL_CUT_RE = re.compile(
    r"^(?:【?\s*(?:打印本页|关闭窗口|打印|关闭|返回顶部|收藏)|分享到|扫一扫|上一篇|下一篇|"
    r"相关(?:新闻|文章|链接|阅读|报道)|责任编辑|【纠错】|附件下载\s*[:：]?$|文件下载\s*[:：]?$)"
)
#: a comment thread's heading (发表评论, 网友评论 …) or a legal notice's (版权声明 …) on a line of
#: its own: what follows is the site's, not the article's. Only after some prose: the same words
#: are links in a tool bar above the text.
_TAIL_AFTER_PROSE_RE = re.compile(
    r"^(?:(?:发表|查看|热门|最新|网友|全部|我要)评论|(?:反侵权|版权|免责|著作权)(?:公告|声明))"
    r"\s*[:：]?$"
)
#: a line this long (squashed) is prose
_PROSE_LINE = 40
_ATTACH_LINE_RE = re.compile(r"^(?:相关)?附件(?:下载)?\s*\d*\s*[:：]")
_TOOL_LINE_RE = re.compile(r"字[体号]|打印|分享|关闭|收藏|【\s*[大中小]|^\s*[大中小]\s*$")
_INFO_LINE_RE = re.compile(
    r"(?:发布日期|发布时间|来源|浏览|阅读|点击|访问|字号|作者|时间|日期).{0,6}[:：]"
)

#: info labels of a publication (not 时间/日期 alone, which notices use in their text, nor a
#: chart's 数据来源/资料来源/图片来源)
_PUBLICATION_LABEL_RE = re.compile(
    r"(?:发布|(?<!数据)(?<!资料)(?<!图片)来源|浏览|阅读|点击|访问|字号|作者).{0,6}[:：]"
)
#: a line that is only a date (a weekday, a time), squashed
_DATE_LINE_RE = re.compile(
    r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:星期[一二三四五六日天])?(?:\d{1,2}:\d{2}(?::\d{2})?)?$"
)
#: a byline (见习记者 王一凡, 本报记者 … 通讯员 …): a short line without sentence punctuation
_BYLINE_RE = re.compile(
    r"^[（(]?(?:本报|本台|本网|特约|见习)?(?:记者|通讯员|实习生)[:：]?[^，。；！？,;!?]+$"
)
_STRONG, _WEAK = 2, 1
#: leading lines looked at for head lines, and the length (squashed) of a skippable other line
_HEAD_WINDOW, _SHORT_LINE = 16, 30


def _junk_blocks(body_el: Element, layout: Layout) -> list[tuple[Element, tuple[int, int]]]:
    """Small share/print/related/QR blocks inside the body element, with their spans."""
    cut: list[tuple[Element, tuple[int, int]]] = []
    spans = layout.spans
    for child in body_el.iterdescendants():
        span = spans.get(child)
        if span is None or (cut and span[0] < cut[-1][1][1]):
            continue
        if is_junk(child, layout) and len(squash(layout.text[span[0] : span[1]])) < 200:
            cut.append((child, span))
    return cut


class _Line(NamedTuple):
    text: str
    start: int
    end: int


def _head_line(line: str, sq_title: str, index: int) -> int:
    """Whether a line belongs before the article text: :data:`_STRONG` for the headline or a
    publication info line (来源/发布时间/浏览 …), :data:`_WEAK` for other info, tool, date and
    breadcrumb lines, 0 for text."""
    sq = squash(line)
    if sq_title and (sq == sq_title or (len(sq) > 6 and sq in sq_title)):
        return _STRONG
    if len(sq) < 100 and _INFO_LINE_RE.search(line):
        if _PUBLICATION_LABEL_RE.search(line):
            return _STRONG
        if index > 0 or find_dates(line):  # 时间/日期 also open a notice: first, only with a date
            return _WEAK
    if len(sq) < 40 and (
        _TAIL_CUT_RE.match(line.strip())
        or _TOOL_LINE_RE.search(line)
        or _DATE_LINE_RE.match(sq)
        or (len(sq) <= _SHORT_LINE and _BYLINE_RE.match(sq))
    ):
        return _WEAK
    if len(sq) < 80 and (CRUMB_TEXT_RE.match(line) or CRUMB_SEP_RE.search(line)):
        return _WEAK
    return 0


def _head_count(lines: list[_Line], sq_title: str) -> int:
    """How many leading lines are not article text.

    Head lines at the top go. So do short lines of other kinds (a column name, the labels and
    values of a disclosure table: 索引号, 发布机构 …) when a headline or a publication info line
    comes after them, within the first :data:`_HEAD_WINDOW` lines.
    """
    head = 0
    for i, line in enumerate(lines[:_HEAD_WINDOW]):
        kind = _head_line(line.text, sq_title, i)
        if kind == _STRONG or (kind and i == head):
            head = i + 1
        elif not kind and len(squash(line.text)) > _SHORT_LINE:
            break
    return head


class BodyText(NamedTuple):
    """The article text of a body block, and where in the page's layout it was cut.

    Offsets are in :attr:`Layout.text`; :func:`trim_body_html` cuts the block's HTML at the same
    places, so that ``body_html`` holds what ``body_text`` holds (no headline, info line, tools
    or share/print blocks), attachment lists and images included.
    """

    text: str | None
    method: str
    #: where the first kept line starts, and where the last dropped leading line ends (-1: none)
    kept_start: int = 0
    head_end: int = -1
    #: where the first line of the cut-off tail (打印本页, 上一篇 …) starts; -1 when none
    tail_start: int = -1
    junk: tuple[Element, ...] = ()


def _lines(layout: Layout, start: int, end: int, cut: list[tuple[int, int]]) -> list[_Line]:
    """The block's non-blank lines (spaces squashed) with their raw offsets in the layout."""
    lines: list[_Line] = []
    text = layout.text
    pos = start
    for piece_start, piece_end in [*cut, (end, end)]:
        line_start = pos
        for raw in text[pos:piece_start].split("\n"):
            line = squash_line(raw)
            if line:
                lines.append(_Line(line, line_start, line_start + len(raw)))
            line_start += len(raw) + 1
        pos = piece_end
    return lines


def body_text(body_el: Element, title: str | None, layout: Layout) -> BodyText:
    start, end = layout.spans.get(body_el, (0, 0))
    junk = _junk_blocks(body_el, layout)
    lines = _lines(layout, start, end, [span for _, span in junk])
    # leading headline / info / tool / breadcrumb lines when the block also holds them
    head = _head_count(lines, squash(title))
    head_end = lines[head - 1].end if head else -1
    kept = lines[head:]
    tail_start = -1
    prose_seen = False
    for i, line in enumerate(kept):
        text = line.text.strip()
        if i > 0 and (
            _TAIL_CUT_RE.match(text) or (prose_seen and _TAIL_AFTER_PROSE_RE.match(text))
        ):
            tail_start = line.start
            kept = kept[:i]
            break
        prose_seen = prose_seen or len(squash(text)) >= _PROSE_LINE
    # an attachment list closing the block (附件：1.名单.pdf …) is the attachments field's
    for i in range(max(1, len(kept) - 6), len(kept)):
        if _ATTACH_LINE_RE.match(kept[i].text) and sum(len(x.text) for x in kept[i:]) < 400:
            kept = kept[:i]
            break
    text = "\n".join(line.text for line in kept).strip()
    return BodyText(
        text or None,
        "density",
        kept_start=kept[0].start if kept else end,
        head_end=head_end,
        tail_start=tail_start,
        junk=tuple(el for el, _ in junk),
    )


#: content that has no text of its own: kept between the last leading line and the text
_MEDIA_TAGS = frozenset(["img", "picture", "video", "audio", "embed", "object", "iframe", "svg"])


def _has_media(el: Element) -> bool:
    return el.tag in _MEDIA_TAGS or next(el.iterdescendants(*_MEDIA_TAGS), None) is not None


def trim_body_html(body_el: Element, layout: Layout, body: BodyText) -> None:
    """Cut from ``body_el`` (in place) what :func:`body_text` left out of the text.

    Dropped: the share/print blocks, hidden elements, elements whose text lies wholly in the
    leading lines (headline, info line, 字号 tools, breadcrumb) or in the cut-off tail
    (打印本页, 上一篇 …), and such text directly inside a kept element. Elements that straddle a
    cut stay whole, an element without text (an image, a line break) stays unless it sits
    among the leading lines or in the tail, and the closing attachment list stays (its links
    are content). Only elements that reach into a cut are descended into: most of the body is
    never visited.
    """
    kept_start, head_end, tail_start = body.kept_start, body.head_end, body.tail_start
    # hidden copies: the sanitiser drops the style that hides them, so they would show
    hidden = [el for el in layout.hidden if any(a is body_el for a in el.iterancestors())]
    if head_end < 0 and tail_start < 0 and not body.junk and not hidden:
        return  # the text left nothing of the block out
    spans, text = layout.spans, layout.text
    tail = tail_start if tail_start >= 0 else len(text) + 1

    def cut_text(start: int, value: str | None) -> bool:
        if not value or value.isspace():
            return False
        return start + len(value) <= kept_start or start >= tail

    drop: list[Element] = [*body.junk, *hidden]
    blank_tails: list[Element] = []
    own = spans.get(body_el)
    if own is not None and cut_text(own[0], body_el.text):
        body_el.text = None
    stack = list(body_el)
    while stack:
        el = stack.pop()
        span = spans.get(el)
        if span is None:
            continue  # hidden (in `drop` already) or script/style (the sanitiser's)
        start, end = span
        if cut_text(end, el.tail):
            blank_tails.append(el)
        if start >= tail:
            drop.append(el)
        elif end <= kept_start:
            # its text is all among the leading lines; without text: a line break or spacer
            # goes, an image after the leading lines stays
            if text[start:end].strip() or start <= head_end or not _has_media(el):
                drop.append(el)
        elif start < kept_start or end > tail:
            if cut_text(start, el.text):
                el.text = None
            stack.extend(el)  # it reaches into a cut: look at its children
    for el in blank_tails:
        el.tail = None
    for el in drop:
        if el.getparent() is not None:  # a junk block may also lie in a cut: dropped once
            el.drop_tree()  # its tail (kept unless blanked above) joins the text before it
