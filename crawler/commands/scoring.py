"""The extraction metric of the labelled corpus (same as ``../shared/corpus/score.py``).

- title: exact after NFKC and whitespace removal (``-_|`` stripped at the ends);
- date: the calendar day;
- views: exact integer, only on pages whose label has a static number;
- body: F1 over character bigrams (whitespace removed) against the label's whole ``body_text``
  where it has one, else the page's visible text (as an HTML5 parser sees it) from the labelled
  ``body_first`` to ``body_last``.

A field the label does not have (no ``title`` key, no ``published`` key) is not scored, as in the
reference scorer: third-party sets label only some fields.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_WS = re.compile(r"\s+")


def squash(text: str | None) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text or ""))


def norm_title(text: str | None) -> str:
    return squash(text).strip("-_|")


def date_part(value: object) -> str | None:
    if not value:
        return None
    m = re.search(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})", str(value))
    return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None


def _reference_decode(raw: bytes) -> str:
    """The scorer's decoding (BOM, strict UTF-8, declared charset), kept separate on purpose."""
    from w3lib.encoding import html_to_unicode, read_bom

    enc, _ = read_bom(raw)
    if enc:
        return raw.decode(enc, "replace").lstrip("\ufeff")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return str(html_to_unicode(None, raw)[1])


def visible_text(raw: bytes) -> str:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(_reference_decode(raw))
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    root = tree.body or tree.root
    return str(root.text(separator="\n")) if root else ""


def gold_body(raw: bytes, first: str, last: str, chars: int | None = None) -> str | None:
    text = squash(visible_text(raw))
    f, last_sq = squash(first), squash(last)
    if not f or not last_sq:
        return None
    i = text.find(f)
    if i < 0:
        return None
    ends: list[int] = []
    j = text.find(last_sq, i + 1)
    while j >= 0:
        ends.append(j + len(last_sq))
        j = text.find(last_sq, j + 1)
    if not ends:
        return None
    end = min(ends, key=lambda e: abs((e - i) - chars)) if chars else ends[0]
    return text[i:end]


def _bigrams(s: str) -> Counter[str]:
    return Counter(s[i : i + 2] for i in range(len(s) - 1))


def bigram_f1(pred: str | None, gold: str) -> float:
    p, g = _bigrams(squash(pred)), _bigrams(gold)
    if not p or not g:
        return 0.0
    hit = sum((p & g).values())
    if not hit:
        return 0.0
    prec, rec = hit / sum(p.values()), hit / sum(g.values())
    return 2 * prec * rec / (prec + rec)


@dataclass
class Report:
    pages: int = 0
    title_pages: int = 0
    title_ok: int = 0
    date_pages: int = 0
    date_ok: int = 0
    views_pages: int = 0
    views_ok: int = 0
    false_views: int = 0
    body_f1: dict[str, float] = field(default_factory=dict)
    misses: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)

    def scores(self) -> dict[str, Any]:
        f1s = list(self.body_f1.values())
        return {
            "pages": self.pages,
            "title_acc": _share(self.title_ok, self.title_pages),
            "title_pages": self.title_pages,
            "date_acc": _share(self.date_ok, self.date_pages),
            "date_pages": self.date_pages,
            "views_acc": round(self.views_ok / self.views_pages, 4) if self.views_pages else None,
            "views_pages": self.views_pages,
            "false_views": self.false_views,
            "body_f1_mean": round(sum(f1s) / len(f1s), 4) if f1s else None,
            "body_f1_ge_0.9": round(sum(s >= 0.9 for s in f1s) / len(f1s), 4) if f1s else None,
            "body_pages": len(f1s),
            "empty_bodies": sum(s == 0.0 for s in f1s),
        }


def _share(hits: int, pages: int) -> float | None:
    return round(hits / pages, 4) if pages else None


def load_labels(corpus: Path) -> dict[str, dict[str, Any]]:
    labels: dict[str, dict[str, Any]] = {}
    for line in (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            if d.get("kind", "article") == "article":
                labels[d["id"]] = d
    return labels


def score_page(
    report: Report, pid: str, lab: dict[str, Any], pred: dict[str, Any], raw: bytes
) -> None:
    """Add one page's prediction (keys title/published/views/body) to ``report``."""
    report.pages += 1
    miss = report.misses.setdefault
    if "title" in lab:
        report.title_pages += 1
        if lab["title"] and norm_title(pred.get("title")) == norm_title(lab["title"]):
            report.title_ok += 1
        else:
            miss("title", []).append((pid, str(lab["title"]), str(pred.get("title"))))
    if "published" in lab:
        report.date_pages += 1
        if date_part(pred.get("published")) == date_part(lab["published"]):
            report.date_ok += 1
        else:
            miss("date", []).append((pid, str(lab["published"]), str(pred.get("published"))))
    if lab.get("views") is not None:
        report.views_pages += 1
        if pred.get("views") == int(lab["views"]):
            report.views_ok += 1
        else:
            miss("views", []).append((pid, str(lab["views"]), str(pred.get("views"))))
    elif "views" in lab and pred.get("views") is not None:
        report.false_views += 1
        miss("views", []).append((pid, "None", str(pred.get("views"))))
    if "body_text" in lab:
        gold: str | None = squash(lab["body_text"])
    else:
        gold = gold_body(
            raw, lab.get("body_first") or "", lab.get("body_last") or "", lab.get("body_chars")
        )
    if gold:
        score = bigram_f1(pred.get("body") or "", gold)
        report.body_f1[pid] = score
        if score < 0.9:
            miss("body", []).append((pid, f"F1={score:.3f}", (pred.get("body") or "")[:40]))
