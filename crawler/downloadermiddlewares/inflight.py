"""InFlightFailure: tells a scale-out worker that a request failed for good.

On with ``GOVNEWS_REDIS_URL`` (:mod:`crawler.settings`), first in the chain (order 10), so its
``process_exception`` is the last one called: a retry middleware further in has already put a
new request in this one's stead, or declined to. What gets here goes to the request's errback;
the reject row that writes is released with the next storage commit. See
:mod:`crawler.runtime.inflight`.
"""

from __future__ import annotations

from scrapy import Request

from crawler.runtime.inflight import META_KEY, Ticket


class InFlightFailure:
    def process_exception(self, request: Request, exception: Exception) -> None:
        ticket = request.meta.get(META_KEY)
        if isinstance(ticket, Ticket):
            ticket.failed()
