"""InFlightOutput: tells a scale-out worker when a request's callback output is all handled.

On with ``GOVNEWS_REDIS_URL`` (:mod:`crawler.settings`), next to the engine (order 10), so it
sees the output every other middleware lets through. It counts the items a response yields
(each is done when it leaves the item pipelines), strips the in-flight ticket from the requests
it yields (they get their own as they are popped; a copied ``meta`` must not release this one),
and marks the output finished once the scraper has taken all of it: by then every yielded
request is in the Redis queue. See :mod:`crawler.runtime.inflight`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawler.runtime.inflight import META_KEY, Ticket


def _ticket(response: Response) -> Ticket | None:
    ticket = response.meta.get(META_KEY) if response.request is not None else None
    return ticket if isinstance(ticket, Ticket) else None


def _counted(out: Any, ticket: Ticket | None) -> Any:
    if isinstance(out, Request):
        out.meta.pop(META_KEY, None)
    elif ticket is not None and out is not None:
        ticket.item_out()
    return out


class InFlightOutput:
    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        ticket = _ticket(response)
        try:
            for out in result:
                yield _counted(out, ticket)
        finally:
            if ticket is not None:
                ticket.output_finished()

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        ticket = _ticket(response)
        try:
            async for out in result:
                yield _counted(out, ticket)
        finally:
            if ticket is not None:
                ticket.output_finished()

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        """The callback raised: its output, if any, is over (the error is handled elsewhere)."""
        if (ticket := _ticket(response)) is not None:
            ticket.output_finished()
