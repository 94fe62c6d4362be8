"""A second opinion on the body from a well-kept extractor, asked only when our pick is weak.

Our scorer (:mod:`crawler.extract.body`) is fast and right on the templates it knows; on a
template it has never seen it can pick nothing, or a block holding a small part of the page's
prose (a copyright notice beside paragraphs that share no tight container). Those are the pages
where a second opinion pays, so it is asked only there, and the rest of the pages cost nothing:

- **weak**: no body, or a body holding less than half of the page's prose (lines that read as
  sentences, :data:`~crawler.extract.body.SENTENCE_WEIGHT`), on a page that has some;
- **who**: readability-lxml (the Arc90 algorithm; the best peer on both development sets);
- **where**: its text is located in our own tree (the smallest element holding it from its first
  lines to its last, after the headline), so its ``body_text``/``body_html`` are cut by the same
  rules as any body; text that cannot be located is not taken;
- **which**: the two agreeing (bigram overlap >= :data:`AGREE`) confirms ours, weak as it looks
  (an article beside a long comment thread); disagreeing, the body a reader meets first under
  the headline wins (a notice or a comment block comes after the article, not before it).

Pure: the decoded page in, an element out; readability is imported on first use.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

from lxml.html import HtmlElement as Element

from crawler.extract.layout import Layout
from textkit.normalise import squash

logger = logging.getLogger(__name__)
# readability logs a traceback for each page it cannot parse before it raises; the raise is
# handled (:func:`_ask`: no candidate), so its own log is noise in a crawl's output
logging.getLogger("readability").setLevel(logging.CRITICAL)

#: bigram overlap (F1) above which two bodies are the same text cut a little differently
AGREE = 0.5
#: a body holding less than this share of the page's prose is weak
WEAK_COVERAGE = 0.5
#: the page's prose (characters) below which a short body is not suspicious: a short notice
MIN_PROSE = 200
#: a candidate line shorter than this (squashed) is not used to locate it (too common)
_MIN_LINE = 6
#: how many of a candidate's first lines may mark where it starts on the page
_HEAD_LINES = 3


class Candidate(NamedTuple):
    element: Element
    method: str


class Opinion(NamedTuple):
    """A peer's body to take instead of ours (``candidate``), or none, and whether a peer read
    the same body as ours (``confirmed``: a weak-looking body that is right, beside comments)."""

    candidate: Candidate | None
    confirmed: bool = False


def bigram_overlap(a: str | None, b: str | None) -> float:
    """F1 over character bigrams of two texts, whitespace removed (0.0 when either is empty)."""
    pa, pb = _bigrams(squash(a)), _bigrams(squash(b))
    if not pa or not pb:
        return 0.0
    hit = sum((pa & pb).values())
    if not hit:
        return 0.0
    prec, rec = hit / sum(pa.values()), hit / sum(pb.values())
    return 2 * prec * rec / (prec + rec)


def _bigrams(s: str) -> Counter[str]:
    return Counter(s[i : i + 2] for i in range(len(s) - 1))


def is_weak(body: str | None, prose_chars: int) -> bool:
    """No body, or one holding less than half of the page's prose (on a page that has some)."""
    if not body:
        return True
    return prose_chars >= MIN_PROSE and len(squash(body)) < WEAK_COVERAGE * prose_chars


def _readability(html: str) -> str:
    from readability import Document

    from crawler.extract.html import parse_html
    from crawler.extract.text import element_text

    summary = Document(html).summary(html_partial=True)
    return element_text(parse_html(summary)) if summary.strip() else ""


def _ask(peer: Callable[[str], str], html: str) -> str:
    """A peer's body text; a peer that fails on a page is no candidate (logged, not raised)."""
    try:
        return peer(html)
    except Exception as exc:  # a third-party parser may raise anything on hostile markup
        logger.debug("fallback extractor failed: %r", exc)
        return ""


def locate(layout: Layout, text: str, after: int = -1) -> Element | None:
    """The smallest element of our tree holding ``text``, or None.

    It starts at the earliest line after offset ``after`` (the headline's end) that holds one of
    the candidate's first lines (its own first line is often the headline, repeated later in a
    related list), and ends at the first line after that holding the candidate's last line. An
    element holding less than half of the candidate's text is not it.
    """
    lines = [line for line in (squash(x) for x in text.splitlines()) if len(line) >= _MIN_LINE]
    if not lines:
        return None
    units = [(u, squash(u.text)) for u in layout.units if u.start >= after]
    heads = [line[:20] for line in lines[:_HEAD_LINES]]
    start = next((i for i, (_, sq) in enumerate(units) if any(h in sq for h in heads)), None)
    if start is None:
        return None
    last = lines[-1][-20:]
    end = next((i for i in range(start, len(units)) if last in units[i][1]), None)
    if end is None:
        return None
    top, bottom = units[start][0].block, units[end][0].block
    ancestors = {id(el) for el in bottom.iterancestors()} | {id(bottom)}
    node: Element | None = top
    while node is not None and id(node) not in ancestors:
        node = node.getparent()
    if node is None:
        return None
    span = layout.spans.get(node, (0, 0))
    held = len(squash(layout.text[span[0] : span[1]]))
    return node if held * 2 >= sum(len(line) for line in lines) else None


def second_opinion(
    html: str, layout: Layout, ours: str | None, ours_start: int, after: int
) -> Opinion:
    """A better body than ours (weak or None; its first line at offset ``ours_start``) from
    readability, if there is one: the body a reader meets first under the headline (``after``:
    where the headline ends) wins when the two readers disagree."""
    theirs = _ask(_readability, html)
    if not theirs.strip():
        return Opinion(None)
    if ours and bigram_overlap(ours, theirs) >= AGREE:
        return Opinion(None, confirmed=True)  # a second reader sees the same body
    element = locate(layout, theirs, after)
    if element is None:
        return Opinion(None)
    if ours and after <= ours_start <= layout.spans.get(element, (0, 0))[0]:
        return Opinion(None)  # ours is met first under the headline
    return Opinion(Candidate(element, "fallback-readability"))


__all__ = ["Candidate", "Opinion", "bigram_overlap", "is_weak", "locate", "second_opinion"]
