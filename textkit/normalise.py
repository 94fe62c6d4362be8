"""Unicode and whitespace normal forms of text: how titles, snippets and hashes are compared.

- :func:`to_nfkc` / :func:`nfkc`: NFKC (full-width digits, colons and spaces folded), the
  latter remembered for the short texts a page normalises several times (its info line);
- :func:`squash`: NFKC with no whitespace at all, the form titles and snippets are compared in;
- :func:`squash_spaces` / :func:`squash_line`: runs of spaces collapsed, lines trimmed.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\u200c\u200d\ufeff]+")
_NEWLINES_RE = re.compile(r"\s*\n\s*")
#: longer texts are squashed without the cache (they rarely repeat and would crowd it)
_SQUASH_CACHED_LEN = 200


def to_nfkc(text: str) -> str:
    """``text`` in NFKC."""
    return unicodedata.normalize("NFKC", text)


@functools.lru_cache(maxsize=64)
def nfkc(text: str) -> str:
    """``text`` in NFKC, remembered.

    An article's info line is read for its date, views, source and author, four
    normalisations of the same string; the cache makes them one. It is small because the texts
    can be long and are only reused within a page.
    """
    return to_nfkc(text)


def squash(text: str | None) -> str:
    """NFKC and no whitespace at all: the form in which titles and snippets are compared."""
    if not text:
        return ""
    if len(text) <= _SQUASH_CACHED_LEN:
        return _squash_short(text)
    return _squash(text)


def _squash(text: str) -> str:
    return "".join(to_nfkc(text).split())


#: :func:`squash` of a short text, remembered: headings, nav labels and site names repeat on
#: every page of a site, and a page's title candidates are squashed several times over
_squash_short = functools.lru_cache(maxsize=8192)(_squash)


def squash_spaces(text: str) -> str:
    """Collapse runs of spaces inside lines and blank lines between them."""
    text = _SPACES_RE.sub(" ", text)
    text = text.replace("\t", " ")
    lines = (line.strip() for line in _NEWLINES_RE.split(text))
    return "\n".join(line for line in lines if line)


def squash_line(line: str) -> str:
    """:func:`squash_spaces` of one line (no newline in it): spaces collapsed, ends trimmed."""
    return _SPACES_RE.sub(" ", line).strip() if line else ""


__all__ = ["nfkc", "squash", "squash_line", "squash_spaces", "to_nfkc"]
