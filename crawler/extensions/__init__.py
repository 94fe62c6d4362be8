"""Scrapy extensions and crawl-wide helpers of govnews (progress, fill rates, stats, logging),
as Scrapy keeps its own in ``scrapy/extensions``."""
