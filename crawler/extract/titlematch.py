"""How well a text matches a page's reference titles (``ArticleTitle``, ``<title>`` and its parts).

Pure string work for :mod:`crawler.extract.title`: the match score of a candidate's text, and
:class:`TitleRefs`, the references with the cheap tests that reject most texts before the costly
NFKC squash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textkit.normalise import squash


def match_score(sq: str, refs: list[tuple[str, float]]) -> float:
    """How well a candidate's squashed text matches the reference titles (0 = not at all)."""
    score = 0.0
    for ref, weight in refs:
        if sq == ref:
            score = max(score, weight)
        elif weight >= 8 and sq in ref and len(sq) >= 0.4 * len(ref):
            score = max(score, 6.0 * len(sq) / len(ref) + 2)
        elif weight >= 8 and ref in sq and len(ref) >= 0.6 * len(sq):
            score = max(score, 5.0)
    return score


#: CJK ideographs: NFKC leaves them alone, so raw text can be compared with squashed refs
_CJK_RE = re.compile(r"[\u3400-\u9fff]")


def may_match(text: str, ref_chars: set[str] | None, ref_cjk: list[str]) -> bool:
    """Cheap necessary condition for :func:`match_score`: a candidate inside a reference has its
    first ideograph among the reference's characters; a reference inside the candidate has its
    first ideograph in the candidate."""
    if ref_chars is None:
        return True  # a reference without ideographs: no cheap test applies
    m = _CJK_RE.search(text)
    if m is None or m.group() in ref_chars:
        return True
    return any(c in text for c in ref_cjk)


@dataclass(frozen=True)
class TitleRefs:
    """Non-empty reference titles, with the bounds a matching text must fall within.

    Most elements of a page cannot match; these bounds reject them before the costly NFKC
    squash (the scan over every element is the hot loop of title extraction).
    """

    refs: list[tuple[str, float]]
    site: str
    max_len: int
    #: lengths a match can have (see match_score), widened for NFKC changing a few characters
    lo: float
    hi: float
    ref_cjk: list[str]
    ref_chars: set[str] | None
    #: raw spans keep the template's indentation; a headline is never 6x whitespace, so longer
    #: spans (containers) are skipped without slicing them
    raw_limit: int

    @classmethod
    def of(cls, refs: list[tuple[str, float]], site: str) -> TitleRefs:
        max_len = max(len(r) for r, _ in refs) * 2 + 4
        ref_cjk = [m.group() for m in map(_CJK_RE.search, (r for r, _ in refs)) if m]
        return cls(
            refs,
            site,
            max_len,
            lo=min(len(r) * (0.4 if w >= 8 else 1.0) for r, w in refs) * 0.7 - 2,
            hi=max(len(r) / (0.6 if w >= 8 else 1.0) for r, w in refs) * 1.25 + 2,
            ref_cjk=ref_cjk,
            ref_chars=set("".join(r for r, _ in refs)) if len(ref_cjk) == len(refs) else None,
            raw_limit=min(1500, 6 * (max_len + 80)),
        )

    def score(self, raw: str) -> tuple[str, str, float]:
        """``(text, squashed text, match score)`` of an element's raw text: -1 when it can never
        be a headline, 0 when it does not match (its squashed text then left empty)."""
        words = raw.split()
        text = " ".join(words)
        n = len(text) - len(words) + 1
        if not 4 <= n <= self.max_len + 80:
            return text, "", -1.0
        if not self.lo <= n <= self.hi or not may_match(text, self.ref_chars, self.ref_cjk):
            return text, "", 0.0  # cannot match: skip NFKC (hot loop)
        sq = squash(text)
        ok = 4 <= len(sq) <= 240 and sq != self.site
        return text, sq, match_score(sq, self.refs) if ok else -1.0
