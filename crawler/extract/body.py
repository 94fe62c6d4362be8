"""Find the article's main content block by text density and structure.

Every visible text line (a :class:`~crawler.extract.layout.Unit`) gets a weight: long or
punctuated, mostly non-link lines are content (positive, by character count), link lists and short
labels are boilerplate (negative). An element's score is the sum of the weights of the lines
inside it, so the best element is the tightest container holding the content and little else -
a maximum-subtree choice that needs no fixed container names. Known content containers
(``TRS_Editor``, ``#zoom``, ``#UCAP-CONTENT``, ``.article-content`` …) get a bonus as strong
hints; lines inside share/print/related/QR blocks are penalised.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from lxml import html as lxml_html

from crawler.extract.layout import Layout, Unit

CONTENT_HINT_RE = re.compile(
    r"TRS_Editor|TRS_UEDITOR|\bzoom\b|UCAP-CONTENT|article[-_]?content|art[-_]?con|"
    r"news[-_]?content|content[-_]?(?:text|body|main|con)|\bcontent\b|detail[-_]?(?:con|content|"
    r"text|main)|\bwzzw\b|\bzw\b|\bnr\b|\bbody[-_]?text\b|\barticle\b|\bfontzoom\b|\bcontents?\b|"
    r"\bBodyLabel\b|\bcon_?text\b|\bartibody\b|\bmain[-_]?text\b|\bpages?_?content\b|"
    r"\btextarea\b|\bwznr\b|\bxwnr\b|\bview\b|zhengwen|zoomcon|\bzwnr\b|\bnews_?txt\b",
    re.IGNORECASE,
)
JUNK_RE = re.compile(
    r"\bbot\b|\bbtm\b|share|bdshare|print|qr_?code|\bewm|erweima|weixin|related|xgxw|xgwz|relevant|"
    r"\bprev|\bnext|pre_?next|sxp|fanye|comment|footer|\bfoot\b|\bbottom\b|copyright|"
    r"\bnav\b|navbar|menu|sidebar|side[-_]?bar|breadcrumb|location|"
    r"position|crumb|\bheader\b|\bhead\b|toolbar|\btools?\b|font[-_]?size|fontsize|\bzh\b|"
    r"\bsearch\b|login|links?\b|friend",
    re.IGNORECASE,
)
#: footer lines: copyright, ICP licence, site sponsor/operator, site identifier
FOOTER_TEXT_RE = re.compile(
    r"版权所有|ICP备|ICP证|公网安备|网站标识码|主办单位|承办单位|技术支持|主办：|承办：|"
    r"Copyright|©|网站地图|联系我们|建议使用.{0,20}浏览器|分辨率"
)
BOILERPLATE_TEXT_RE = re.compile(
    r"^(?:分享到|打印本页|关闭窗口|【打印】|【关闭】|扫一扫|字号|上一篇|下一篇|返回顶部|"
    r"相关(?:新闻|文章|链接|阅读)|【?\s*(?:打印|关闭)|收藏|责任编辑)"
)


#: below this the page has no article text (image-only or empty bodies)
MIN_BODY_SCORE = 12.0
#: a line weighing this much is a sentence of prose (about 20 characters with punctuation)
SENTENCE_WEIGHT = 20.0


#: a parent keeping this share of a paragraph's score is taken instead of the paragraph
CLIMB_RATIO = 0.8
_NOT_BODY_TAGS = frozenset(["html", "body", "a", "span", "font", "strong", "b", "em"])
_PARAGRAPH_TAGS = frozenset(["p", "span", "font", "strong", "b", "section", "li", "blockquote"])


_LABEL_CELL_RE = re.compile(r"[:：]\s*$")


# class/id strings repeat within a page and across a site's pages; the alternations below are
# slow to scan (case-insensitive, ~40 words), so each distinct string is tested once
@functools.lru_cache(maxsize=8192)
def junk_attrs(attrs: str) -> bool:
    """Named like a share/print/related/nav/footer block and not like a content block."""
    return bool(JUNK_RE.search(attrs)) and not CONTENT_HINT_RE.search(attrs)


@functools.lru_cache(maxsize=8192)
def hint_attrs(attrs: str) -> bool:
    """Named like a known content container (TRS_Editor, zoom, UCAP-CONTENT …)."""
    return bool(CONTENT_HINT_RE.search(attrs))


def _attrs(el: lxml_html.HtmlElement) -> str:
    return f"{el.get('id') or ''} {el.get('class') or ''}"


def _is_data_table(table: lxml_html.HtmlElement) -> bool:
    """A table of data (rows of cells, no nested tables), not a layout table.

    A key/value form (索引号：… 发布机构：… the 信息公开 metadata table) is not data: many of
    its cells are labels ending with a colon.
    """
    rows = cells = labels = 0
    for el in table.iter():
        if el is table:
            continue
        tag = el.tag
        if tag == "table":
            return False
        if tag == "tr":
            rows += 1
        elif tag in ("td", "th"):
            cells += 1
            if _LABEL_CELL_RE.search(el.text_content()):
                labels += 1
    return rows >= 3 and labels * 4 < cells


def _in_data_table(block: lxml_html.HtmlElement, cache: dict[lxml_html.HtmlElement, bool]) -> bool:
    el: lxml_html.HtmlElement | None = block
    for _ in range(5):
        if el is None:
            return False
        if el.tag in ("td", "th"):
            table = next(el.iterancestors("table"), None)
            if table is None:
                return False
            if table not in cache:
                cache[table] = _is_data_table(table)
            return cache[table]
        el = el.getparent()
    return False


def unit_weight(unit: Unit, cache: dict[lxml_html.HtmlElement, bool] | None = None) -> float:
    """Positive for content-like lines, negative for boilerplate-like ones."""
    n = unit.chars
    if not n:
        return 0.0
    link_ratio = unit.link_chars / n
    if link_ratio > 0.5:
        return -0.6 * n - 4
    text = unit.text.strip()
    if BOILERPLATE_TEXT_RE.match(text):
        return -3.0 - 0.3 * n
    if n < 120 and FOOTER_TEXT_RE.search(text):
        return -1.0 * n - 10
    if not unit.link_chars and _in_data_table(unit.block, {} if cache is None else cache):
        return 0.6 * n  # data tables (名单, 统计表) are content even in short cells
    if n >= 40 or unit.punct >= 2:
        return n * (1.0 - link_ratio) + 2.0 * unit.punct
    if unit.punct:
        return 0.5 * n
    return -0.5 * n - 1


def is_junk(el: lxml_html.HtmlElement, layout: Layout) -> bool:
    """Named like a share/print/related/nav/footer block (cached on the layout)."""
    flag = layout.junk.get(el)
    if flag is None:
        attrs = _attrs(el)
        flag = layout.junk[el] = attrs != " " and junk_attrs(attrs)
    return flag


def _sum_up(
    layout: Layout, own: dict[lxml_html.HtmlElement, float]
) -> dict[lxml_html.HtmlElement, float]:
    """Each element's own value plus its descendants', in one pass over the elements in
    closing order (children close before their parents)."""
    sums: dict[lxml_html.HtmlElement, float] = {}
    for el in layout.spans:
        value = own.get(el)
        if value is None and el not in sums:
            continue
        value = sums.get(el, 0.0) + (value or 0.0)
        sums[el] = value
        parent = el.getparent()
        if parent is not None:
            sums[parent] = sums.get(parent, 0.0) + value
    return sums


class Scores(NamedTuple):
    by_element: dict[lxml_html.HtmlElement, float]
    #: characters in lines that read as sentences (what a weak body is measured against)
    prose_chars: int


def score_elements(layout: Layout) -> Scores:
    """Score of every element: the sum of the weights of the text lines inside it.

    Positive lines under a share/related/footer-like element count negatively, unless that
    element holds the page's first sentence and most of its prose: a name is a hint, and an
    article wrapped in a box whose class happens to read ``header``/``tools``/``font-size`` is
    still the article, while a comment thread (most of the prose, but after the article) is not.
    """
    tables: dict[lxml_html.HtmlElement, bool] = {}
    weights = [(unit, unit_weight(unit, tables)) for unit in layout.units]
    prose_own: dict[lxml_html.HtmlElement, float] = {}
    for unit, weight in weights:
        if weight > 0:
            prose_own[unit.block] = prose_own.get(unit.block, 0.0) + weight
    prose = _sum_up(layout, prose_own)
    half_prose = 0.5 * sum(prose_own.values())
    sentences = [u for u, w in weights if w >= SENTENCE_WEIGHT]
    first = sentences[0].start if sentences else -1
    spans = layout.spans

    def holds_the_prose(el: lxml_html.HtmlElement) -> bool:
        start, end = spans.get(el, (0, -1))
        return start <= first < end and prose.get(el, 0.0) >= half_prose

    under_junk: dict[lxml_html.HtmlElement, bool] = {}

    def junk_above(el: lxml_html.HtmlElement) -> bool:
        chain: list[lxml_html.HtmlElement] = []
        node: lxml_html.HtmlElement | None = el
        found = False
        while node is not None:
            known = under_junk.get(node)
            if known is not None:
                found = known
                break
            chain.append(node)
            if is_junk(node, layout) and not holds_the_prose(node):
                found = True
                break
            node = node.getparent()
        for item in chain:
            under_junk[item] = found
        return found

    own: dict[lxml_html.HtmlElement, float] = {}
    for unit, weight in weights:
        if weight > 0 and junk_above(unit.block):
            weight = -0.3 * weight
        own[unit.block] = own.get(unit.block, 0.0) + weight
    return Scores(_sum_up(layout, own), sum(u.chars for u in sentences))


class BodyPick(NamedTuple):
    element: lxml_html.HtmlElement | None
    prose_chars: int


def pick_body(layout: Layout, title_el: lxml_html.HtmlElement | None = None) -> BodyPick:
    """The element most likely to be the article body (None for a page without one), and how
    much prose the page has."""
    scores, prose_chars = score_elements(layout)
    if not scores:
        return BodyPick(None, prose_chars)
    best: lxml_html.HtmlElement | None = None
    best_score = MIN_BODY_SCORE
    title_start = layout.spans.get(title_el, (-1, -1))[0] if title_el is not None else -1
    spans = layout.spans
    for el, score in scores.items():
        if score <= 0:
            continue
        span = spans.get(el)
        before = title_start >= 0 and span is not None and span[1] <= title_start
        bonus = min(15.0, 0.1 * score)
        if (score + bonus) * (0.5 if before else 1.0) <= best_score:
            continue  # cannot win even with the hint bonus: skip the attribute regex
        if el.tag in _NOT_BODY_TAGS:
            continue
        if hint_attrs(_attrs(el)):
            score += bonus
        if before:
            score *= 0.5  # wholly before the headline: a sidebar or a nav block
        if score > best_score:
            best, best_score = el, score
    # a lone paragraph wins when its siblings are images, links or captions: take the block that
    # holds it if that block keeps nearly all of the score (so body_html keeps its images); the
    # page's <body> too, where a bare template puts the paragraphs straight into it (the text
    # and the HTML are then trimmed to the article's lines as for any block)
    while best is not None and best.tag in _PARAGRAPH_TAGS:
        parent = best.getparent()
        if parent is None or parent.tag == "html":
            break
        if scores.get(parent, 0.0) < CLIMB_RATIO * scores.get(best, 0.0):
            break
        best = parent
    return BodyPick(best, prose_chars)
