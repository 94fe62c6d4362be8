"""Text of lxml elements as a reader sees it: paragraph breaks at block elements, tables as rows.

Hidden elements (``display:none``, ``hidden``), scripts and styles contribute nothing.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from lxml import html as lxml_html

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "br",
        "caption",
    ]
)
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "select",
        "option",
        "textarea",
        "button",
        "svg",
        "canvas",
        "video",
        "audio",
        "map",
        "head",
        "title",
    ]
)
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\u200c\u200d\ufeff]+")
_NEWLINES_RE = re.compile(r"\s*\n\s*")


def is_hidden(el: lxml_html.HtmlElement) -> bool:
    """Hidden by inline style or the ``hidden`` attribute (what a reader never sees)."""
    names = el.keys()  # one C call; most elements have neither attribute
    if not names:
        return False
    if "hidden" in names:
        return True
    if "style" not in names:
        return False
    return _style_hides(el.get("style") or "")


@functools.lru_cache(maxsize=4096)
def _style_hides(style: str) -> bool:
    """``display:none`` / ``visibility:hidden`` in an inline style (styles repeat: cached)."""
    style = style.lower()
    if "none" not in style and "hidden" not in style:
        return False
    return bool(_HIDDEN_STYLE_RE.search(style))


def _walk(el: lxml_html.HtmlElement, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag and tag not in SKIP_TAGS and not is_hidden(el):
        block = tag in BLOCK_TAGS or tag in ("td", "th")
        if block:
            out.append("\n" if tag not in ("td", "th") else "\t")
        if el.text:
            out.append(el.text)
        for child in el:
            _walk(child, out)
        if block and tag not in ("td", "th", "br"):
            out.append("\n")
    if el.tail:
        out.append(el.tail)


#: what keeps Chinese text from being NFKC: full-width ASCII, the ideographic space, no-break
#: and other compatibility spaces; each with its NFKD form
_FOLD = {
    chr(c): unicodedata.normalize("NFKD", chr(c))
    for c in (*range(0xFF01, 0xFF5F), 0x3000, 0xA0, *range(0x2000, 0x200B), 0x202F, 0x205F)
}
_FOLD_RE = re.compile("[" + "".join(map(re.escape, _FOLD)) + "]")


def to_nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, several times faster on Chinese text.

    Chinese text is NFKC but for its full-width punctuation and digits (，：（２０）) and
    no-break spaces, and one such character sends ``normalize`` down its slow path for the
    whole string: ≈ 0.2 µs a character, 55 µs for a 280-character paragraph. Those characters
    are replaced by their NFKD forms first (NFKC decomposes character by character, so the
    decomposition, and with it the result, is unchanged); what is left is then usually NFKC
    already, which ``is_normalized`` confirms in one quick pass. Anything else still goes
    through ``normalize``. tests/test_perf_normalise.py checks the equality on generated
    strings and every code point.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    for char in set(_FOLD_RE.findall(text)):
        text = text.replace(char, _FOLD[char])
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


@functools.lru_cache(maxsize=64)
def nfkc(text: str) -> str:
    """``text`` in NFKC (full-width digits, colons and spaces folded), remembered.

    An article's info line is read for its date, views, source and author, four
    normalisations of the same string; the cache makes them one. It is small because the texts
    can be long and are only reused within a page.
    """
    return to_nfkc(text)


#: longer texts are squashed without the cache (they rarely repeat and would crowd it)
_SQUASH_CACHED_LEN = 200


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


def element_text(el: lxml_html.HtmlElement) -> str:
    """Visible text of ``el`` with one line per block (paragraph, row, list item)."""
    out: list[str] = []
    tail, el.tail = el.tail, None
    try:
        _walk(el, out)
    finally:
        el.tail = tail
    return squash_spaces("".join(out))


def inline_text(el: lxml_html.HtmlElement) -> str:
    """Visible text of ``el`` on one line (for titles, labels)."""
    return " ".join(element_text(el).split())
