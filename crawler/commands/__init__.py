"""The `govnews` subcommands, one module per command (group); :mod:`crawler.cli` wires them."""
