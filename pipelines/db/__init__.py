"""Database layer: typed SQLAlchemy 2.x models, sessions, upserts and analyst queries."""
