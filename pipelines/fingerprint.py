"""The content fingerprint: a hash of an article's normalised title and body.

Equal for the same text under two URLs (the dedupe pipeline counts those) and stored with every
article (``articles.content_hash``). It lives apart from the database code so that the
extraction worker, which cleans and hashes items beside extracting them, need not import
SQLAlchemy.
"""

from __future__ import annotations

import functools
import hashlib

from crawler.items import PLAYER_KINDS, ArticleItem
from textkit.normalise import to_nfkc

_ZERO_WIDTH = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
_ZERO_WIDTH_CHARS = tuple(chr(c) for c in _ZERO_WIDTH)


def normalise_text(text: str | None) -> str:
    """NFKC, no zero-width characters, whitespace collapsed: the form the content hash sees."""
    if not text:
        return ""
    text = to_nfkc(text)
    for char in _ZERO_WIDTH_CHARS:  # str.translate is slow on non-ASCII text
        if char in text:
            text = text.replace(char, "")
    # str.split() knows Unicode whitespace (incl. U+3000) and is far faster than a regex
    return " ".join(text.split())


@functools.lru_cache(maxsize=512)
def content_hash(title: str | None, body: str | None) -> str:
    """sha256 (hex) of the normalised title and body: equal for the same text at two URLs.

    Cached: dedupe and storage both hash each article, and NFKC over a long body is not free.
    """
    data = normalise_text(title) + "\n" + normalise_text(body)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def item_content_hash(item: ArticleItem) -> str:
    """:func:`content_hash` of an item; for a notice whose content is images or attachments, its
    HTML (which holds their URLs) counts as the body, so that two monthly notices with the same
    title and different scans are two articles. A video or recording adds what it plays (its
    attachments): a frame or a Flash player is not kept in the HTML."""
    if item.body_kind == "text":
        return content_hash(item.title, item.body_text)
    media = ""
    if item.body_kind in PLAYER_KINDS:
        media = "".join(f"\n{a.get('url')}" for a in item.attachments or [])
    return content_hash(item.title, f"{item.body_text or ''}\n{item.body_html or ''}{media}")
