"""The HTTP(S) download handler of a crawl without a Twisted reactor (the default).

Scrapy's aiohttp handler with one change: response headers are taken as the bytes the server
sent (aiohttp's ``raw_headers``), not as aiohttp's ``str`` view of them. That view decodes
bytes that are not UTF-8 with surrogate escapes, which Scrapy's ``Headers`` then cannot encode:
one GBK header value (a Chinese file name, a cookie, a server banner) made the whole page a
download error, where Twisted's handler passes the bytes through. Set as ``DOWNLOAD_HANDLERS``
by :mod:`crawler.settings` unless ``GOVNEWS_TWISTED=1``.
"""

from __future__ import annotations

from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler, _ClientResponse
from scrapy.http import Headers


class AiohttpHandler(AiohttpDownloadHandler):
    @staticmethod
    def _extract_headers(response: _ClientResponse) -> Headers:
        return Headers(list(response.raw_headers))
