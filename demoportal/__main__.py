"""``python -m demoportal [--port N]``: serve the demo portal in the foreground (Ctrl-C stops)."""

from __future__ import annotations

import argparse

from demoportal.server import DEFAULT_PORT, DemoSite


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demoportal", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"default {DEFAULT_PORT} as for govnews demo (stored URLs include it); 0: any",
    )
    args = parser.parse_args(argv)
    site = DemoSite(args.host, args.port)
    site.start()
    print(f"demo district portal on {site.base_url}/  (Ctrl-C to stop)")
    for url in site.start_urls:
        print(f"  column: {url}")
    try:
        site.serve_forever()
    except KeyboardInterrupt:
        print("stopped")


if __name__ == "__main__":
    main()
