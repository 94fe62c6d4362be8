"""Pure extraction: HTML bytes/text in, fields out. No network, no database, no clock.

Entry points:
- :func:`crawler.extract.article.extract_article` for article pages,
- :func:`crawler.extract.listing.extract_listing` for column list pages,
- :func:`crawler.extract.decode.decode_html` for turning response bytes into text.
"""

from crawler.extract.types import ExtractedArticle, ExtractedListing

__all__ = ["ExtractedArticle", "ExtractedListing"]
