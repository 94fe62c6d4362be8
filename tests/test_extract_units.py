"""Table tests for the pure normalisers: dates, view counts, decoding, markup repair."""

from __future__ import annotations

import codecs
from datetime import datetime

import pytest

from crawler.extract.dates import SHANGHAI, date_from_url, find_dates, parse_date
from crawler.extract.decode import decode_html
from crawler.extract.html import parse_html, repair_markup
from crawler.extract.views import find_views, parse_views


def _dt(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-03-01", _dt(2021, 3, 1)),
        ("发布日期:2021-03-01", _dt(2021, 3, 1)),
        ("发布时间：2024-03-05 10:21", _dt(2024, 3, 5, 10, 21)),
        ("2021年3月1日 10:20", _dt(2021, 3, 1, 10, 20)),
        ("2021/03/01", _dt(2021, 3, 1)),
        ("2025年06月03日 13时44分", _dt(2025, 6, 3, 13, 44)),
        ("时间 : 2023-02-25 08:51:32", _dt(2023, 2, 25, 8, 51, 32)),
        ("2023-08-19 10∶08", _dt(2023, 8, 19, 10, 8)),  # U+2236 ratio colon
        ("生成日期：２０２４－０１－０２", _dt(2024, 1, 2)),  # full-width digits
        ("日期：2019.10.08", _dt(2019, 10, 8)),
        ("发布时间：2024/3/5 下午 02:10:00", _dt(2024, 3, 5, 14, 10)),  # .NET zh-CN/zh-TW
        ("2024年3月5日 上午12:30", _dt(2024, 3, 5, 0, 30)),
        ("2024-03-05 1:05 PM", _dt(2024, 3, 5, 13, 5)),
        ("2024-03-05 12:05 p.m.", _dt(2024, 3, 5, 12, 5)),
        ("2024-03-05 10:20 PM2.5浓度", _dt(2024, 3, 5, 10, 20)),  # air quality, not a half-day
        ("2024年3月5日上午，县长主持会议", _dt(2024, 3, 5)),
        ("9/17/2004 5:54:13 AM", None),  # month-first only after a label
        # ISO 8601 as meta tags write it: the offset applied, none meaning China's time
        ("2024-06-12T16:30:00+08:00", _dt(2024, 6, 12, 16, 30)),
        ("2024-06-12T20:30:00Z", _dt(2024, 6, 13, 4, 30)),  # the next day in China
        ("2024-06-12T16:30:00.000+0800", _dt(2024, 6, 12, 16, 30)),
        ("2024-06-12T16:30", _dt(2024, 6, 12, 16, 30)),
        ("2024-02-30", None),
        ("浏览次数：1234", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_parse_date_is_timezone_aware() -> None:
    value = parse_date("2021-03-01")
    assert value is not None and value.utcoffset() is not None
    assert value.isoformat() == "2021-03-01T00:00:00+08:00"


def test_find_dates_reports_labels() -> None:
    found = find_dates("来源：区融媒体中心 发布时间：2024-06-05 浏览次数：3 相关 2023-01-01")
    assert [(m.label, m.value.date().isoformat()) for m in found] == [
        ("发布时间", "2024-06-05"),
        (None, "2023-01-01"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布日期： 9/17/2004 5:54:13 AM", _dt(2004, 9, 17, 5, 54, 13)),
        ("时间:3/4/2012 12:05 PM", _dt(2012, 3, 4, 12, 5)),  # .NET en-US: month first
        ("日期：25/12/2011 9:00", _dt(2011, 12, 25, 9, 0)),  # 25 cannot be a month
        ("发布时间：13/13/2011", None),
    ],
)
def test_a_labelled_year_last_date(text: str, expected: datetime | None) -> None:
    found = find_dates("来源：县政府办 " + text + " 浏览：5 相关 2019-01-02")
    labelled = [m.value for m in found if m.label]
    assert labelled == ([expected] if expected else [])
    assert found[-1].value == _dt(2019, 1, 2)  # offsets keep the page's order


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.a.gov.cn/xwdt/202403/t20240310_123.html", _dt(2024, 3, 10)),
        ("http://www.zj.gov.cn/art/2024/3/10/art_1_2.html", _dt(2024, 3, 10)),
        ("http://www.a.gov.cn/news/123.html", None),
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: datetime | None) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("阅览量:16701", 16701),
        ("浏览次数：1,234", 1234),
        ("浏览次数：1,234 次", 1234),
        ("点击数：56", 56),
        ("阅读 1.2万", 12000),
        ("阅读量：3.5万", 35000),
        ("访问量：199", 199),
        ("浏览量：-", None),
        ("访问量：", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_views(text: str | None, expected: int | None) -> None:
    assert parse_views(text) == expected


@pytest.mark.parametrize(
    ("text", "views", "dynamic"),
    [
        ("发布日期:2021-03-01  阅览量:16701  字号:", [16701], [False]),
        ("浏览量：- 字号：大 中 小", [None], [True]),
        ("浏览次数：次", [None], [True]),
        ("访问量：\n", [None], [True]),
        ("总访问量：9876543 今日访问量：321", [], []),
        ("网站总点击量：12345", [], []),
        ("点击阅读全文", [], []),
    ],
)
def test_find_views(text: str, views: list[int | None], dynamic: list[bool]) -> None:
    found = find_views(text)
    assert [m.views for m in found] == views
    assert [m.dynamic for m in found] == dynamic


SAMPLE = "<html><head><meta charset='{cs}'></head><body><p>区政府召开常务会议</p></body></html>"


@pytest.mark.parametrize(
    ("raw", "http_charset", "override", "encoding"),
    [
        (SAMPLE.format(cs="utf-8").encode("utf-8"), None, None, "utf-8"),
        # declares gb2312, bytes are UTF-8 (browser-saved pages): strict UTF-8 wins
        (SAMPLE.format(cs="gb2312").encode("utf-8"), None, None, "utf-8"),
        (SAMPLE.format(cs="gb2312").encode("gbk"), None, None, "gb18030"),
        (SAMPLE.format(cs="utf-8").encode("gbk"), "gbk", None, "gb18030"),
        (
            codecs.BOM_UTF16_LE + SAMPLE.format(cs="utf-8").encode("utf-16-le"),
            None,
            None,
            "utf-16-le",
        ),
        (codecs.BOM_UTF8 + SAMPLE.format(cs="gbk").encode("utf-8"), None, None, "utf-8"),
        (SAMPLE.format(cs="utf-8").encode("utf-16-le"), None, None, "utf-16-le"),
        (SAMPLE.format(cs="utf-8").encode("utf-8"), None, "gbk", "gb18030"),
    ],
)
def test_decode_html(
    raw: bytes, http_charset: str | None, override: str | None, encoding: str
) -> None:
    text, enc = decode_html(raw, http_charset, override)
    assert enc == encoding
    if override is None:
        assert "区政府召开常务会议" in text
        assert not text.startswith("\ufeff")


def test_decode_never_raises_on_garbage() -> None:
    text, enc = decode_html(b"<html>\xff\xfe\xfa\x80\x81 broken \xe4\xb8</html>" * 3)
    assert isinstance(text, str) and enc


def test_gbk_only_characters_survive_as_gb18030() -> None:
    raw = "<meta charset='gb2312'><p>王镕堃</p>".encode("gbk")
    text, enc = decode_html(raw)
    assert enc == "gb18030" and "王镕堃" in text


NEWS = (
    "<html><body><h1>区政府召开常务会议</h1><p>5月12日，区政府召开常务会议，研究部署重点工作。"
    "会议强调，要压实责任，确保各项任务落地见效。</p></body></html>"
)


def test_undeclared_gbk_is_read_as_a_chinese_browser_reads_it() -> None:
    """No HTTP or <meta> charset and not UTF-8: GB18030, as a browser set to Chinese reads it,
    also with a stray byte in it (a detector alone took such pages for Big5 or Mac Roman)."""
    assert decode_html(NEWS.encode("gbk")) == (NEWS, "gb18030")
    raw = NEWS.encode("gbk").replace(b"<p>", b"\xff<p>")
    text, enc = decode_html(raw)
    assert enc == "gb18030" and "研究部署重点工作" in text


def test_undeclared_pages_that_are_not_chinese_gbk_are_not_read_as_gbk() -> None:
    traditional = "<p>區政府召開常務會議，研究部署重點工作。會議強調，要壓實責任，確保見效。</p>"
    text, enc = decode_html(traditional.encode("big5"))
    assert enc != "gb18030" and "區政府召開常務會議" in text
    latin = "<p>Le comité a décidé d'élargir la réunion, où l'été est très agréable.</p>"
    assert decode_html(latin.encode("cp1252"))[1] != "gb18030"  # the detector's call


def test_utf8_with_a_stray_byte_stays_utf8_whatever_the_page_declares() -> None:
    raw = NEWS.replace("<body>", "<head><meta charset='gbk'></head><body>").encode()
    text, enc = decode_html(raw.replace(b"<p>", b"<p>\xff"))
    assert enc == "utf-8" and "研究部署重点工作" in text and text.count("\ufffd") == 1


def test_repair_markup_survives_stray_end_tags() -> None:
    page = "<html><body><p>头部</p></body></html>\n<div id='zoom'><p>正文在后面</p></div>"
    assert "正文在后面" in parse_html(page).text_content()
    assert "</html>" not in repair_markup(page)
    # an XML declaration and NULs do not break lxml
    assert (
        "正文" in parse_html("<?xml version='1.0' encoding='gbk'?><p>正文\x00</p>").text_content()
    )
    assert parse_html("").tag == "html"
