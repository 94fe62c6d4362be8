"""Spider middlewares of govnews, one module each, as Scrapy keeps ``scrapy/spidermiddlewares``."""
