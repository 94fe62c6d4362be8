"""Link precision/recall of extract_listing on the dev corpus list pages (../shared/corpus/dev).

The labels hold the first five article links of each list page, in page order. Recall is the
share of labelled links found; precision is the share of labelled links among the extracted
links up to the last labelled one found (the labels cover only the head of the list, so later
links cannot be judged).
The pages were saved without their address, so each gets a plausible start URL on the host its
absolute links point at; relative labels are resolved against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import pytest

from crawler.extract.listing import extract_listing
from crawler.sites.profile import SiteProfile

pytestmark = pytest.mark.corpus

START_URLS = {
    "072": "https://news.163.com/latest/",
    "073": "http://www.rtfund.com/main/gyrt/xxpl/index.shtml",
    "074": "https://www.hr-fund.com.cn/news/information_2.html",
    "075": "https://www.dfa66.com/dfaets/news/infodisclosure/announcement/index.html",
}
# next pages a crawler can follow (the other two pages paginate by script/AJAX only)
NEXT_PAGES = {
    "074": "https://www.hr-fund.com.cn/news/information_3.html",
    "075": "https://www.dfa66.com/dfaets/news/infodisclosure/announcement/index2.html",
}


def _list_labels(corpus: Path) -> dict[str, dict[str, object]]:
    out = {}
    for line in (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if "article_links" in row:
                out[row["id"]] = row
    return out


def _score(corpus: Path, page_id: str, profile: SiteProfile | None) -> tuple[float, float]:
    url = START_URLS[page_id]
    labels = _list_labels(corpus)[page_id]
    gold = [urljoin(url, str(u)) for u in labels["article_links"]]  # type: ignore[attr-defined]
    got = extract_listing((corpus / f"{page_id}.html").read_bytes(), url, profile=profile)
    recall = sum(g in got.article_links for g in gold) / len(gold)
    found = [i for i, u in enumerate(got.article_links) if u in gold]
    window = got.article_links[: found[-1] + 1] if found else got.article_links[: len(gold)]
    precision = sum(u in gold for u in window) / len(window) if window else 0.0
    return precision, recall


@pytest.mark.parametrize("page_id", ["073", "074", "075"])
def test_dev_list_links(corpus_dev: Path, page_id: str) -> None:
    precision, recall = _score(corpus_dev, page_id, None)
    assert (precision, recall) == (1.0, 1.0)


def test_dev_list_links_cross_subdomain(corpus_dev: Path) -> None:
    # 072 lists news.163.com and dy.163.com articles: with no profile the crawler stays on the
    # start host (3 of the 5 labelled links); a profile allowing the whole domain gets all five.
    assert _score(corpus_dev, "072", None) == (1.0, 0.6)
    profile = SiteProfile(
        name="netease", allowed_domains=("163.com",), start_urls=(START_URLS["072"],)
    )
    assert _score(corpus_dev, "072", profile) == (1.0, 1.0)


@pytest.mark.parametrize("page_id", sorted(START_URLS))
def test_dev_list_next_page(corpus_dev: Path, page_id: str) -> None:
    got = extract_listing((corpus_dev / f"{page_id}.html").read_bytes(), START_URLS[page_id])
    assert got.next_page == NEXT_PAGES.get(page_id)
