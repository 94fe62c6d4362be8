"""Turn response bytes into text: the one charset decision of the project.

Order (first that applies wins): an explicit override (site profile ``encoding``), a byte-order
mark, strict UTF-8, the HTTP ``Content-Type`` charset, the page's ``<meta>`` charset, GB18030 when
it reads as Chinese text, then statistical detection (charset-normalizer). A Western single-byte
label (ISO-8859-1, ASCII, windows-1252: a web server's default, not the author's choice) is weak:
it loses to a ``<meta>`` that says otherwise, and to GB18030 when the bytes read as Chinese, since
cp1252 decodes nearly any bytes and would store GBK text as mojibake.

The pieces are w3lib's (:func:`~w3lib.encoding.read_bom`,
:func:`~w3lib.encoding.html_body_declared_encoding`); its :func:`~w3lib.encoding.html_to_unicode`
chain is not used because it trusts the HTTP header before anything else, the very rule that
garbles Chinese pages served with a Latin-1 default. Saved government pages
often declare ``gb2312`` while the bytes are UTF-8, so strict UTF-8 is tried before any
declaration. ``gb2312``/``gbk`` are read as ``gb18030`` (a superset that also covers the rare
characters in names). A page that declares nothing (or nothing that fits its bytes) and is not
UTF-8 is read as a browser set to Chinese reads it, as GBK, when that gives Chinese text: a
detector alone took such pages for Big5, Mac Roman or cp1250 (3 of 36 re-encoded dev pages).
Never raises on bad bytes: the last resort decodes with replacement characters.
"""

from __future__ import annotations

import codecs
import itertools
import re

from w3lib.encoding import html_body_declared_encoding, read_bom

_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "big5": "big5hkscs",
}
#: labels a server sends by default, which cannot be right for a page of Chinese text
_WEAK = frozenset({"cp1252", "iso8859-15"})


def normalise_encoding(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return _SUPERSETS.get(name) or _SUPERSETS.get(canonical) or canonical


def _looks_utf16(body: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte of ASCII markup is NUL."""
    head = body[:400]
    if len(head) < 8:
        return None
    if head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        return "utf-16-le"
    if head[0::2].count(0) > len(head) // 4 and head[1::2].count(0) == 0:
        return "utf-16-be"
    return None


def _try(body: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


#: how much of a page's non-ASCII text must be common Chinese for GB18030 to be taken unasked
_CHINESE_SHARE = 0.6
#: replacement characters a codec that fits may leave (a stray byte, a cut-off character):
#: this many, or this share of the sample on a long page, and never more than a tenth of it
_BAD_COUNT, _BAD_SHARE = 4, 0.005
#: non-ASCII characters sampled to tell Chinese from mojibake
_SAMPLE = 2000
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def _few_bad(text: str) -> bool:
    """Hardly any replacement characters among the non-ASCII ones: the codec fits the bytes
    but for a stray one."""
    bad = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return bad <= max(_BAD_COUNT, non_ascii * _BAD_SHARE) and bad * 10 <= non_ascii


def _reads_as_chinese(text: str) -> bool:
    """Whether decoded text is Chinese rather than mojibake: most of its non-ASCII characters
    (the first ``_SAMPLE``) are GB2312's common hanzi (level 1, the 3 755 most frequent) or its
    punctuation and full-width forms. Text decoded with the wrong codec scatters over rare
    characters."""
    sample = [m.group() for m in itertools.islice(_NON_ASCII_RE.finditer(text), _SAMPLE)]
    common = 0
    for char in sample:
        try:
            lead = char.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        common += 0xA1 <= lead <= 0xA3 or 0xB0 <= lead <= 0xD7
    return bool(sample) and common >= len(sample) * _CHINESE_SHARE


def _detect(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(body[:65536]).best()
    return normalise_encoding(best.encoding) if best is not None else None


def _declared(body: bytes, http_charset: str | None) -> list[str]:
    """The charsets the response declares, strongest first: the header, then the page's own
    ``<meta>`` or XML declaration, except that a weak header yields to a different meta."""
    header = normalise_encoding(http_charset)
    meta = normalise_encoding(html_body_declared_encoding(body[:4096]))
    if header in _WEAK and meta and meta != header:
        header, meta = meta, header
    return [c for c in dict.fromkeys((header, meta)) if c]


def decode_html(
    body: bytes, http_charset: str | None = None, override: str | None = None
) -> tuple[str, str]:
    """Decode page bytes; return ``(text, encoding)``. Never raises on undecodable bytes."""
    if isinstance(body, str):  # tolerate callers that already decoded
        return body, "unicode"
    forced = normalise_encoding(override)
    if forced:
        return body.decode(forced, "replace"), forced
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return body[len(bom) :].decode(bom_encoding, "replace"), bom_encoding
    utf16 = _looks_utf16(body)
    if utf16:
        return body.decode(utf16, "replace").lstrip("\ufeff"), utf16
    as_utf8 = _try(body, "utf-8")
    if as_utf8 is not None:
        return as_utf8, "utf-8"
    as_utf8 = body.decode("utf-8", "replace")
    if _few_bad(as_utf8):
        # valid UTF-8 but for a stray byte is no accident of another codec, whatever the page
        # declares (a cut-off character in an include, a byte of a binary attachment)
        return as_utf8, "utf-8"
    candidates = _declared(body, http_charset)
    as_gb: str | None = None  # decoded only when needed: most GBK pages declare it rightly
    for candidate in candidates:
        if candidate in _WEAK:
            as_gb = body.decode("gb18030", "replace")
            if _few_bad(as_gb) and _reads_as_chinese(as_gb):
                return as_gb, "gb18030"  # a Latin-1 label on Chinese bytes cannot be right
        decoded = _try(body, candidate)
        if decoded is not None:
            return decoded, candidate
    as_gb = as_gb or body.decode("gb18030", "replace")
    if _few_bad(as_gb) and _reads_as_chinese(as_gb):
        return as_gb, "gb18030"
    detected = _detect(body)
    decoded = _try(body, detected)
    if decoded is not None and detected is not None:
        return decoded, detected
    # Mostly-valid bytes in the declared (or a CJK) charset: replace the few bad ones.
    fallback = next(iter(candidates), None) or detected or "gb18030"
    return body.decode(fallback, "replace"), fallback
