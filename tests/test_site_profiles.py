"""Site profiles: every builtin loads; a bad profile fails with an error naming the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.sites.profile import (
    BUILTIN_DIR,
    ProfileError,
    SiteProfile,
    available_profiles,
    host_in_domains,
    load_file,
    load_profile,
    profile_for_url,
)

GOOD = """
name = "shili_qu"
start_urls = ["http://www.shili.gov.cn/xwzx/gzdt/"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", sorted(BUILTIN_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_builtin_profile_loads(path: Path) -> None:
    profile = load_file(path)
    assert profile.name == path.stem  # file named after the site, in pinyin
    assert profile.description.strip() and profile.caveats.strip()
    assert profile.start_urls and profile.allowed_domains
    for pattern in (*profile.article_patterns, *profile.deny_patterns):
        re.compile(pattern)


def test_tangshan_gxq_profile() -> None:
    profile = load_profile("tangshan_gxq")
    assert profile.allowed_domains == ("tangshan-gxq.gov.cn",)
    assert profile.max_pages == 50
    assert profile.download_delay == 1.0 and profile.concurrency == 2
    assert profile.fields["body"].css == ("#zoom",)
    assert re.search(
        profile.article_patterns[0],
        "http://www.tangshan-gxq.gov.cn/qndt/qndt/202103/t20210301_123456.html",
    )
    assert profile_for_url("http://www.tangshan-gxq.gov.cn/qndt/") == profile
    assert "tangshan_gxq" in available_profiles()


def test_minimal_profile_defaults(tmp_path: Path) -> None:
    profile = load_file(_write(tmp_path, GOOD))
    assert profile.allowed_domains == ("www.shili.gov.cn",)
    assert profile.fields == {} and profile.max_pages is None


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('colour = "red"', "colour"),
        ('[links]\narticle = ["/t(\\\\d+"]', "links.article"),
        ('[links]\ndeny = ["[unclosed"]', "links.deny"),
        ('[links]\nnext_hop = "x"', "links.next_hop"),
        ('[links]\nmax_pages = "ten"', "links.max_pages"),
        ("[links]\nmax_pages = 0", "links.max_pages"),
        ("[links]\narticle_css = 3", "links.article_css"),
        ('[politeness]\nconcurrency = "2"', "politeness.concurrency"),
        ("[politeness]\ndownload_delay = -1", "politeness.download_delay"),
        ('[politeness]\nautothrottle = "yes"', "politeness.autothrottle"),
        ("[fields.title]\ncss = 5", "fields.title.css"),
        ('[fields.headline]\ncss = ["h1"]', "fields.headline"),
        ('[fields.title]\nregex = "x"', "fields.title.regex"),
        ('[views]\nurl_template = "file:///etc/passwd"', "views.url_template"),
        ("encoding = 5", "encoding"),
        ('encoding = "klingon-8"', "encoding"),
        ("title = 1", "title"),
    ],
)
def test_bad_profile_names_the_key(tmp_path: Path, extra: str, key: str) -> None:
    # top-level keys must come before the first table
    head, _, table = extra.partition("[")
    text = GOOD + (head if not table else "") + "\n" + (("[" + table) if table else "")
    with pytest.raises(ProfileError) as err:
        load_file(_write(tmp_path, text))
    assert f"key '{key}'" in str(err.value)
    assert "site.toml" in str(err.value)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('name = "x"\nstart_urls = ["file:///etc/passwd"]', "start_urls"),
        ('name = "x"\nstart_urls = ["ftp://www.shili.gov.cn/"]', "start_urls"),
        ('name = "x"\nstart_urls = []', "start_urls"),
        (
            'name = "x"\nstart_urls = ["http://www.other.gov.cn/"]\n'
            'allowed_domains = ["shili.gov.cn"]',
            "start_urls",
        ),
        ('name = "Shili Qu"\nstart_urls = ["http://www.shili.gov.cn/"]', "name"),
        ('start_urls = ["http://www.shili.gov.cn/"]', "name"),
        (
            'name = "x"\nstart_urls = ["http://www.shili.gov.cn/"]\nallowed_domains = "a,b"',
            None,
        ),  # a single string is accepted as one domain, and then excludes the start URL
    ],
)
def test_bad_urls_and_names(tmp_path: Path, text: str, key: str | None) -> None:
    with pytest.raises(ProfileError) as err:
        load_file(_write(tmp_path, text))
    assert f"key '{key or 'start_urls'}'" in str(err.value)


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_file(_write(tmp_path, "name = [unclosed"))
    with pytest.raises(ProfileError, match="no such profile file"):
        load_file(tmp_path / "absent.toml")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProfileError, match="unknown site 'nowhere'"):
        load_profile("nowhere", [tmp_path / "empty"])


@pytest.mark.parametrize(
    ("start", "allowed", "refused"),
    [
        (
            "http://www.xx.gov.cn/qndt/",
            ["www.xx.gov.cn", "xx.gov.cn", "xxgk.xx.gov.cn"],
            ["yy.gov.cn", "badxx.gov.cn", "gov.cn"],
        ),
        ("http://www.gov.cn/xinwen/", ["www.gov.cn"], ["gov.cn", "xx.gov.cn"]),  # a suffix
        ("http://xian.city.gov.cn/news/", ["xian.city.gov.cn"], ["city.gov.cn"]),
        ("http://127.0.0.1:8080/news/", ["127.0.0.1"], ["127.0.0.2"]),
    ],
)
def test_a_generic_profile_stays_on_the_start_hosts_domain(
    start: str, allowed: list[str], refused: list[str]
) -> None:
    """A ``www.`` start host stands for its domain: its articles on the bare domain or a
    sub-site (信息公开 on xxgk.) are the same portal's."""
    domains = SiteProfile.generic([start]).allowed_domains
    assert [h for h in allowed if host_in_domains(h, domains)] == allowed
    assert [h for h in refused if host_in_domains(h, domains)] == []
