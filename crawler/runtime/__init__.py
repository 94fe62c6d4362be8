"""How a crawl runs: the in-process runner, signal handling, the extraction worker pool,
scale-out over Redis, the download handler and periodic calls."""
