"""Quality flags: which fields of an article were found in a weak way (low confidence).

``methods`` says how each field was found; the flags say which of those ways are weak, so that
a site whose template changed shows up as a jump in its share of flagged articles
(``govnews health``/``stats``) instead of as quietly wrong data. An article with any flag is
*low confidence*. Flags:

- ``body_fallback``: our scorer's body was weak and a peer extractor's was taken;
- ``body_partial``: the body holds less than half of the page's prose and no peer did better;
- ``title_from_page_title``: no headline on the page matched; the ``<title>`` tag's first part;
- ``date_from_url`` / ``date_far_from_title``: the date comes from the URL, or from a labelled
  date somewhere on the page rather than next to the headline;
- ``no_date``: no publication date at all.

An article whose content is scans, files or a player is not flagged for that: it is complete as
it is, and ``body_kind`` says so.
"""

from __future__ import annotations

from crawler.extract.fallback import is_weak
from crawler.extract.types import ExtractedArticle

_DATE_FLAGS = {"url": "date_from_url", "page-label": "date_far_from_title"}


def quality_flags(result: ExtractedArticle, prose_chars: int, confirmed: bool = False) -> list[str]:
    """The flags of one extracted article (sorted, no duplicates); ``confirmed``: a peer
    extractor read the same body (a body beside a long comment thread is not partial)."""
    flags: set[str] = set()
    body_method = result.methods.get("body", "")
    if body_method.startswith("fallback-"):
        flags.add("body_fallback")
    weak = result.body_text and is_weak(result.body_text, prose_chars)
    if result.body_kind == "text" and weak and not confirmed:
        flags.add("body_partial")
    if result.methods.get("title") == "title-tag":
        flags.add("title_from_page_title")
    if result.published_at is None:
        flags.add("no_date")
    elif result.methods.get("published") in _DATE_FLAGS:
        flags.add(_DATE_FLAGS[result.methods["published"]])
    return sorted(flags)


__all__ = ["quality_flags"]
