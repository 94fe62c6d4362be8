"""Drop ``ix_articles_site``: ``ix_articles_site_published_at`` starts with ``site`` and serves
every lookup, count and ordering by site on its own, while each index is written on every
upsert (without it, the PostgreSQL backend spends ≈ 13 % less CPU on 3 000 article upserts,
docs/performance.md). A plain ``DROP INDEX`` on both dialects: no SQLite table rebuild, so the
search triggers and views of 0002 stay as they are.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_articles_site", table_name="articles")


def downgrade() -> None:
    op.create_index("ix_articles_site", "articles", ["site"], unique=False)
