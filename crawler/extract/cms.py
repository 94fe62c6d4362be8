"""Fingerprint the CMS family that produced a page (pure; no I/O).

Chinese government sites run on a handful of content-management systems, and each leaves
recognisable traces: generator meta tags, script paths and ids, class names, HTML comments and
URL shapes. Knowing the family tells ``govnews probe`` which article-URL and pagination shapes
to expect and where the fields usually sit. Each family has weighted markers; the family with
the highest total wins if it reaches :data:`THRESHOLD`. Weak markers (a URL shape that other
systems imitate, an analytics script that many sites load) only count together with others.
"""

from __future__ import annotations

import re

#: family id -> display name
CMS_NAMES: dict[str, str] = {
    "hanweb": "Hanweb 大汉 JCMS",
    "trs_wcm": "TRS WCM 拓尔思",
    "nfcms": "NFCMS 南方报业",
    "epoint": "Epoint 新点 WebBuilder",
    "kaipuyun": "开普云 Ucap",
    "vsb": "VSB 博达站群",
    "phpcms": "PHPCMS",
    "dedecms": "DedeCMS 织梦",
    "empirecms": "EmpireCMS 帝国",
    "jeecms": "JEECMS",
    "wordpress": "WordPress",
}

THRESHOLD = 3

_I = re.IGNORECASE
_MARKERS: dict[str, tuple[tuple[re.Pattern[str], int], ...]] = {
    "hanweb": (
        (re.compile(r"<meta[^>]+(?:generator|author)[^>]+hanweb", _I), 4),
        (re.compile(r"hanweb", _I), 3),
        (re.compile(r"/module/web/jpage/|jpage/dataproxy\.jsp|/jcms_files/|/module/jslib/", _I), 3),
        (re.compile(r"visitcount/visit\.jsp|<!--\s*visitcount Begin", _I), 2),
        (re.compile(r"ZJEG_RSS\.content\.begin"), 2),
        (re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html"), 2),
        (re.compile(r"/col/col\d+/index\.html"), 2),
    ),
    "trs_wcm": (
        (re.compile(r"<meta[^>]+(?:generator|author)[^>]+\bTRS\b", _I), 4),
        (re.compile(r"class=[\"'][^\"']*\bTRS_(?:Editor|UEDITOR|PreAppend)\b"), 3),
        (re.compile(r"_trs_ta_js|_trs_user|ta\.trs\.cn|trs_paper|trs_word"), 3),
        (re.compile(r"createPageHTML\s*\("), 2),
        (re.compile(r"/t(?:19|20)\d{6}_\d+\.s?html?"), 1),
        (re.compile(r"<!--\s*(?:TRS|WCM)", _I), 2),
        (re.compile(r"class=[\"']CurrChnlCls[\"']"), 3),  # WCM's "current channel" tag output
        (re.compile(r"class=[\"']trt-(?:row|col)"), 2),  # TRS's front-end grid
    ),
    "nfcms": (
        (re.compile(r"NFCMS[_-]"), 4),
        (re.compile(r"\bnfcms\b", _I), 3),
        (re.compile(r"/content/(?:m)?post_\d+\.html"), 1),
        (re.compile(r"/gkmlpt/"), 1),
    ),
    "epoint": (
        (re.compile(r"<meta[^>]+(?:generator|author)[^>]+epoint", _I), 4),
        (re.compile(r"EpointWebBuilder|Epoint\.|epoint", _I), 3),
        (re.compile(r"class=[\"'][^\"']*\bewb-[a-z]", _I), 2),
    ),
    "kaipuyun": (
        (re.compile(r"UCAP-CONTENT|UCAPCONTENT|UCAPTITLE|ucapcms", _I), 4),
        (re.compile(r"/ucap/|\bucap\b", _I), 2),
        (re.compile(r"kaipuyun\.cn"), 3),
        (re.compile(r"kpyfx_js_id_"), 1),
    ),
    "vsb": (
        (re.compile(r"Visual\s*SiteBuilder|VSB\s*\d", _I), 4),
        (re.compile(r"/system/resource/js/|_sitegray|dynclicks\.js|_showDynClicks", _I), 3),
        (re.compile(r"/info/\d+/\d+\.htm"), 1),
    ),
    "phpcms": (
        (re.compile(r"<meta[^>]+generator[^>]+phpcms", _I), 4),
        (re.compile(r"phpcms", _I), 3),
        (re.compile(r"index\.php\?m=content&(?:amp;)?c=index&(?:amp;)?a=(?:show|lists)"), 3),
        (re.compile(r"/statics/js/"), 1),
    ),
    "dedecms": (
        (re.compile(r"<meta[^>]+generator[^>]+dedecms", _I), 4),
        (re.compile(r"dedecms|dedeajax", _I), 3),
        (re.compile(r"/plus/(?:count|list|view|search)\.php"), 2),
        (re.compile(r"/templets/"), 1),
    ),
    "empirecms": (
        (re.compile(r"<meta[^>]+generator[^>]+empire", _I), 4),
        (re.compile(r"EmpireCMS|phome", _I), 3),
        (re.compile(r"/e/(?:public/ViewClick|action/ListInfo|search/|extend/)", _I), 2),
        (re.compile(r"/skin/default/"), 1),
    ),
    "jeecms": (
        (re.compile(r"jeecms", _I), 3),
        (re.compile(r"/r/cms/www/"), 2),
    ),
    "wordpress": (
        (re.compile(r"<meta[^>]+generator[^>]+WordPress", _I), 4),
        (re.compile(r"/wp-content/|/wp-includes/"), 3),
    ),
}


def cms_scores(html: str) -> dict[str, int]:
    """Marker score per CMS family (only families with a positive score)."""
    scores: dict[str, int] = {}
    for family, markers in _MARKERS.items():
        total = sum(weight for pattern, weight in markers if pattern.search(html))
        if total:
            scores[family] = total
    return scores


def detect_cms(html: str) -> str | None:
    """The CMS family id (a key of :data:`CMS_NAMES`) of a page, or None when unsure."""
    scores = cms_scores(html)
    if not scores:
        return None
    family, best = max(scores.items(), key=lambda kv: kv[1])
    return family if best >= THRESHOLD else None
