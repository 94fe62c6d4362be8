"""The bundled demo district portal (``govnews demo``, ``python -m demoportal``, the e2e tests).

Pages are generated from :mod:`demoportal.data` by :mod:`demoportal.templates`; the seed
article and robots.txt are shipped as files under ``site/``; counters live in
:mod:`demoportal.counters`; :mod:`demoportal.server` serves it all on 127.0.0.1.
"""
