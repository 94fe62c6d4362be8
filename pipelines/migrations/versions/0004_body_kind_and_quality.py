"""``articles.body_kind`` and ``articles.quality``.

``body_kind``: ``text``, or ``images``/``attachments`` for a notice whose content is scans or
files (stored with its images and attachments and an empty ``body_text``, never rejected).
``quality``: the low-confidence flags extraction set (JSON list, NULL when none), whose share per
site ``govnews health`` watches. Plain ``ADD COLUMN`` on both dialects (no SQLite table rebuild,
so 0002's search triggers and views stay as they are).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "articles",
        sa.Column("body_kind", sa.String(length=20), nullable=False, server_default="text"),
    )
    op.add_column("articles", sa.Column("quality", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("articles", "quality")
    op.drop_column("articles", "body_kind")
