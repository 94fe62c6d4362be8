"""Generalise a page's article URLs into regexes for a site profile's ``links.article`` rule.

Pure string work used by ``govnews probe``: each URL path is cut into tokens (digit runs, ids,
literal text); URLs of the same shape are grouped, and each group becomes one regex. Years and
dates keep their width (``\\d{4}``, ``\\d{8}``), day/month folders become ``\\d{1,2}``, numbers
``\\d+``. An id is a word where letters follow digits, in any alphabet (``ghb5cd8e75c``,
``FK6F0U6D0001899O``, ``b51327b18dff…``): ``[0-9a-f]+`` when every id of the group is lower-case
hex, else ``[0-9A-Za-z]+``; a word of letters then digits keeps its letters (``t20240310`` ->
``t\\d{8}``). The rule starts at the first dated or varying folder (plus a generic word such as
``/art/`` before it), so it is not tied to one column's folder. Every URL given is matched by
one of the regexes: a shape seen once still gets its (generalised) rule.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: a word with a letter after a digit: an id (hex, base-36, mixed case)
_ID_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]*\d+[A-Za-z][A-Za-z0-9]*")
_TOKEN_RE = re.compile(r"\x00\d+\x00|\d+|[^\d\x00]+")
_HEX_ID_RE = re.compile(r"[0-9a-f]+")
_ARTICLE_WORDS = {
    "art",
    "content",
    "contents",
    "article",
    "articles",
    "info",
    "detail",
    "news",
    "post",
    "a",
}


def _digits(lengths: set[int], values: set[str]) -> str:
    if len(lengths) == 1:
        (n,) = lengths
        if n in (4, 6, 8) and all(v[:2] in ("19", "20") for v in values):
            return rf"\d{{{n}}}"  # a year or a date: fixed width
    if lengths <= {1, 2}:
        return r"\d{1,2}"
    return r"\d+"


def _segment_shapes(path: str) -> tuple[tuple[str, ...], ...]:
    """Tokens per path segment; an id is kept whole, marked ``\\x00id\\x00``."""
    segs = []
    for seg in path.strip("/").split("/"):
        ids: list[str] = []

        def mark(m: re.Match[str], ids: list[str] = ids) -> str:
            ids.append(m.group(0))
            return f"\x00{len(ids) - 1}\x00"

        tokens = _TOKEN_RE.findall(_ID_RE.sub(mark, seg))
        segs.append(tuple("\x00" + ids[int(t[1:-1])] if t[:1] == "\x00" else t for t in tokens))
    return tuple(segs)


def _kind(token: str) -> str:
    return "#" if token.isdigit() else "\x00" if token[:1] == "\x00" else token


def _key(shape: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_kind(t) for t in seg) for seg in shape)


def _id_pattern(values: set[str]) -> str:
    ids = {v.lstrip("\x00") for v in values}
    # an id holds a digit, so the rule does not match words such as /index.html
    chars = "0-9a-f" if all(_HEX_ID_RE.fullmatch(v) for v in ids) else "0-9A-Za-z"
    return f"[{chars}]*\\d[{chars}]*"


def _is_date_like(values: set[str]) -> bool:
    return all(v.isdigit() and len(v) in (4, 6, 8) and v[:2] in ("19", "20") for v in values)


def article_regexes(urls: list[str], cms: str | None = None) -> list[str]:
    """Regexes (``re.search`` on the absolute URL) that generalise the article URLs found."""
    groups: dict[tuple[tuple[str, ...], ...], list[tuple[tuple[str, ...], ...]]] = {}
    for url in urls:
        parts = urlsplit(url)
        shape = _segment_shapes(parts.path + (f"?{parts.query}" if parts.query else ""))
        groups.setdefault(_key(shape), []).append(shape)
    out: list[str] = []
    for key, shapes in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        regex = _group_regex(key, shapes, cms)
        if regex not in out:
            out.append(regex)
    return out


def _group_regex(
    key: tuple[tuple[str, ...], ...], shapes: list[tuple[tuple[str, ...], ...]], cms: str | None
) -> str:
    """One regex for URLs of one shape."""
    segs: list[str] = []
    first = len(key) - 1
    for i, seg in enumerate(key):
        pieces = []
        for j, tok in enumerate(seg):
            vals = {s[i][j] for s in shapes}
            if tok == "#":
                pieces.append(_digits({len(v) for v in vals}, vals))
            elif tok == "\x00":
                pieces.append(_id_pattern(vals))
            else:
                pieces.append(re.escape(tok))
        segs.append("".join(pieces))
        # the rule starts at the first dated, numbered or varying folder: a constant folder
        # such as /col102/ or /gzdt/ would tie the rule to one column
        values = {"".join(s[i]) for s in shapes}
        numbered = seg == ("#",)
        dated = _is_date_like({t for s in shapes for t in s[i][:1]})
        if first == len(key) - 1 and i < first and (len(values) > 1 or dated or numbered):
            first = i
    # keep one generic word before it (/art/, /content/ …)
    if first > 0 and (segs[first - 1] in _ARTICLE_WORDS or cms == "hanweb"):
        first -= 1
    return "/" + "/".join(segs[first:]) + "$"
