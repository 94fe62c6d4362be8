"""Generalise a page's article URLs into regexes for a site profile's ``links.article`` rule.

Pure string work used by ``govnews probe``: each URL path is cut into tokens (digit runs, hex
and mixed alphanumeric ids, literal text); URLs of the same shape are grouped, and each group
becomes one regex. Years and dates keep their width (``\\d{4}``, ``\\d{8}``), day/month
folders become ``\\d{1,2}``, ids ``\\d+``. The rule starts at the first dated or varying folder
(plus a generic word such as ``/art/`` before it), so it is not tied to one column's folder.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_HEX_RE = re.compile(r"(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{16,}")
_ALNUM_RE = re.compile(r"(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{12,}")
_TOKEN_RE = re.compile(r"\x00H|\x00A|\d+|[^\d\x00]+")
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
    segs = []
    for seg in path.strip("/").split("/"):
        seg = _ALNUM_RE.sub("\x00A", _HEX_RE.sub("\x00H", seg))
        segs.append(tuple(_TOKEN_RE.findall(seg)))
    return tuple(segs)


def _key(shape: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple("#" if t.isdigit() else t for t in seg) for seg in shape)


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
        if out and (len(shapes) < 2 or len(shapes) < 0.2 * len(urls)):
            break
        segs: list[str] = []
        first = len(key) - 1
        for i, seg in enumerate(key):
            pieces = []
            for j, tok in enumerate(seg):
                if tok == "#":
                    vals = {s[i][j] for s in shapes}
                    pieces.append(_digits({len(v) for v in vals}, vals))
                else:
                    pieces.append(
                        {"\x00H": "[0-9a-f]+", "\x00A": "[A-Za-z0-9]+"}.get(tok, re.escape(tok))
                    )
            segs.append("".join(pieces))
            # the rule starts at the first dated or varying folder: a constant folder such as
            # /col102/ or /gzdt/ would tie the rule to one column
            values = {"".join(s[i]) for s in shapes}
            if (
                first == len(key) - 1
                and i < first
                and (len(values) > 1 or _is_date_like({t for s in shapes for t in s[i][:1]}))
            ):
                first = i
        # keep one generic word before it (/art/, /content/ …)
        if first > 0 and (segs[first - 1] in _ARTICLE_WORDS or cms == "hanweb"):
            first -= 1
        out.append("/" + "/".join(segs[first:]) + "$")
    return out
