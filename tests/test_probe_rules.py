"""``govnews probe``'s article rule covers every article link of the page it probed.

On every list page of the fixtures (tests/fixtures/lists, its templates/ and pagers/ folders), on
the demo site's columns and on the dev corpus list pages (labels' ``article_links``, read in
place from ../shared), the drafted ``links.article`` regexes must match all article links, and
the draft says so with the count.
"""

from __future__ import annotations

import json
import re
import tomllib
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

import pytest

from crawler.commands.probe import probe_profile, site_domain
from crawler.extract.listing import extract_listing
from crawler.sites.profile import SiteProfile, parse_profile
from demoportal.server import DemoSite
from tests.test_listing_corpus import START_URLS

LISTS = Path(__file__).parent / "fixtures" / "lists"
H = "http://www.shili.gov.cn"
# the page address of each fixture without a golden JSON that records it
URLS = {
    "trs_createpage.html": f"{H}/xwzx/gzdt/index_1.html",
    "xiayiye_stray_html.html": "http://www.shixian.gov.cn/col/col102/index_2.html",
    "page_query.html": "https://kfq.example.gov.cn/notice/list?cat=3&page=2",
    "gbk_xiaye.html": "http://www.shiliqu.gov.cn/zjdt/index.html",
    "pagers/object_literal.html": f"{H}/xwzx/gzdt/",
    "pagers/argument_list.html": f"{H}/xwzx/gzdt/list_2.shtml",
    "pagers/onclick_select.html": f"{H}/xwzx/gzdt/index_2.jhtml",
    "pagers/select_template.html": f"{H}/xwzx/gzdt/list_3.html",
    "pagers/page_text.html": f"{H}/xwzx/gzdt/index_2.html",
    "pagers/jpage.html": f"{H}/col/col1234/index.html",
    "pagers/numbering.html": f"{H}/xwzx/gzdt/list_1.html",
}
for _golden in sorted((LISTS / "templates").glob("*.json")):
    URLS[f"templates/{_golden.stem}.html"] = json.loads(_golden.read_text(encoding="utf-8"))["url"]


def _rule(body: bytes, url: str) -> tuple[list[str], str]:
    toml = probe_profile(body, url)
    return list(tomllib.loads(toml)["links"]["article"]), toml


def _links(body: bytes, url: str) -> list[str]:
    site = SiteProfile(name="probe", allowed_domains=(site_domain(url),), start_urls=(url,))
    return extract_listing(body, url, profile=site).article_links


def _matched(rules: list[str], links: list[str]) -> int:
    return sum(any(re.search(r, u) for r in rules) for u in links)


@pytest.mark.parametrize("name", sorted(URLS))
def test_probe_rule_matches_every_link_of_a_fixture_page(name: str) -> None:
    body, url = (LISTS / name).read_bytes(), URLS[name]
    rules, toml = _rule(body, url)
    links = _links(body, url)
    assert links and _matched(rules, links) == len(links), rules
    assert f"# The article rule matches {len(links)}/{len(links)} article links" in toml


def test_probe_rule_generalises_ids_of_any_alphabet() -> None:
    rows = "".join(
        f'<li><a href="/staticpages/201905{13 + i}/ghb{key}-{349 + i}.html">'
        f"关于做好第{i}项重点工作的通知</a><span>2019-05-{13 + i}</span></li>"
        for i, key in enumerate(["5cd8e75c", "5cda1b2f", "5cdb0000", "5cdc7a9e", "5cdd1f00"])
    )
    body = f'<html><body><ul class="list">{rows}</ul></body></html>'.encode()
    rules, toml = _rule(body, "http://www.shili.gov.cn/staticpages/list.html")
    assert rules == [r"/\d{8}/[0-9A-Za-z]*\d[0-9A-Za-z]*\-\d+\.html$"]
    assert "matches 5/5 article links" in toml
    assert not re.search(rules[0], "http://www.shili.gov.cn/staticpages/20190513/index.html")


def test_probe_rule_matches_every_link_of_the_demo_columns() -> None:
    with DemoSite() as site:
        seen = set()
        for start in site.start_urls:
            with urllib.request.urlopen(start, timeout=10) as resp:
                body = resp.read()
            rules, _ = _rule(body, start)
            links = _links(body, start)
            assert _matched(rules, links) == len(links) > 0, (start, rules, links)
            seen |= set(links)
    # the dated-folder shape the issue saw missed on the demo's GBK column
    assert any(re.search(r"/zwgk/gzdt/\d{4}-\d{2}-\d{2}/\d+\.html$", u) for u in seen)


@pytest.mark.parametrize("page_id", sorted(START_URLS))
def test_probe_rule_matches_every_labelled_link_of_a_dev_page(
    corpus_dev: Path, page_id: str
) -> None:
    url = START_URLS[page_id]
    labels = [
        json.loads(line)
        for line in (corpus_dev / "labels.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    gold = next(row for row in labels if row["id"] == page_id)["article_links"]
    rules, _ = _rule((corpus_dev / f"{page_id}.html").read_bytes(), url)
    assert _matched(rules, [urljoin(url, g) for g in gold]) == len(gold), rules


def test_probe_of_a_script_pager_drafts_no_next_link_rule() -> None:
    """A 下一页 whose URL sits in onclick has no href to select: the drafted profile leaves
    the next page to the generic pager reading, which follows it."""
    name = "pagers/onclick_select.html"
    body, url = (LISTS / name).read_bytes(), URLS[name]
    toml = probe_profile(body, url)
    assert "next_page_xpath" not in toml and "pager: onclick" in toml
    profile = parse_profile(tomllib.loads(toml), "<probe>")
    assert extract_listing(body, url, profile=profile).next_page == f"{H}/xwzx/gzdt/index_3.jhtml"
