"""Downloader middlewares of govnews, one module each, as Scrapy keeps its own in
``scrapy/downloadermiddlewares``: address and redirect guards, decompression with reasons, the
list-page cache policy."""
