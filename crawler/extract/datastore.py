"""List entries that a page ships inside a ``<script type="text/xml">`` data block (pure).

Hanweb (大汉) JCMS column pages do not put their list in the HTML: the entries sit as CDATA
``<record>``s of a ``<datastore>`` in a ``<script type="text/xml">``, and the browser's ``jpage``
script renders them. They are part of the same page, so :mod:`crawler.extract.listing` parses each
data block's records as one HTML fragment and treats its links as a candidate list. Reads no
settings.
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
        if not records:
            continue
        html = "\n".join(records)
        # table rows outside a <table> lose their structure in an HTML parser
        html = f"<table>{html}</table>" if _ROW_RE.match(html) else f"<ul>{html}</ul>"
        out.append(LexborHTMLParser(f"<html><body><div>{html}</div></body></html>"))
    return out


__all__ = ["datastore_fragments"]
