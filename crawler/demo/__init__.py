"""The bundled demo district portal (``govnews demo``, ``python -m crawler.demo``, the e2e tests).

Pages are generated from :mod:`crawler.demo.data` by :mod:`crawler.demo.templates`; the seed
article and robots.txt are shipped as files under ``site/``; counters live in
:mod:`crawler.demo.counters`; :mod:`crawler.demo.server` serves it all on 127.0.0.1.
"""
