"""The page-script resolver: a view label, an empty placeholder after it, and an inline AJAX call
that fills that placeholder (Epoint ``infoViewCount``, 开普云 ``#Browse`` and home-made CMSes).

The placeholder's id must appear in the script, and the script must name its URL as a string
literal (``url: "/x"``, ``$.get("/x")``, or ``var url = "/x"``); ``data: {k: v}`` pairs whose
values are string literals or ``var``s assigned literals become the query (GET) or form body
(POST). Its behaviour is unknown, so the request is assumed to add a hit.
"""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import urlencode

from crawler.extract.counters.base import CounterRequest, Resolver, absolute, with_query
from crawler.extract.counters.generic import NEVER, SITE_PREFIX, VIEW_LABEL_RE

_PLACEHOLDER = re.compile(
    r"""<(?:span|i|em|b|font|strong|label)\b[^>]*\bid\s*=\s*["']([\w-]+)["'][^>]*>"""
    r"""\s*(?:-+|0|&nbsp;)?\s*</"""
)
_INLINE = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.I | re.S)
_URL_KEY = re.compile(r"""\burl\s*:\s*(?:["']([^"']+)["']|([A-Za-z_$][\w$]*))""")
_JQ_CALL = re.compile(r"""\$\.(?:get|post|getJSON)\(\s*["']([^"']+)["']""")
_VAR = r"""\b(?:var|let|const)\s+{name}\s*=\s*["']([^"']*)["']"""
_DATA = re.compile(r"\bdata\s*:\s*\{([^{}]*)\}")
_PAIR = re.compile(r"""["']?([\w-]+)["']?\s*:\s*(?:["']([^"']*)["']|([A-Za-z_$][\w$]*))""")
_POST = re.compile(r"""\btype\s*:\s*["']post["']|\$\.post\(""", re.I)
#: how far after a view label the placeholder may start (characters of HTML)
_NEAR = 200


def _var(script: str, name: str) -> str | None:
    m = re.search(_VAR.format(name=re.escape(name)), script)
    return m.group(1) if m else None


class ScriptAjaxResolver(Resolver):
    name: ClassVar[str] = "script"
    self_increments: ClassVar[bool] = True

    def find(self, html: str, url: str) -> CounterRequest | None:
        scripts: list[str] | None = None  # collected once a placeholder is found (costly)
        for label in VIEW_LABEL_RE.finditer(html):
            if SITE_PREFIX.search(html[max(0, label.start() - 8) : label.start()]):
                continue
            ph = _PLACEHOLDER.search(html, label.end(), label.end() + _NEAR)
            if ph is None or re.search(r"[\u4e00-\u9fff]", html[label.end() : ph.start()]):
                continue
            ident = ph.group(1)
            if scripts is None:
                scripts = [m.group(1) for m in _INLINE.finditer(html)]
            for script in scripts:
                if ident in script and (request := self._from_script(script, url)):
                    return request
        return None

    def _from_script(self, script: str, page_url: str) -> CounterRequest | None:
        target = None
        m = _URL_KEY.search(script)
        if m:
            target = m.group(1) or _var(script, m.group(2))
        if target is None and (jq := _JQ_CALL.search(script)):
            target = jq.group(1)
        if not target or NEVER.search(target):
            return None
        params: dict[str, str] = {}
        data = _DATA.search(script)
        if data:
            for key, literal, name in _PAIR.findall(data.group(1)):
                value = literal if literal or not name else _var(script, name)
                if value is None:
                    return None  # a value computed at run time: we cannot rebuild the call
                params[key] = value
        ref = absolute(page_url, target)
        if _POST.search(script):
            body = urlencode(params).encode() if params else None
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if params else {}
            return self.request(ref, method="POST", body=body, headers=headers)
        return self.request(with_query(ref, add=params) if params else ref)
