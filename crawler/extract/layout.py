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


class _Walk:
    """The state of one walk over a tree: the text so far, the spans of the closed elements,
    the text lines, and a stack of ``(innermost block, inside a link, start offset)`` per open
    element, where -1 marks a skipped subtree. Called for every element: kept lean."""

    __slots__ = ("current", "hidden", "out", "pos", "spans", "stack", "units")

    def __init__(self) -> None:
        self.out: list[str] = []
        self.pos = 0
        self.spans: dict[lxml_html.HtmlElement, tuple[int, int]] = {}
        self.hidden: list[lxml_html.HtmlElement] = []
        self.units: list[Unit] = []
        #: the line being filled; None after a block boundary
        self.current: Unit | None = None
        self.stack: list[tuple[lxml_html.HtmlElement, bool, int]] = []

    def skip(self, el: lxml_html.HtmlElement) -> None:
        """A skipped subtree (script, hidden …): only its tail counts."""
        if el.tag not in SKIP_TAGS and isinstance(el.tag, str):
            self.hidden.append(el)
        self.stack.append((el, False, -1))

    def open(self, el: lxml_html.HtmlElement) -> tuple[lxml_html.HtmlElement, bool]:
        """Enter ``el``: the block and link state its own text belongs to."""
        if self.stack:
            block, in_link, _ = self.stack[-1]
        else:
            block, in_link = el, False
        if el.tag in _LINE_BLOCKS:
            self._break_line()
            block = el
        if el.tag == "a":
            in_link = True
        self.stack.append((block, in_link, self.pos))
        return block, in_link

    def close(
        self, el: lxml_html.HtmlElement, start_el: lxml_html.HtmlElement
    ) -> tuple[lxml_html.HtmlElement, bool] | None:
        """Leave ``el``, recording its span: the block and link state of its tail (None for
        the walk's root, whose tail is outside the walk)."""
        start = self.stack.pop()[2]
        if start >= 0:
            if el.tag in _LINE_BLOCKS:
                self._break_line()
            self.spans[el] = (start, self.pos)
        if not self.stack or el is start_el:
            return None
        block, in_link, _ = self.stack[-1]
        return block, in_link

    def _break_line(self) -> None:
        self.out.append("\n")
        self.pos += 1
        self.current = None

    def add(self, text: str, block: lxml_html.HtmlElement, in_link: bool) -> None:
        """An element's non-empty text or tail: into the page text and, unless blank, the
        line of ``block`` (a new line when the block changed)."""
        self.out.append(text)
        self.pos += len(text)
        if text.isspace():
            return
        current = self.current
        if current is None or current.block is not block:
            current = self.current = Unit(block=block, start=self.pos - len(text))
            self.units.append(current)
        current.parts.append(text)
        if in_link:
            current.link_parts.append(text)


def build_layout(root: lxml_html.HtmlElement) -> Layout:
    """Walk ``root`` once (hidden/skip subtrees excluded) into a :class:`Layout`."""
    body = root.find("body")
    start_el = body if body is not None else root
    # comments and processing instructions are invisible: merge their tails into the text
    # (the parser of crawler.extract.html already drops them; other trees may have some)
    etree.strip_tags(start_el, etree.Comment, etree.ProcessingInstruction)
    walk = _Walk()
    walker = etree.iterwalk(start_el, events=("start", "end"))
    # bound once, and no call for an element without text or tail: the walk is the hot path
    close, open_, add, skip = walk.close, walk.open, walk.add, walk.skip
    for event, el in walker:
        if event != "start":
            if (inside := close(el, start_el)) is not None and (text := el.tail):
                add(text, *inside)
        elif el.tag in SKIP_TAGS or not isinstance(el.tag, str) or is_hidden(el):
            skip(el)
            walker.skip_subtree()
        else:
            inside = open_(el)
            if text := el.text:
                add(text, *inside)
    return Layout("".join(walk.out), walk.spans, _count(walk.units), hidden=walk.hidden)
