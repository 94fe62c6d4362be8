"""Template fixtures (tests/fixtures/templates/*.html, raw bytes written for this project, never
corpus copies). They were written beside the code they test, so they are fixtures, not a held-out
set: they show that each template keeps working, not how extraction does on unseen sites.

Each page models a CMS template or trap that the dev corpus does not have (Hanweb JCMS, TRS WCM,
NFCMS, Epoint, 开普云, VSB, PHPCMS, DedeCMS, EmpireCMS, WordPress, a mobile template, a data-table
body, an image-only body, attachment lists, prev/next and related lists with click counts, a stray
``</html>``). The golden JSON beside each page is reviewed by hand: title, date (calendar day
and, when given, the minute), views exact (``null`` with ``views_dynamic`` for script-filled
counters), source/author exact, body F1 >= 0.9 with the corpus metric.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.commands.scoring import bigram_f1, gold_body, norm_title
from crawler.extract.article import extract_article

TEMPLATES = Path(__file__).parent / "fixtures" / "templates"
CASES = sorted(p.stem for p in TEMPLATES.glob("*.html"))


def _load(name: str) -> tuple[bytes, dict[str, Any]]:
    raw = (TEMPLATES / f"{name}.html").read_bytes()
    return raw, json.loads((TEMPLATES / f"{name}.json").read_text(encoding="utf-8"))


def test_template_set_is_large_enough() -> None:
    assert len(CASES) >= 15
    for name in CASES:
        assert (TEMPLATES / f"{name}.json").is_file(), f"{name}.json golden file is missing"


@pytest.mark.parametrize("name", CASES)
def test_template_title_date_views(name: str) -> None:
    raw, gold = _load(name)
    result = extract_article(raw, gold["url"])
    assert norm_title(result.title) == norm_title(gold["title"])
    published = result.published_at.strftime("%Y-%m-%d %H:%M") if result.published_at else None
    expected = gold["published"]
    assert published is not None and published[: len(expected)] == expected
    assert result.views == gold["views"]
    assert result.views_dynamic is gold["views_dynamic"]


@pytest.mark.parametrize("name", CASES)
def test_template_source_author(name: str) -> None:
    raw, gold = _load(name)
    result = extract_article(raw, gold["url"])
    assert (result.source, result.author) == (gold["source"], gold["author"])


@pytest.mark.parametrize("name", CASES)
def test_template_body(name: str) -> None:
    raw, gold = _load(name)
    result = extract_article(raw, gold["url"])
    reference = gold_body(raw, gold["body_first"], gold["body_last"])
    assert reference, "golden body_first/body_last must be found in the page"
    score = bigram_f1(result.body_text, reference)
    assert score >= 0.9, f"body F1 {score:.3f}: {(result.body_text or '')[:80]!r}"
    assert gold["body_first"][:10] in (result.body_text or "")


@pytest.mark.parametrize("name", [n for n in CASES if _load(n)[1].get("attachments")])
def test_template_attachments(name: str) -> None:
    raw, gold = _load(name)
    result = extract_article(raw, gold["url"])
    assert [a["url"] for a in result.attachments] == gold["attachments"]


def test_template_set_has_real_gbk_bytes() -> None:
    not_utf8 = []
    for name in CASES:
        try:
            (TEMPLATES / f"{name}.html").read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            not_utf8.append(name)
    assert len(not_utf8) >= 2, "the template set must keep its GBK pages as GBK bytes"
