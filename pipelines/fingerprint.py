"""The content fingerprint: a hash of an article's normalised title and body.

Equal for the same text under two URLs (the dedupe pipeline counts those) and stored with every
article (``articles.content_hash``). It lives apart from the database code so that the
extraction worker, which cleans and hashes items beside extracting them, need not import
SQLAlchemy.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

_ZERO_WIDTH = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
_ZERO_WIDTH_CHARS = tuple(chr(c) for c in _ZERO_WIDTH)
_FULLWIDTH = {
    chr(c): unicodedata.normalize("NFKD", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)
}
_FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")


def _fullwidth(match: re.Match[str]) -> str:
    return _FULLWIDTH[match.group()]


def normalise_text(text: str | None) -> str:
    """NFKC, no zero-width characters, whitespace collapsed: the form the content hash sees."""
    if not text:
        return ""
    # Same result as NFKC alone, ~4x faster on Chinese text: full-width ASCII and U+3000 are
    # replaced by their NFKD forms (one character of combining class 0 each) first, after which
    # most text is already NFKC and the quick check skips the normalisation.
    text = _FULLWIDTH_RE.sub(_fullwidth, text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
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
