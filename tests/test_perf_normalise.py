"""The fast NFKC and ``normalise_text`` (behind every stored ``content_hash``) equal their
definitions.

``crawler.extract.text.to_nfkc`` (behind ``squash``, the info-line normalisation and
``pipelines.fingerprint.normalise_text``) skips ``unicodedata.normalize`` when it can (see
docs/performance.md); titles, dates and stored hashes must not change, so each is checked here
against the plain definition (NFKC; then zero-width characters removed and whitespace
collapsed) on generated strings from the characters where NFKC, full-width forms and whitespace
interact, and on every single code point.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.extract.text import to_nfkc
from pipelines.fingerprint import content_hash, normalise_text

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# full-width ASCII and its neighbours, combining marks, compatibility ideographs, Hangul jamo,
# half-width katakana + voicing marks, Unicode whitespace, zero-width characters, CJK text
INTERESTING = (
    [chr(c) for c in range(0xFF00, 0xFF70)]
    + [chr(c) for c in (0x3000, 0x3001, 0x3002, 0x300C, 0x201C, 0x201D, 0x4E00, 0x533A, 0x5E02)]
    + [chr(c) for c in (0x0300, 0x0301, 0x0308, 0x0327, 0x030A, 0x0338, 0x3099, 0x309A, 0x309B)]
    + [chr(c) for c in (0xF900, 0xFA10, 0x2460, 0x2160, 0xFB01, 0x212B, 0x2260, 0xFFE5)]
    + [chr(c) for c in (0x1100, 0x1161, 0x11A8, 0xAC00, 0x3131, 0xFF76, 0xFF9E, 0x304B)]
    + [chr(c) for c in (0x00A0, 0x2003, 0x2028, 0x0085, 0x1C, 0x1D, 0x0B, 0x0C)]
    + list(ZERO_WIDTH)
    + list(" \t\r\nAa1,.")
)


def reference(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    for char in ZERO_WIDTH:
        text = text.replace(char, "")
    return " ".join(text.split())


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(INTERESTING), max_size=30))
def test_to_nfkc_equals_nfkc(text: str) -> None:
    assert to_nfkc(text) == unicodedata.normalize("NFKC", text)


@given(st.text(max_size=40))
def test_to_nfkc_on_any_text(text: str) -> None:
    assert to_nfkc(text) == unicodedata.normalize("NFKC", text)


def test_to_nfkc_on_every_code_point_after_a_full_width_letter() -> None:
    # each code point alone and behind a full-width character (the one the fast path rewrites):
    # a combining mark after it must compose exactly as NFKC composes it
    import sys

    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        char = chr(cp)
        for text in (char, "\uff21" + char + "，"):
            assert to_nfkc(text) == unicodedata.normalize("NFKC", text), hex(cp)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(INTERESTING), max_size=30))
def test_normalise_text_equals_its_definition(text: str) -> None:
    assert normalise_text(text) == reference(text)


@given(st.text(max_size=40))
def test_normalise_text_on_any_text(text: str) -> None:
    assert normalise_text(text) == reference(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("会议强调，要坚持（以人民为中心）：", "会议强调,要坚持(以人民为中心):"),
        ("\u3000\u3000第一段\u200b内容\n\n第二段　Ａ１", "第一段内容 第二段 A1"),
        ("ｶﾞ\u00a0①", "ガ 1"),
        (None, ""),
    ],
)
def test_normalise_text_table(text: str | None, expected: str) -> None:
    assert normalise_text(text) == expected


def test_content_hash_is_stable() -> None:
    # sha256("标题\n正文 内容"): a hash stored by an earlier version must still match
    import hashlib

    expected = hashlib.sha256("标题\n正文 内容".encode()).hexdigest()
    assert content_hash(" 标题 ", "正文\u3000\u200b内容") == expected
