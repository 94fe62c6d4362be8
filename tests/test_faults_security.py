"""Hostile input: site profiles, CLI arguments and search queries are refused or made harmless.

- a profile is data: nothing in it is executed, unknown keys are refused by name, file:// and
  other schemes are refused, and it cannot widen the crawl to private addresses;
- every bad CLI argument ends with one clear line on stderr and a non-zero exit, no traceback;
- a SQL-injection search returns nothing and drops nothing.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.downloadermiddlewares.guards import AddressGuardMiddleware, Refused
from crawler.items import ArticleItem
from crawler.sites import ProfileError, SiteProfile, load_profile
from crawler.sites.profile import parse_profile
from crawler.spiders.district import DistrictSpider

GOOD = """
name = "hostile_test"
start_urls = ["http://www.example.gov.cn/xwzx/qndt/"]
allowed_domains = ["example.gov.cn"]
"""


def _profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- profiles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('exec = "import os"', "exec"),
        ("[links]\nfollow_everything = true", "links.follow_everything"),
        ("[politeness]\nignore_robots = true", "politeness.ignore_robots"),
        ('[fields.title]\npython = "lambda x: x"', "fields.title.python"),
        ('[fields.__class__]\ncss = "h1"', "fields.__class__"),
        ('[views]\nurl_template = "file:///etc/passwd"', "views.url_template"),
    ],
)
def test_profile_unknown_or_unsafe_keys_are_refused_by_name(
    tmp_path: Path, extra: str, key: str
) -> None:
    with pytest.raises(ProfileError, match=f"key '{key}'"):
        load_profile(str(_profile(tmp_path, GOOD + extra)))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://www.example.gov.cn/",
        "javascript:alert(1)",
        "data:text/html,<h1>x</h1>",
        "//www.example.gov.cn/",
        "www.example.gov.cn/news/",
    ],
)
def test_profile_start_urls_must_be_http(url: str) -> None:
    with pytest.raises(ProfileError, match="start_urls"):
        parse_profile({"name": "x", "start_urls": [url]})


def test_profile_start_url_outside_allowed_domains_is_refused() -> None:
    with pytest.raises(ProfileError, match="outside allowed_domains"):
        parse_profile(
            {
                "name": "x",
                "start_urls": ["http://169.254.169.254/latest/"],
                "allowed_domains": ["example.gov.cn"],
            }
        )


def test_profile_text_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}')"
    text = (
        GOOD.replace('name = "hostile_test"', f'name = "hostile_test"\ndescription = "{payload}"')
        # selectors must parse now, so the payload rides inside attribute values
        + f"[fields.title]\ncss = ['''h1[title=\"{payload}\"]''']\n"
        + f"xpath = ['''//h1[@title=\"{payload}\"]''']\n"
        + f'[links]\narticle = ["{payload.replace("(", "[(]").replace(")", "[)]")}"]\n'
    )
    profile = load_profile(str(_profile(tmp_path, text)))
    assert profile.description == payload
    assert profile.fields["title"].css == (f'h1[title="{payload}"]',)
    spider = DistrictSpider(profile=profile)
    assert spider.start_urls == ["http://www.example.gov.cn/xwzx/qndt/"]
    assert not marker.exists()


def test_profile_not_toml_is_a_clear_error(tmp_path: Path) -> None:
    path = _profile(tmp_path, "!!python/object/apply:os.system ['id']\n")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(str(path))


def test_profile_cannot_widen_the_crawl_to_private_addresses() -> None:
    """allowed_domains may list 169.254.169.254, but only typed start URLs are trusted."""
    profile = parse_profile(
        {
            "name": "x",
            "start_urls": ["http://www.example.gov.cn/news/"],
            "allowed_domains": ["example.gov.cn", "169.254.169.254", "127.0.0.1"],
        }
    )
    spider = DistrictSpider(profile=profile)
    assert not spider._allowed("file:///etc/passwd")
    assert not spider._allowed("http://evil.example.com/")
    assert not spider._allowed("http://example.gov.cn.evil.com/")
    crawler = get_crawler(DistrictSpider)
    crawler.spider = spider
    guard = AddressGuardMiddleware.from_crawler(crawler)
    from scrapy import Request

    for url in ("http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:6379/"):
        with pytest.raises(Refused, match="private_address"):
            asyncio.run(guard.process_request(Request(url)))


# -- CLI --------------------------------------------------------------------------------------


def govnews(*args: str) -> tuple[int, str, str]:
    """Run the real console entry point in-process: (exit code, stdout, stderr)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from crawler.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv, sys.argv = sys.argv, ["govnews", *args]
    code: int | str | None = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.argv = argv
    return int(code or 0), out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["crawl", "no_such_site"], "unknown site"),
        (["crawl", "/nonexistent/dir/site.toml"], "no such profile file"),
        (["crawl", "--start-url", "not a url"], "not an http(s) URL"),
        (["crawl", "--start-url", "file:///etc/passwd"], "not an http(s) URL"),
        (["crawl", "--start-url", "javascript:alert(1)"], "not an http(s) URL"),
        (["crawl", "--start-url", "http://"], "not an http(s) URL"),
        (["crawl"], "SITE"),
        (["crawl", "--start-url", "http://127.0.0.1:9/", "--max-pages", "0"], "max-pages"),
        (["crawl", "--start-url", "http://127.0.0.1:9/", "-s", "NOEQUALS"], "NAME=VALUE"),
        (["extract", "/nonexistent/page.html"], "nonexistent"),
        (["search", "x", "--since", "yesterday-ish"], "since"),
        (["search", "x", "--until", "2024-13-45"], "until"),
        (["export", "--since", "2024/02/30"], "since"),
        (["sites", "check", "no_such_site"], "no_such_site"),
        (["no-such-command"], "No such command"),
    ],
)
def test_cli_bad_arguments_fail_with_one_clear_line(
    args: list[str], says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if args[0] in ("search", "export"):
        args = [*args, "--db", f"sqlite:///{tmp_path / 'x.db'}"]
    monkeypatch.chdir(tmp_path)
    code, out, err = govnews(*args)
    assert code != 0, out
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("Error")]
    assert len(errors) == 1, err
    assert says.lower() in err.lower(), err


# -- SQL injection ----------------------------------------------------------------------------

INJECTIONS = [
    "x'); DROP TABLE articles; --",
    'x"); DROP TABLE articles; --',
    "' OR '1'='1",
    "%' OR 1=1 --",
    "区委'; DELETE FROM articles; --",
    "articles MATCH '*'",
    '" OR ""="',
    "\\'; DROP TABLE rejects; --",
]


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    from pipelines.db.session import make_engine, make_session_factory
    from pipelines.db.upsert import article_row, upsert_articles

    db = tmp_path / "s.db"
    assert govnews("db", "upgrade", "--db", f"sqlite:///{db}")[0] == 0
    engine = make_engine(f"sqlite:///{db}")
    now = datetime(2024, 3, 5, tzinfo=UTC)
    rows = [
        article_row(
            ArticleItem(
                url=f"http://www.example.gov.cn/a{i}.html",
                site="hostile_test",
                title=f"区委常委会召开会议{i}",
                body_text="区委常委会召开会议，传达学习上级有关会议精神。",
            ),
            seen_at=now,
        )
        for i in range(3)
    ]
    with make_session_factory(engine).begin() as session:
        upsert_articles(session, rows)
    engine.dispose()
    return db


@pytest.mark.parametrize("query", INJECTIONS)
def test_search_injection_returns_nothing_and_drops_nothing(seeded_db: Path, query: str) -> None:
    code, out, err = govnews("search", query, "--db", f"sqlite:///{seeded_db}", "--format", "jsonl")
    assert "Traceback" not in err
    assert code == 0, err
    assert out.strip() == "", out
    with sqlite3.connect(seeded_db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (3,)
        assert conn.execute("SELECT count(*) FROM rejects").fetchone() == (0,)


def test_search_still_finds_real_text(seeded_db: Path) -> None:
    code, out, err = govnews(
        "search", "常委会", "--db", f"sqlite:///{seeded_db}", "--format", "jsonl"
    )
    assert code == 0, err
    assert len(out.strip().splitlines()) == 3


def test_generic_profile_stays_on_the_start_host() -> None:
    profile = SiteProfile.generic(["http://127.0.0.1:8000/news/"])
    spider = DistrictSpider(profile=profile)
    assert spider._allowed("http://127.0.0.1:8000/a/1.html")
    assert not spider._allowed("http://127.0.0.2:8000/a/1.html")
    assert not spider._allowed("javascript:alert(1)")
    assert not spider._allowed("mailto:web@example.gov.cn")
