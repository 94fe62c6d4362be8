"""Profiles that used to pass ``govnews sites check`` and then hang or fetch nothing (issue 23
item 6) are refused when they load, with one line naming the key and the value.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.sites import ProfileError, load_profile

GOOD = """
name = "hostile_test"
start_urls = ["http://www.example.gov.cn/xwzx/qndt/"]
"""
ROOT = Path(__file__).resolve().parent.parent


def _write(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(GOOD + table, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("table", "key", "shown"),
    [
        ("[politeness]\ndownload_delay = 1e308", "politeness.download_delay", "1e+308"),
        ("[politeness]\ndownload_delay = nan", "politeness.download_delay", "nan"),
        ("[politeness]\ndownload_delay = inf", "politeness.download_delay", "inf"),
        ("[politeness]\ndownload_delay = 86400", "politeness.download_delay", "86400"),
        ("[politeness]\nconcurrency = 100000", "politeness.concurrency", "100000"),
        ("[politeness]\nconcurrency = true", "politeness.concurrency", "True"),
        (
            '[politeness]\nuser_agent = "bot\\r\\nX-Injected: 1"',
            "politeness.user_agent",
            "X-Injected",
        ),
        ('[links]\narticle_css = "ul.list >> a[href"', "links.article_css", "ul.list"),
        ('[links]\nnext_page_css = "a:contains("', "links.next_page_css", "a:contains("),
        ('[links]\narticle_xpath = "//a[@href"', "links.article_xpath", "//a[@href"),
        ('[fields.title]\ncss = ["h1", "div..title"]', "fields.title.css", "div..title"),
        ('[fields.body]\nxpath = "//div[@id=zoom"', "fields.body.xpath", "//div[@id=zoom"),
        ('[views]\npattern = "(unclosed"', "views.pattern", "(unclosed"),
        ("[links]\nmax_pages = 1e9", "links.max_pages", "1000000000.0"),
    ],
)
def test_profile_that_would_hang_or_fetch_nothing_is_refused(
    tmp_path: Path, table: str, key: str, shown: str
) -> None:
    with pytest.raises(ProfileError) as err:
        load_profile(str(_write(tmp_path, table)))
    message = str(err.value)
    assert f"key '{key}'" in message and shown in message
    assert "\n" not in message


def test_good_selectors_and_bounds_still_load(tmp_path: Path) -> None:
    profile = load_profile(
        str(
            _write(
                tmp_path,
                '[links]\narticle_css = "ul.list li > a"\n'
                "next_page_xpath = \"//a[text()='下一页']\"\n"
                '[fields.title]\ncss = ["h1.title", "div.tit h2"]\nxpath = "//h1/text()"\n'
                "[politeness]\ndownload_delay = 0\nconcurrency = 4\n"
                'user_agent = "Mozilla/5.0 (x)"\n',
            )
        )
    )
    assert profile.article_css == "ul.list li > a"
    assert profile.fields["title"].css == ("h1.title", "div.tit h2")
    assert profile.fields["title"].xpath == ("//h1/text()",)
    assert profile.download_delay == 0.0 and profile.concurrency == 4


def _cli(*args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("what", ["file", "missing"])
def test_sites_dir_that_is_not_a_folder_is_an_error(tmp_path: Path, what: str) -> None:
    target = tmp_path / "sites.toml"
    if what == "file":
        target.write_text(GOOD, encoding="utf-8")
    for args in (("sites", "list"), ("sites", "check", "hostile_test")):
        proc = _cli(*args, env_extra={"GOVNEWS_SITES_DIR": str(target)})
        assert proc.returncode != 0, proc.stdout
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "GOVNEWS_SITES_DIR" in lines[0] and str(target) in lines[0]
        assert ("a file" if what == "file" else "missing") in lines[0]


def test_sites_check_and_crawl_refuse_a_nan_delay(tmp_path: Path) -> None:
    path = _write(tmp_path, "[politeness]\ndownload_delay = nan\n")
    for args in (("sites", "check", str(path)), ("crawl", str(path), "--db", "sqlite://")):
        proc = _cli(*args, env_extra={})
        assert proc.returncode == 1
        assert proc.stderr.strip().count("\n") == 0
        assert "key 'politeness.download_delay'" in proc.stderr and "Traceback" not in proc.stderr
