"""govnews crawler: everything that fetches and parses (spider, extraction, site profiles, CLI)."""

__version__ = "0.1.0"
