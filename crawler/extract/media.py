"""The content block of a notice whose content is images or attachments, not text.

通知公告 columns are full of them: a 公示 whose text is a scanned image, a tender published as its
PDF pages rendered to images, a notice that is one line and an attached spreadsheet. A reader sees
an article (headline, date, the pictures or the files), so it is one: its body is the block right
under the headline that holds those images or document links, with ``body_kind`` saying what it
is, and it is never rejected for lack of text.

The block: the first content image (not an icon, logo, QR code or share button; not inside a
share/nav/footer-like block) or document link after the headline, grown to the largest ancestor
that still holds little text and not the headline itself. Pure: a parsed page in, an element out.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement as Element

from crawler.extract.body import is_junk
from crawler.extract.fields import ATTACH_EXT_RE
from crawler.extract.layout import Layout
from textkit.normalise import squash

#: image sources and names of page furniture, not content
_FURNITURE_RE = re.compile(
    r"(?:^|[^a-z])(?:logo|icon|ico|qr|qrcode|ewm|erweima|share|weixin|wechat|weibo|banner|btn|"
    r"button|arrow|spacer|blank|dot|print|close|search)(?:[^a-z]|$)",
    re.IGNORECASE,
)
#: a dimension (width/height attribute) below this is an icon
_MIN_SIDE = 80
#: the most text (squashed characters) the block may hold: captions, a line of introduction
MAX_TEXT = 300
#: a body with less text than this, and images or attachments, is image/attachment-only
MEDIA_ONLY_TEXT = 30


def _small(img: Element) -> bool:
    for name in ("width", "height"):
        value = (img.get(name) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < _MIN_SIDE:
            return True
    return False


def _is_content_image(img: Element) -> bool:
    src = img.get("src") or img.get("data-src") or img.get("data-original") or ""
    if not src or src.startswith("data:") or _small(img):
        return False
    return not _FURNITURE_RE.search(src.rsplit("/", 1)[-1]) and not _FURNITURE_RE.search(
        f"{img.get('class') or ''} {img.get('id') or ''}"
    )


def _is_document(el: Element) -> bool:
    if el.tag == "a":
        return bool(ATTACH_EXT_RE.search((el.get("href") or "").strip()))
    return bool(ATTACH_EXT_RE.search((el.get("src") or el.get("data") or "").strip()))


def _under_junk(el: Element, layout: Layout) -> bool:
    return any(is_junk(a, layout) for a in el.iterancestors() if a.tag not in ("body", "html"))


def media_kind(el: Element) -> str | None:
    """``"images"`` when ``el`` holds a content image, ``"attachments"`` when it holds a document
    link or embedded document, else None."""
    if any(_is_content_image(img) for img in el.iter("img")):
        return "images"
    if any(_is_document(x) for x in el.iter("a", "embed", "iframe", "object")):
        return "attachments"
    return None


def media_block(layout: Layout, title_el: Element) -> Element | None:
    """The block under the headline holding a notice's images or document links, or None."""
    spans = layout.spans
    after = spans.get(title_el, (0, -1))[1]
    if after < 0:
        return None
    root = title_el.getroottree().getroot()
    first: Element | None = None
    for el in root.iter("img", "a", "embed", "iframe", "object"):
        span = spans.get(el)
        if span is None or span[0] < after:
            continue
        content = _is_content_image(el) if el.tag == "img" else _is_document(el)
        if content and not _under_junk(el, layout):
            first = el
            break
    if first is None:
        return None
    block = first
    for parent in first.iterancestors():
        if parent.tag in ("body", "html") or title_el in parent.iterdescendants():
            break
        start, end = spans.get(parent, (0, 0))
        if is_junk(parent, layout) or len(squash(layout.text[start:end])) > MAX_TEXT:
            break
        block = parent
    return block


__all__ = ["MEDIA_ONLY_TEXT", "media_block", "media_kind"]
