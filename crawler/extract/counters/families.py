"""Counter resolvers for known CMS families, each chosen by a fingerprint in the page.

| family    | request                                                     | adds a hit?          |
|-----------|-------------------------------------------------------------|----------------------|
| hanweb    | /module/visitcount/articlehits.jsp, artcount.jsp (display)  | no (never visit.jsp) |
| nfcms     | //statistics…/jsonp/post/sum?post=&site= (JSONP count)      | no                   |
| empirecms | /e/public/ViewClick/?classid=&id= without addclick          | no (answers N + 1)   |
| phpcms    | /api.php?op=count&id=&modelid= ($('#hits').html('N'))       | yes                  |
|           | (PHPCMS 2008: /api/count.php?contentid=)                    |                      |
| dedecms   | /plus/count.php?view=yes&aid=&mid= (document.write('N'))    | yes, before reading  |
| vsb       | /system/resource/code/news/click/dynclicks.jsp?clickid=…    | yes                  |
| kaipuyun  | /cms-access-service/access/views?manuscriptId=&ChannelId=   | assumed yes          |

Read-only endpoints are preferred wherever the family has one.
"""

from __future__ import annotations

import re
from typing import ClassVar

from crawler.extract.counters.base import (
    CounterRequest,
    Resolver,
    absolute,
    query_value,
    read_number,
    script_srcs,
    to_int,
    with_query,
)


class PhpcmsResolver(Resolver):
    name: ClassVar[str] = "phpcms"
    needles: ClassVar[tuple[str, ...]] = ("api.php?op=count", "api/count.php")
    self_increments: ClassVar[bool] = True
    #: v9 ``api.php?op=count&id=&modelid=``; 2008 ``api/count.php?contentid=``
    _URL = re.compile(
        r"""["']([^"'<>]*?(?:api\.php\?op=count&(?:amp;)?|api/count\.php\?)[^"'<>]*)["']""", re.I
    )
    _HITS = re.compile(r"""\$\(\s*['"]#hits['"]\s*\)\.html\(\s*['"]?\s*(\d[\d,]*)""")

    def find(self, html: str, url: str) -> CounterRequest | None:
        for m in self._URL.finditer(html):
            ref = absolute(url, m.group(1))
            if query_value(ref, "id", "contentid"):
                return self.request(ref)
        return None

    def read(self, body: str) -> int | None:
        m = self._HITS.search(body)
        return to_int(m.group(1)) if m else None


class DedecmsResolver(Resolver):
    name: ClassVar[str] = "dedecms"
    needles: ClassVar[tuple[str, ...]] = ("/plus/count.php",)
    self_increments: ClassVar[bool] = True
    _URL = re.compile(r"""["'=]\s*([^"'<>\s]*?/plus/count\.php\?[^"'<>\s]*)""", re.I)

    def find(self, html: str, url: str) -> CounterRequest | None:
        for m in self._URL.finditer(html):
            ref = absolute(url, m.group(1))
            if query_value(ref, "aid"):
                # without view=yes the endpoint still counts but prints nothing
                return self.request(with_query(ref, add={"view": "yes"}))
        return None


class EmpirecmsResolver(Resolver):
    """帝国CMS: dropping ``addclick=1`` makes the endpoint read-only; it then answers N + 1."""

    name: ClassVar[str] = "empirecms"
    needles: ClassVar[tuple[str, ...]] = ("/e/public/viewclick",)
    _URL = re.compile(
        r"""["'=]\s*([^"'<>\s]*?/e/public/ViewClick/?(?:index\.php)?\?[^"'<>\s]*)""", re.I
    )

    def find(self, html: str, url: str) -> CounterRequest | None:
        for m in self._URL.finditer(html):
            ref = absolute(url, m.group(1))
            if query_value(ref, "id"):
                return self.request(with_query(ref, drop=("addclick",)))
        return None

    def normalise(self, raw: int, request: CounterRequest) -> int:
        # read-only answers the stored count + 1; with addclick=1 the +1 is our own hit
        return raw - 1


class VsbResolver(Resolver):
    """博达 VSB: ``_showDynClicks("wbnews", owner, id)`` (or the batch form) in the page."""

    name: ClassVar[str] = "vsb"
    needles: ClassVar[tuple[str, ...]] = ("_showdynclick",)
    self_increments: ClassVar[bool] = True
    _CALL = re.compile(r"""_showDynClicks\(\s*["'](\w+)["']\s*,\s*(\d+)\s*,\s*(\d+)\s*\)""")
    _BATCH = re.compile(
        r"""_showDynClickBatch\(\s*\[[^\]]*\]\s*,\s*\[\s*['"]?(\d+)['"]?[^\]]*\]\s*,\s*"""
        r"""["'](\w+)["']\s*,\s*(\d+)"""
    )
    PATH = "/system/resource/code/news/click/dynclicks.jsp"

    def find(self, html: str, url: str) -> CounterRequest | None:
        m = self._CALL.search(html)
        if m:
            kind, owner, clickid = m.groups()
        else:
            b = self._BATCH.search(html)
            if not b:
                return None
            clickid, kind, owner = b.groups()
        return self.request(
            absolute(url, f"{self.PATH}?clickid={clickid}&owner={owner}&clicktype={kind}")
        )


class HanwebResolver(Resolver):
    """大汉 JCMS: the display endpoints only; ``visit.jsp`` records a visit and is never used."""

    name: ClassVar[str] = "hanweb"
    needles: ClassVar[tuple[str, ...]] = ("articlehits", "artcount")
    _DISPLAY = re.compile(r"(?:/module/visitcount/articlehits\.jsp|/artcount/artcount\.jsp)", re.I)
    _VISIT_IDS = re.compile(
        r"visitcount/visit\.jsp\?[^'\"<>]*?i_columnid=(\d+)[^'\"<>]*?i_articleid=(\d+)", re.I
    )
    _ART_URL = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_(\d+)_(\d+)\.html")
    _SAVED = re.compile(r"\barticlehits\.js\b", re.I)

    def find(self, html: str, url: str) -> CounterRequest | None:
        for _, src in script_srcs(html):
            if self._DISPLAY.search(src):
                return self.request(absolute(url, src))
        # pages saved with the script rewritten (static/js/articlehits.js): rebuild from ids
        if not any(self._SAVED.search(src) for _, src in script_srcs(html)):
            return None
        ids = self._VISIT_IDS.search(html) or self._ART_URL.search(url)
        if not ids:
            return None
        col, art = ids.groups()
        return self.request(
            absolute(url, f"/module/visitcount/articlehits.jsp?colid={col}&artid={art}")
        )


class NfcmsResolver(Resolver):
    """NFCMS (南方报业, Guangdong gov sites): ``NFCMS-POST-VISIT`` placeholder + JSONP sum."""

    name: ClassVar[str] = "nfcms"
    needles: ClassVar[tuple[str, ...]] = ("nfcms-post-visit", "nfcms_post_id")
    _SUM = re.compile(r"""["']((?:https?:)?//[^"'\s]*?/jsonp/post/sum\?[^"'\s]*)["']""", re.I)
    _POST = re.compile(r"""NFCMS_POST_ID\s*=\s*["']?(\d+)""")
    _SITE = re.compile(r"""NFCMS_SITE_ID\s*=\s*["']?(\d+)""")
    DEFAULT_HOST = "//statistics.gd.gov.cn"

    def find(self, html: str, url: str) -> CounterRequest | None:
        if "NFCMS-POST-VISIT" not in html and "NFCMS_POST_ID" not in html:
            return None
        m = self._SUM.search(html)
        if m:
            return self.request(with_query(absolute(url, m.group(1)), drop=("t",)))
        post, site = self._POST.search(html), self._SITE.search(html)
        if not (post and site and "NFCMS-POST-VISIT" in html):
            return None
        ref = f"{self.DEFAULT_HOST}/jsonp/post/sum?post={post.group(1)}&site={site.group(1)}"
        return self.request(absolute(url, ref))


class KaipuyunResolver(Resolver):
    """开普云: ``$.ajax({url: "/cms-access-service/access/views", data: {manuscriptId …}})``."""

    name: ClassVar[str] = "kaipuyun"
    needles: ClassVar[tuple[str, ...]] = ("/cms-access-service/access/views",)
    self_increments: ClassVar[bool] = True
    _URL = re.compile(r"""["']([^"'\s]*?/cms-access-service/access/views)["']""")
    _ID = re.compile(r"""manuscriptId\s*[=:]\s*["']([\w-]+)["']""")
    _CHANNEL = re.compile(r"""ChannelId\s*[=:]\s*["']([\w-]+)["']""", re.I)

    def find(self, html: str, url: str) -> CounterRequest | None:
        m, mid = self._URL.search(html), self._ID.search(html)
        if not (m and mid):
            return None
        add = {"manuscriptId": mid.group(1)}
        ch = self._CHANNEL.search(html)
        if ch:
            add["ChannelId"] = ch.group(1)
        return self.request(with_query(absolute(url, m.group(1)), add=add))

    def read(self, body: str) -> int | None:
        m = re.search(r""""views"\s*:\s*"?(\d+)""", body)
        return int(m.group(1)) if m else read_number(body)


#: fingerprint order: read-only families first, then those that add a hit
FAMILIES: tuple[Resolver, ...] = (
    HanwebResolver(),
    NfcmsResolver(),
    EmpirecmsResolver(),
    PhpcmsResolver(),
    DedecmsResolver(),
    VsbResolver(),
    KaipuyunResolver(),
)
