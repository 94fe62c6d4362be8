"""``govnews sites check`` warns when a profile's article rule misses links on its start page.

Offline: the start page is a fixture saved file (``--page``) or a local server on 127.0.0.1
(tests/pager_site.py).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from crawler.commands.sites import sites
from tests.pager_site import PagerSite

LISTS = Path(__file__).parent / "fixtures" / "lists"
TRS_URL = "http://www.shili.gov.cn/xwzx/gzdt/index_1.html"


def _profile(tmp_path: Path, start: str, rule: str, domain: str) -> str:
    path = tmp_path / "shili.toml"
    path.write_text(
        f'name = "shili"\nallowed_domains = ["{domain}"]\nstart_urls = ["{start}"]\n'
        f"[links]\narticle = ['{rule}']\n",
        encoding="utf-8",
    )
    return str(path)


def test_rule_missing_links_on_a_saved_page_warns(tmp_path: Path) -> None:
    # a rule drafted from March's links misses February's (another month folder)
    path = _profile(tmp_path, TRS_URL, r"/202403/t\d{8}_\d+\.html$", "shili.gov.cn")
    page = str(LISTS / "trs_createpage.html")
    result = CliRunner().invoke(sites, ["check", path, "--page", page])
    assert result.exit_code == 0
    assert "warning: the article rule misses 4 of 7 links the generic heuristic finds on" in (
        result.output
    )
    assert "202402/t20240228_1234402.html" in result.output


def test_rule_covering_the_page_is_ok(tmp_path: Path) -> None:
    path = _profile(tmp_path, TRS_URL, r"/\d{6}/t\d{8}_\d+\.html$", "shili.gov.cn")
    page = str(LISTS / "trs_createpage.html")
    result = CliRunner().invoke(sites, ["check", path, "--page", page])
    assert result.exit_code == 0 and "warning" not in result.output
    assert f"ok: the article rule covers the links found on {TRS_URL}" in result.output


def test_start_page_is_fetched_from_the_site(tmp_path: Path) -> None:
    with PagerSite() as site:
        start = site.base_url + "/link/index.html"
        path = _profile(tmp_path, start, r"/t2024051[01]_\d+\.html$", "127.0.0.1")
        result = CliRunner().invoke(sites, ["check", path])
        assert site.requests["/link/index.html"] == 1
    assert result.exit_code == 0
    assert "warning: the article rule misses 1 of 3 links" in result.output
    assert "/link/202405/t20240512_102.html" in result.output
    offline = CliRunner().invoke(sites, ["check", path, "--no-fetch"])
    assert offline.exit_code == 0 and "article rule" not in offline.output
