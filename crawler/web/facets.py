"""A Datasette facet by calendar month in Asia/Shanghai: ``"facets": [{"month": "published_at"}]``.

Datasette's own date facet counts days; analysts read news per month. Times are stored in UTC,
so the month is that of the time plus 8 hours (China has no daylight saving). Selecting a month
adds ``_month=<column>:YYYY-MM``, which :mod:`crawler.web.plugin` turns into a where clause.
"""

from __future__ import annotations

from typing import Any

from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

MONTH_ARG = "_month"


def month_sql(column: str) -> str:
    """The Asia/Shanghai ``YYYY-MM`` of a UTC time column, as SQL."""
    return f"strftime('%Y-%m', {escape_sqlite(column)}, '+8 hours')"


class MonthFacet(Facet):  # type: ignore[misc]
    """Counts rows per month of a time column; never suggested, only configured or requested."""

    type = "month"

    async def suggest(self) -> list[dict[str, Any]]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        selected_now = set(self.request.args.getlist(MONTH_ARG))
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            month = month_sql(column)
            sql = (
                f"select {month} as value, count(*) as count from ({self.sql}) "
                f"where {month} is not null group by value order by value desc limit {size + 1}"
            )
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except Exception as exc:  # Datasette's QueryInterrupted: a slow facet is skipped
                if type(exc).__name__ != "QueryInterrupted":
                    raise
                timed_out.append(column)
                continue
            values = []
            for row in rows.rows[:size]:
                arg = f"{column}:{row['value']}"
                selected = arg in selected_now
                path = (
                    path_with_removed_args(self.request, {MONTH_ARG: arg})
                    if selected
                    else path_with_added_args(self.request, {MONTH_ARG: arg})
                )
                values.append(
                    {
                        "value": row["value"],
                        "label": row["value"],
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, path),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": path_with_removed_args(self.request, {"_facet_month": column}),
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out
