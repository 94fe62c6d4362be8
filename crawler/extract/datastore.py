"""List entries that a page ships inside a ``<script type="text/xml">`` data block (pure).

Hanweb (大汉) JCMS column pages do not put their list in the HTML: the entries sit as CDATA
``<record>``s of a ``<datastore>`` in a ``<script type="text/xml">``, and the browser's ``jpage``
script renders them. They are part of the same page, so :mod:`crawler.extract.listing` parses each
data block's records as one HTML fragment and treats its links as a candidate list. The
column's data proxy answers with a bare ``<datastore>`` document of further records
(:mod:`crawler.extract.datapager`), read by :func:`bare_datastore_fragments`. Reads no settings.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

_RECORD_RE = re.compile(r"<record[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_ROW_RE = re.compile(r"^\s*<t[rd][\s>]", re.I)


def datastore_fragments(tree: LexborHTMLParser) -> list[LexborHTMLParser]:
    """One parsed fragment per data block holding CDATA records, in page order."""
    out: list[LexborHTMLParser] = []
    for script in tree.css("script"):
        kind = (script.attributes.get("type") or "").lower()
        text = script.text(deep=True) or ""
        if "xml" not in kind and "<datastore" not in text.lower():
            continue
        records = _RECORD_RE.findall(text)
        if records:
            out.append(_fragment(records))
    return out


def is_bare_datastore(html: str) -> bool:
    """True for a data proxy's answer: a ``<datastore>`` document, not an HTML page."""
    head = html.lstrip()[:200].lower()
    return head.startswith("<datastore") or (head.startswith("<?xml") and "<datastore" in head)


def bare_datastore_fragments(html: str) -> list[LexborHTMLParser]:
    """The records of a data proxy's ``<datastore>`` answer as one fragment (none if empty)."""
    records = _RECORD_RE.findall(html)
    return [_fragment(records)] if records else []


def record_count(text: str) -> int:
    """How many CDATA records a text holds (the entries a data block ships)."""
    return len(_RECORD_RE.findall(text))


def _fragment(records: list[str]) -> LexborHTMLParser:
    html = "\n".join(records)
    # table rows outside a <table> lose their structure in an HTML parser
    html = f"<table>{html}</table>" if _ROW_RE.match(html) else f"<ul>{html}</ul>"
    return LexborHTMLParser(f"<html><body><div>{html}</div></body></html>")


__all__ = [
    "bare_datastore_fragments",
    "datastore_fragments",
    "is_bare_datastore",
    "record_count",
]
