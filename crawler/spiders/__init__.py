"""Spiders: :mod:`crawler.spiders.district` is the one generic spider for every site."""
