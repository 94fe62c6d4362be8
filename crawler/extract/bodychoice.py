"""Which block is the article's body: our scorer's pick, a peer's when ours is weak, or the block
of images, attachments or a player of an article that has no text.

The three sources in the order they are asked (each explained in its own module):
:func:`crawler.extract.body.pick_body` (text density and structure),
:func:`crawler.extract.fallback.second_opinion` (readability-lxml, asked only for a weak pick),
:func:`crawler.extract.media.media_block` (a scanned 公示, a tender as a PDF, a 视频新闻). Pure.
"""

from __future__ import annotations

from typing import NamedTuple

from lxml.html import HtmlElement as Element

from crawler.extract.bodytext import BodyText, body_text
from crawler.extract.fallback import is_weak, second_opinion
from crawler.extract.layout import Layout
from crawler.extract.media import MEDIA_ONLY_TEXT, media_block, media_kind
from textkit.normalise import squash


class BodyChoice(NamedTuple):
    element: Element | None
    body: BodyText | None
    #: "text", "images", "attachments", "video" or "audio"
    kind: str = "text"
    #: a peer read the same body as ours (a weak-looking body that is right)
    confirmed: bool = False


def choose_body(
    html: str,
    layout: Layout,
    title_el: Element | None,
    title: str | None,
    picked: Element | None,
    prose_chars: int,
) -> BodyChoice:
    """The body block and its text, starting from our scorer's ``picked`` block."""
    element = picked
    body = body_text(element, title, layout) if element is not None else None
    confirmed = False
    if is_weak(body.text if body else None, prose_chars):
        after = layout.spans.get(title_el, (0, -1))[1] if title_el is not None else -1
        ours, ours_start = (body.text, body.kept_start) if body else (None, -1)
        opinion = second_opinion(html, layout, ours, ours_start, after)
        confirmed = opinion.confirmed
        if opinion.candidate is not None:
            element = opinion.candidate.element
            body = body_text(element, title, layout)._replace(method=opinion.candidate.method)
    if title_el is not None and len(squash(body.text if body else None)) < MEDIA_ONLY_TEXT:
        # the picked block, unless it holds the headline: then the block under the headline
        held = element is not None and any(el is title_el for el in element.iter())
        media = element if element is not None and not held and media_kind(element) else None
        media = media if media is not None else media_block(layout, title_el)
        kind = media_kind(media) if media is not None else None
        if media is not None and kind is not None:
            return BodyChoice(media, body_text(media, title, layout)._replace(method="media"), kind)
    return BodyChoice(element, body, "text", confirmed)


__all__ = ["BodyChoice", "choose_body"]
