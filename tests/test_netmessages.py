"""Network failures in govnews's words (crawler/extensions/netmessages.py) and Scrapy's log lines
rewritten
by the log filter at the default verbosity, kept at DEBUG."""

from __future__ import annotations

import logging

import pytest

from crawler.extensions.logfilters import InOurWords
from crawler.extensions.netmessages import plain

SSL = "ssl:<ssl.SSLContext object at 0x7fc90485c9e0>"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            f"Cannot connect to host 127.0.0.1:9 {SSL} [Connect call failed ('127.0.0.1', 9)]",
            "cannot connect to 127.0.0.1:9 (connection refused)",
        ),
        (
            f"Cannot connect to host nonexistent.invalid:80 {SSL} [Name or service not known]",
            "cannot connect to nonexistent.invalid:80 (host not found)",
        ),
        (
            "Cannot connect to host www.example.gov.cn:443 ssl:default [Connection reset by peer]",
            "cannot connect to www.example.gov.cn:443 (connection reset)",
        ),
        (
            f"Gave up retrying <GET http://127.0.0.1:9/robots.txt> (failed 4 times): "
            f"Cannot connect to host 127.0.0.1:9 {SSL} [Connect call failed ('127.0.0.1', 9)]",
            "gave up on http://127.0.0.1:9/robots.txt after 4 tries: "
            "cannot connect to 127.0.0.1:9 (connection refused)",
        ),
        (
            f"Error downloading <GET http://a.gov.cn/x/>: Cannot connect to host a.gov.cn:80 {SSL}"
            " [Name or service not known]",
            "cannot download http://a.gov.cn/x/: cannot connect to a.gov.cn:80 (host not found)",
        ),
        ("HTTP 503", "HTTP 503"),
        (
            "Gave up retrying <GET http://a.gov.cn/> (failed 3 times): 503 Service Unavailable",
            "gave up on http://a.gov.cn/ after 3 tries: 503 Service Unavailable",
        ),
    ],
)
def test_plain(raw: str, expected: str) -> None:
    assert plain(raw) == expected
    assert "0x" not in plain(raw) and "ssl:" not in plain(raw)


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(
        "scrapy.downloadermiddlewares.retry", logging.WARNING, __file__, 1, msg, args, None
    )


def test_filter_rewrites_at_default_level_and_keeps_scrapy_text_at_debug() -> None:
    msg = "Gave up retrying %(request)s (failed %(retries)d times): %(reason)s"
    args = {
        "request": "<GET http://127.0.0.1:9/>",
        "retries": 3,
        "reason": f"Cannot connect to host 127.0.0.1:9 {SSL} [Connect call failed]",
    }
    record = _record(msg, args)
    try:
        InOurWords.keep_scrapy_text = False
        assert InOurWords().filter(record)
        assert record.getMessage() == (
            "gave up on http://127.0.0.1:9/ after 3 tries: "
            "cannot connect to 127.0.0.1:9 (connection refused)"
        )
        assert record.name == "govnews"
        InOurWords.keep_scrapy_text = True
        raw = _record(msg, args)
        assert InOurWords().filter(raw) and SSL in raw.getMessage()
    finally:
        InOurWords.keep_scrapy_text = False
