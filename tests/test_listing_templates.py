"""extract_listing with no profile on list page fixtures of other CMS families.

tests/fixtures/lists/templates holds list pages written for this test (raw bytes as a server
sends them, some GBK; fixtures written beside the code, not a held-out set), modelled on other
CMS templates: Hanweb JCMS columns whose list lives only in a
``<script type="text/xml"><datastore>`` CDATA block, TRS WCM script pagers, Epoint, NFCMS,
开普云, PHPCMS, DedeCMS, VSB tables, thumbnail lists, pinned items beside bigger dated
sidebars, year-less ``[03-10]`` dates and a mobile page. Each page's golden JSON gives the
article links in order and the next page (or null); both must match exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract.listing import extract_listing

TEMPLATES = Path(__file__).parent / "fixtures" / "lists" / "templates"
PAGES = sorted(p.stem for p in TEMPLATES.glob("*.json"))


def _golden(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((TEMPLATES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def test_there_are_enough_template_pages() -> None:
    assert len(PAGES) >= 10
    encodings = {_golden(n)["encoding"] for n in PAGES}
    assert "gbk" in encodings


@pytest.mark.parametrize("name", PAGES)
def test_template_list_page(name: str) -> None:
    gold = _golden(name)
    body = (TEMPLATES / f"{name}.html").read_bytes()
    got = extract_listing(body, str(gold["url"]))
    want = list(gold["article_links"])  # type: ignore[call-overload]
    hits = len(set(got.article_links) & set(want))
    precision = hits / len(got.article_links) if got.article_links else 0.0
    recall = hits / len(want)
    assert (precision, recall) == (1.0, 1.0), (got.article_links, want)
    assert got.article_links == want  # order kept
    assert got.next_page == gold["next_page"]
