"""The demo site's view counters: in-memory hit counts that behave like the real CMS endpoints.

Each counter holds the count a reader last saw. Endpoints add a hit where the real CMS does:

=========  ======================================================  ==================  ==========
family     endpoint                                                answer              adds a hit
=========  ======================================================  ==================  ==========
phpcms     /api.php?op=count&id=&modelid=                          $('#hits').html()   yes
dedecms    /plus/count.php?view=yes&aid=&mid=                      document.write()    yes, first
empirecms  /e/public/ViewClick/?classid=&id=[&addclick=1]          document.write()    addclick=1
vsb        /system/resource/code/news/click/dynclicks.jsp          plain integer       yes
hanweb     /module/visitcount/articlehits.jsp?colid=&artid=        document.write()    no
hanweb     /module/visitcount/visit.jsp (records a visit)          empty page          yes
nfcms      /jsonp/post/sum?post=&callback=                         JSONP {"count": N}  no
generic    /count/click.js?artid=                                  document.write()    yes
script     POST /EWB-FRONT/rest/frontAppCustomAction/getInfoClickCount (form infoid=)
                                                                   JSON custom.count   yes
=========  ======================================================  ==================  ==========

EmpireCMS's read-only answer is the count + 1 (what the page would show after its own hit).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Hit:
    """One request to a counter endpoint: which article, which family, and whether it counted."""

    key: int
    family: str
    path: str
    added: bool


_CALLBACK_RE = re.compile(r"^[A-Za-z_$][\w$.]{0,80}$")


class CounterBoard:
    """Thread-safe per-article counts plus a log of every counter request."""

    def __init__(self, initial: Mapping[int, int]) -> None:
        self._counts = dict(initial)
        self._log: list[Hit] = []
        self._lock = threading.Lock()

    def value(self, key: int) -> int | None:
        with self._lock:
            return self._counts.get(key)

    def log(self) -> list[Hit]:
        with self._lock:
            return list(self._log)

    def _touch(self, key: int, family: str, path: str, add: bool) -> int | None:
        with self._lock:
            if key not in self._counts:
                return None
            if add:
                self._counts[key] += 1
            self._log.append(Hit(key, family, path, add))
            return self._counts[key]

    def handle(self, path: str, query: str, form: str = "") -> str | None:
        """The body to answer a counter request with, or None if ``path`` is no counter.

        ``form`` is a POST request's url-encoded body; its fields join the query's.
        """
        q = {k: v[-1] for k, v in parse_qs(query).items()}
        q.update({k: v[-1] for k, v in parse_qs(form).items()})

        def key(*names: str) -> int | None:
            for name in names:
                value = q.get(name, "")
                if value.isdigit():
                    return int(value)
            return None

        if path in ("/api.php", "/index.php") and q.get("op") == "count":
            k = key("id")
            n = None if k is None else self._touch(k, "phpcms", path, add=True)
            if n is None:
                return None
            return (
                f"$('#todaydowns').html('{n % 7 + 1}');\n$('#weekdowns').html('{n % 31 + 3}');\n"
                f"$('#monthdowns').html('{n % 97 + 11}');\n$('#hits').html('{n}');\n"
            )
        if path == "/plus/count.php":
            k = key("aid")
            n = None if k is None else self._touch(k, "dedecms", path, add=True)
            if n is None:
                return None
            return f"document.write('{n}');\r\n" if q.get("view") == "yes" else ""
        if path in ("/e/public/ViewClick/", "/e/public/ViewClick/index.php"):
            k = key("id")
            add = q.get("addclick") == "1"
            n = None if k is None else self._touch(k, "empirecms", path, add=add)
            if n is None:
                return None
            return f"document.write('{n if add else n + 1}');"
        if path == "/system/resource/code/news/click/dynclicks.jsp":
            k = key("clickid")
            n = None if k is None else self._touch(k, "vsb", path, add=True)
            return None if n is None else str(n)
        if path == "/module/visitcount/articlehits.jsp":
            k = key("artid", "i_articleid")
            n = None if k is None else self._touch(k, "hanweb", path, add=False)
            return None if n is None else f'document.write("{n}");'
        if path == "/vc/vc/interface/artcount/artcount.jsp":
            k = key("i_articleid", "artid")
            n = None if k is None else self._touch(k, "hanweb", path, add=False)
            return None if n is None else str(n)
        if path == "/module/visitcount/visit.jsp":
            k = key("i_articleid")
            n = None if k is None else self._touch(k, "hanweb-visit", path, add=True)
            return None if n is None else "<html><body></body></html>"
        if path == "/jsonp/post/sum":
            k = key("post")
            n = None if k is None else self._touch(k, "nfcms", path, add=False)
            if n is None:
                return None
            cb = q.get("callback", "")
            data = f'{{"count":{n},"post":{k}}}'
            return f"{cb}({data})" if _CALLBACK_RE.match(cb) else data
        if path == "/EWB-FRONT/rest/frontAppCustomAction/getInfoClickCount":
            k = key("infoid")
            n = None if k is None else self._touch(k, "script", path, add=True)
            if n is None:
                return None
            return f'{{"custom":{{"count":"{n}"}},"status":{{"code":1,"text":""}}}}'
        if path == "/count/click.js":
            k = key("artid", "id")
            n = None if k is None else self._touch(k, "generic", path, add=True)
            return None if n is None else f"document.write('{n}');"
        return None
