"""govnews pipelines: everything after an item exists (clean, validate, dedupe, store)."""
