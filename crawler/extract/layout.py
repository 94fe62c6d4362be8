"""A linear view of a cleaned page: its visible text with each element's span in it.

Extraction of the headline, info line and body needs "the text between the headline and the
body" and "the text right after the body". Walking the tree once and recording each element's
start/end offset in the page text makes those slices cheap. Each text line (a run of inline text
between block boundaries) is also recorded as a unit with its link-character count: the body
scorer works on these units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from crawler.extract.text import BLOCK_TAGS, SKIP_TAGS, is_hidden

#: sentence punctuation (not ':' - info lines are full of label colons)
_PUNCT_RE = re.compile(r"[，。；！？、“”,;!?]")


@dataclass
class Unit:
    """One line of text and the innermost block element holding it.

    ``chars``/``link_chars``/``punct`` count non-space characters, characters inside links and
    sentence punctuation; they are filled once per line after the walk (cheaper than per text
    node).
    """

    block: lxml_html.HtmlElement
    chars: int = 0
    link_chars: int = 0
    punct: int = 0
    start: int = 0
    parts: list[str] = field(default_factory=list)
    link_parts: list[str] = field(default_factory=list)
    #: the joined parts (set after the walk)
    text: str = ""


@dataclass
class Layout:
    text: str
    spans: dict[lxml_html.HtmlElement, tuple[int, int]]
    units: list[Unit]
    #: element -> named like a junk block (filled lazily by crawler.extract.body.is_junk)
    junk: dict[lxml_html.HtmlElement, bool] = field(default_factory=dict)
    #: elements left out of the text because they are hidden (not script/style: no reader sees
    #: those, and the sanitiser drops them anyway)
    hidden: list[lxml_html.HtmlElement] = field(default_factory=list)

    def between(self, start: int, end: int) -> str:
        return self.text[max(0, start) : max(0, end)]


_LINE_BLOCKS = BLOCK_TAGS | {"td", "th"}


def _count(units: list[Unit]) -> list[Unit]:
    findall = _PUNCT_RE.findall
    kept: list[Unit] = []
    for unit in units:
        text = unit.text = "".join(unit.parts)
        unit.chars = len("".join(text.split()))  # str.split: faster than a regex
        if not unit.chars:
            continue
        unit.punct = len(findall(text))
        if unit.link_parts:
            unit.link_chars = len("".join("".join(unit.link_parts).split()))
        kept.append(unit)
    return kept


def build_layout(root: lxml_html.HtmlElement) -> Layout:
    """Walk ``root`` once (hidden/skip subtrees excluded) into a :class:`Layout`."""
    body = root.find("body")
    start_el = body if body is not None else root
    # comments and processing instructions are invisible: merge their tails into the text
    # (the parser of crawler.extract.html already drops them; other trees may have some)
    etree.strip_tags(start_el, etree.Comment, etree.ProcessingInstruction)
    out: list[str] = []
    append = out.append
    pos = 0
    spans: dict[lxml_html.HtmlElement, tuple[int, int]] = {}
    hidden: list[lxml_html.HtmlElement] = []
    units: list[Unit] = []
    current: Unit | None = None
    # stack of (innermost block, inside a link, start offset); -1 marks a skipped subtree
    stack: list[tuple[lxml_html.HtmlElement, bool, int]] = []
    push, pop = stack.append, stack.pop
    line_blocks, skip_tags = _LINE_BLOCKS, SKIP_TAGS

    walker = etree.iterwalk(start_el, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if tag in skip_tags or not isinstance(tag, str) or is_hidden(el):
                if tag not in skip_tags and isinstance(tag, str):
                    hidden.append(el)
                push((el, False, -1))  # skipped: only its tail counts
                walker.skip_subtree()
                continue
            if stack:
                block, in_link, _ = stack[-1]
            else:
                block, in_link = el, False
            if tag in line_blocks:
                append("\n")
                pos += 1
                current = None
                block = el
            if tag == "a":
                in_link = True
            push((block, in_link, pos))
            text = el.text
        else:
            start = pop()[2]
            if start >= 0:
                if tag in line_blocks:
                    append("\n")
                    pos += 1
                    current = None
                spans[el] = (start, pos)
            if not stack or el is start_el:
                continue
            text = el.tail
            block, in_link, _ = stack[-1]
        # the element's text (start) or tail (end), inlined: this loop is the hot path
        if not text:
            continue
        append(text)
        pos += len(text)
        if text.isspace():
            continue
        if current is None or current.block is not block:
            current = Unit(block=block, start=pos - len(text))
            units.append(current)
        current.parts.append(text)
        if in_link:
            current.link_parts.append(text)
    return Layout("".join(out), spans, _count(units), hidden=hidden)
