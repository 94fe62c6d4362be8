"""detect_cms: a table of page snippets (written here) and the dev corpus's CMS hints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract.cms import CMS_NAMES, detect_cms
from crawler.extract.decode import decode_html

CASES = [
    (
        '<link href="/images/hanweb.css"><a href="/art/2024/3/1/art_1229_5501.html">x</a>'
        "<!--ZJEG_RSS.content.begin--><p>正文</p><!--ZJEG_RSS.content.end-->",
        "hanweb",
    ),
    (
        '<script src="/module/web/jpage/jpage.js"></script>'
        '<a href="/col/col1229/index.html">栏目</a>',
        "hanweb",
    ),
    (
        '<div class="TRS_Editor"><p>正文</p></div><script id="_trs_ta_js" src="/ta.js"></script>',
        "trs_wcm",
    ),
    (
        '<meta name="generator" content="TRS WCM 7.0"><a href="./202403/t20240310_1.html">x</a>',
        "trs_wcm",
    ),
    ('<script>createPageHTML(10, 0, "index", "html");</script><a class="CurrChnlCls">', "trs_wcm"),
    (
        '<meta name="NFCMS_SITE_ID" content="200001"><meta name="NFCMS_POST_ID" content="9">'
        '<a href="/xwdt/content/post_9360641.html">x</a>',
        "nfcms",
    ),
    ('<div id="UCAP-CONTENT"><p>正文</p></div><script id="kpyfx_js_id_1" src="/1.js">', "kaipuyun"),
    ('<link href="/EpointWebBuilder/css/main.css"><div class="ewb-article">', "epoint"),
    (
        '<meta name="generator" content="Visual SiteBuilder 9" />'
        '<script src="/system/resource/js/dynclicks.js"></script>',
        "vsb",
    ),
    (
        '<meta name="generator" content="PHPCMS V9"><a href="/index.php?m=content&c=index&a=show'
        '&catid=6&id=12">x</a>',
        "phpcms",
    ),
    ('<script src="/plus/count.php?view=yes&aid=12&mid=1"></script><!-- dedecms -->', "dedecms"),
    (
        '<script src="/e/public/ViewClick/?classid=2&id=9&addclick=1"></script><!--EmpireCMS-->',
        "empirecms",
    ),
    ('<link rel="stylesheet" href="/wp-content/themes/a/style.css">', "wordpress"),
    # one weak marker alone is not enough
    ('<a href="./202403/t20240310_1.html">x</a>', None),
    ('<script id="kpyfx_js_id_10001" src="/10001.js"></script>', None),
    ("<html><body><p>普通页面</p></body></html>", None),
    ("", None),
]


@pytest.mark.parametrize(("html", "family"), CASES)
def test_detect_cms_table(html: str, family: str | None) -> None:
    assert detect_cms(html) == family


def test_every_family_has_a_name() -> None:
    assert {f for _, f in CASES if f} <= set(CMS_NAMES)


_HINTS = {
    "Hanweb": "hanweb",
    "TRS WCM": "trs_wcm",
    "NFCMS": "nfcms",
    "开普云": "kaipuyun",
}


@pytest.mark.corpus
def test_dev_corpus_cms_hints(corpus_dev: Path) -> None:
    checked = 0
    for line in (corpus_dev / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        expected = {v for hint in row["cms_hints"] for k, v in _HINTS.items() if k in hint}
        if not expected:
            continue
        text, _ = decode_html((corpus_dev / f"{row['id']}.html").read_bytes())
        assert detect_cms(text) in expected, row["id"]
        checked += 1
    assert checked >= 20
