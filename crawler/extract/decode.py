"""Turn response bytes into text: the one charset decision of the project.

Order (first that applies wins): an explicit override (site profile ``encoding``), a byte-order
mark, strict UTF-8, the HTTP ``Content-Type`` charset, the page's ``<meta>`` charset, then
statistical detection (charset-normalizer). Saved government pages often declare ``gb2312`` while
the bytes are UTF-8, so strict UTF-8 is tried before any declaration. ``gb2312``/``gbk`` are read
as ``gb18030`` (a superset that also covers the rare characters in names). Never raises on bad
bytes: the last resort decodes with replacement characters.
"""

from __future__ import annotations

import codecs
import re

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL_RE = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "big5": "big5hkscs",
}


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


def _detect(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(body[:65536]).best()
    return normalise_encoding(best.encoding) if best is not None else None


def decode_html(
    body: bytes, http_charset: str | None = None, override: str | None = None
) -> tuple[str, str]:
    """Decode page bytes; return ``(text, encoding)``. Never raises on undecodable bytes."""
    if isinstance(body, str):  # tolerate callers that already decoded
        return body, "unicode"
    forced = normalise_encoding(override)
    if forced:
        return body.decode(forced, "replace"), forced
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(enc, "replace"), enc
    utf16 = _looks_utf16(body)
    if utf16:
        return body.decode(utf16, "replace").lstrip("\ufeff"), utf16
    as_utf8 = _try(body, "utf-8")
    if as_utf8 is not None:
        return as_utf8, "utf-8"
    head = body[:4096]
    candidates = [normalise_encoding(http_charset)]
    match = _META_RE.search(head) or _XML_DECL_RE.search(head)
    if match:
        candidates.append(normalise_encoding(match.group(1).decode("ascii", "replace")))
    for candidate in candidates:
        decoded = _try(body, candidate)
        if decoded is not None and candidate is not None:
            return decoded, candidate
    detected = _detect(body)
    decoded = _try(body, detected)
    if decoded is not None and detected is not None:
        return decoded, detected
    # Mostly-valid bytes in the declared (or a CJK) charset: replace the few bad ones.
    fallback = next((c for c in candidates if c), None) or detected or "gb18030"
    return body.decode(fallback, "replace"), fallback
