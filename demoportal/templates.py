"""HTML of the demo portal: four page layouts modelled on real government CMS templates.

``trs`` (TRS WCM: index_N.html lists, t2021…_id.html articles), ``hanweb`` (大汉 JCMS tables,
art_col_id.html), ``dede`` (织梦/帝国/PHPCMS family, served in GBK) and ``vsb`` (博达 .htm pages).
Each article shows its view count the way its CMS does: a static number or a counter script
(see :func:`views_markup`). ``netloc`` is the server's host:port, needed by protocol-relative
counter URLs (NFCMS).
"""

from __future__ import annotations

from html import escape

from demoportal.data import COLUMNS, Column, DemoArticle

SITE_NAME = "唐山高新技术产业开发区"

_NAV = "".join(f'<li><a href="{c.path}index.html">{c.name}</a></li>' for c in COLUMNS)


def _head(title: str, charset: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f'<meta charset="{charset}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}-{SITE_NAME}</title>\n"
        '<link rel="stylesheet" href="/static/css/common.css">\n'
        '<script src="/static/js/jquery.min.js"></script>\n</head>\n<body>\n'
        '<div class="header"><div class="w1200"><a class="logo" href="/">'
        f'<img src="/static/img/logo.png" alt="{SITE_NAME}"></a>'
        '<form class="search" action="/search/" method="get"><input name="q" '
        'placeholder="请输入关键字"><button>搜索</button></form></div></div>\n'
        f'<div class="nav"><ul class="w1200"><li><a href="/">首页</a></li>{_NAV}</ul></div>\n'
    )


_FOOT = (
    '<div class="footer"><div class="w1200">\n'
    '<ul class="links"><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a>'
    '</li><li><a href="/hdjl/">互动交流</a></li></ul>\n'
    f"<p>主办单位：{SITE_NAME}管理委员会　网站标识码：1302000021</p>\n"
    '<p>网站统计：<span id="site-visit">-</span></p>\n</div></div>\n</body>\n</html>\n'
)


def views_markup(article: DemoArticle, netloc: str) -> tuple[str, str]:
    """(markup next to the view label, script block placed later in the page)."""
    key, c = article.key, article.counter
    if c == "static":
        label, fmt = article.static_label
        number = fmt.format(article.views, wan=f"{article.views / 10000:g}万")
        return f"{label}{number}", ""
    if c == "phpcms":
        return (
            '点击：<span id="hits"></span>次',
            '<script language="JavaScript" '
            f'src="/api.php?op=count&amp;id={key}&amp;modelid=1"></script>',
        )
    if c == "dedecms":
        return (
            f'点击：<script src="/plus/count.php?view=yes&amp;aid={key}&amp;mid=1" '
            "type='text/javascript' language=\"javascript\"></script>次",
            "",
        )
    if c == "empirecms":
        return f"点击：<script src=/e/public/ViewClick/?classid=7&id={key}&addclick=1></script>", ""
    if c == "vsb":
        return (
            f'点击数：<span id="dynclicks_wbnews_{key}_1021" '
            f'name="dynclicks_wbnews_{key}_1021"></span>',
            f'<script>_showDynClicks("wbnews", 1580883286, {key})</script>',
        )
    if c == "hanweb":
        return (
            "浏览次数：<script language='javascript' "
            f'src="/module/visitcount/articlehits.jsp?colid=1861&amp;artid={key}" >\n </script>',
            "<!-- visitcount Begin --><iframe src='/module/visitcount/visit.jsp?type=3&amp;"
            f'i_webid=3099&amp;i_columnid=1861&amp;i_articleid={key}\' name="vishidden" '
            'id="vishidden" frameborder="0" style="display:none"></iframe><!-- visitcount End -->',
        )
    if c == "nfcms":
        cb = "NFCMS_CB_POST_VISIT_2"
        return (
            '浏览次数：<span id="NFCMS-POST-VISIT-2">-</span><script>setTimeout(function(){'
            'var s = document.createElement("script");s.type = "text/javascript";'
            f's.src = "//{netloc}/jsonp/post/sum?post={key}&site=200001&callback={cb}&t=" + '
            f"Math.random().toString(35).substr(2);window.{cb} = function(data){{"
            'document.getElementById("NFCMS-POST-VISIT-2").innerHTML = data.count;'
            "document.body.removeChild(s);};document.body.appendChild(s);}, 10);</script>次",
            '<script>window.NFCMS_SITE_ID=200001;window.NFCMS_PUB_TYPE="post";'
            f'window.NFCMS_POST_ID="{key}";window.NFCMS_CAT_ID="6858";</script>'
            '<script src="/static/js/s.js" async></script>',
        )
    if c == "generic":
        return (
            '阅读次数：<script type="text/javascript" '
            f'src="/count/click.js?artid={key}"></script>次',
            "",
        )
    if c == "script":  # Epoint-style: an inline AJAX POST fills the placeholder
        return (
            '浏览次数：<span id="infoViewCount"></span>',
            f'<script>\n  var infoid = "{key}";\n  $.ajax({{ url: '
            '"/EWB-FRONT/rest/frontAppCustomAction/getInfoClickCount", type: "post",\n'
            '    data: { infoid: infoid, siteGuid: "7eb5f7f1-9041-43ad-8e13-8fcb82ea831a" },\n'
            '    success: function (msg) { $("#infoViewCount").html(msg.custom.count); } });\n'
            "</script>",
        )
    raise ValueError(f"unknown counter style {c!r}")


def _paras(article: DemoArticle) -> str:
    paras = [f'<p style="text-indent:2em;">{escape(p)}</p>' for p in article.paragraphs]
    paras += [
        f'<p>{"附件：" if i == 0 else ""}<a href="{path}" target="_blank">{escape(name)}</a></p>'
        for i, (path, name) in enumerate(article.attachments)
    ]
    return "\n".join(paras)


def article_page(article: DemoArticle, column: Column, netloc: str) -> str:
    label, script = views_markup(article, netloc)
    date = article.published
    t = escape(article.title)
    crumb_col = f'<a href="{column.path}index.html">{column.name}</a>'
    if column.layout == "trs":
        main = (
            f'<div class="main w1200">\n<div class="location">首页&gt; <a href="/">{column.parent}'
            f'</a>&gt; {crumb_col}</div>\n<div class="article">\n<h1 class="title">{t}</h1>\n'
            f'<div class="info">发布日期:{date[:10]}&nbsp;&nbsp;来源:{article.source}&nbsp;&nbsp;'
            f'{label}&nbsp;&nbsp;字号: <a href="javascript:doZoom(18)">+放大</a> '
            '<a href="javascript:doZoom(14)">-缩小</a></div>\n'
            f'<div class="content" id="zoom">\n{_paras(article)}\n</div>\n'
            '<div class="share">分享到: <a class="wx" href="javascript:;">微信</a></div>\n'
            '<div class="print"><a href="javascript:window.print()">【打印本页】</a> '
            '<a href="javascript:window.close()">【关闭窗口】</a></div>\n</div>\n</div>\n'
        )
    elif column.layout == "hanweb":
        main = (
            f'<table class="main" width="1000" align="center"><tr><td class="bt_link">当前位置：'
            f'<a href="/">首页</a> &gt; <a href="/zwgk/">{column.parent}</a> &gt; {crumb_col}'
            f'</td></tr>\n<tr><td class="title" align="center">{t}</td></tr>\n<tr><td>'
            '<table border="0" width="90%" class="bt_size_14"><tr style="font-size:15px;">\n'
            f"<td width=25% align='center'>发布日期：{date}</td>\n"
            f"<td width=25% align='center'>来源：{article.source}</td>\n"
            f"<td width=25% align='center'>{label}</td>\n"
            "<td width=25% align='center'>字体：[ <a href='javascript:doZoom(16)'>大</a> "
            "<a href='javascript:doZoom(14)'>中</a> <a href='javascript:doZoom(12)'>小</a> ]"
            "</td></tr></table></td></tr>\n"
            f'<tr><td class="bt_content"><div id="zoom">\n{_paras(article)}\n</div></td></tr>\n'
            '<tr><td><a href="javascript:window.print()">打印本页</a> '
            '<a href="javascript:window.close()">关闭窗口</a></td></tr></table>\n'
        )
    elif column.layout == "dede":
        main = (
            f'<div class="w1200 place">当前位置：<a href="/">主页</a> &gt; '
            f'<a href="/zwgk/">{column.parent}</a> &gt; {crumb_col} &gt; 正文</div>\n'
            f'<div class="w1200 viewbox">\n<div class="title"><h2>{t}</h2></div>\n'
            f'<div class="info"><small>时间:</small>{date}<small>来源:</small>{article.source}'
            f"<small>作者:</small>区融媒体中心 {label}</div>\n"
            f'<div class="content"><table width="100%"><tr><td>\n{_paras(article)}\n'
            "</td></tr></table></div>\n"
            '<div class="boxoff"><strong>------分隔线----------------------------</strong>'
            '</div>\n<div class="handle"><a href="javascript:window.print()">打印</a> '
            '<a href="javascript:window.close()">关闭</a></div>\n</div>\n'
        )
    else:  # vsb
        main = (
            '<div class="main w1200"><div class="dqwz">当前位置: <a href="/">首页</a>&gt;&gt;'
            f'<a href="/qndt/">{column.parent}</a>&gt;&gt;{crumb_col}</div>\n'
            f'<form name="_newscontent_fromname"><div class="content-title"><h3>{t}</h3>\n'
            f'<div class="content-info"><span>发布时间：{date}</span><span>来源：'
            f"{article.source}</span><span>{label}</span></div></div>\n"
            f'<div id="vsb_content"><div class="v_news_content">\n{_paras(article)}\n'
            "</div></div></form>\n</div>\n"
            '<script type="text/javascript" src="/system/resource/js/dynclicks.js"></script>\n'
        )
    charset = "gbk" if column.encoding == "gbk" else "utf-8"
    return _head(article.title, charset) + main + (script + "\n" if script else "") + _FOOT


def list_page_url(column: Column, page: int) -> str:
    """Page 0 is index.html; later pages are index_1.html … or list_2.html …"""
    if page == 0:
        return f"{column.path}index.html"
    if column.pager == "index":
        return f"{column.path}index_{page}.html"
    return f"{column.path}list_{page + 1}.html"


#: the Hanweb data proxy of the demo's jpage column, and its page size and group size
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
JPAGE_PER_PAGE, JPAGE_GROUP = 2, 2


def list_rows(items: list[DemoArticle]) -> list[str]:
    return [
        f'<li><a href="{a.path}" target="_blank" title="{escape(a.title)}">'
        f"{escape(a.title)}</a><span>{a.published[:10]}</span></li>"
        for a in items
    ]


def _records(items: list[DemoArticle]) -> str:
    return "".join(f"<record><![CDATA[{row}]]></record>" for row in list_rows(items))


def proxy_answer(items: list[DemoArticle]) -> str:
    """What the data proxy answers for a record range: a bare datastore."""
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    return f"{head}<datastore><recordset>{_records(items)}</recordset></datastore>"


def _jpage(column: Column, first: list[DemoArticle], total: int) -> str:
    unit = str(4000 + sum(map(ord, column.slug)))
    link = f"{PROXY_PATH}?page=1&webid=1&path=/&columnid={column.slug}&unitid={unit}"
    return (
        f'<div id="{unit}"><script type="text/xml"><datastore>'
        f'<nextgroup><![CDATA[<a href="{link}"></a>]]></nextgroup>'
        f"<recordset>{_records(first)}</recordset></datastore></script></div>\n"
        '<script src="/module/web/jpage/jpage.js"></script>\n'
        f"<script>$(document).ready(function(){{ $('#{unit}').jpage({{ dataStore: dataStore, "
        f"perPage: {JPAGE_PER_PAGE}, totalRecord: {total}, proxyUrl: '{PROXY_PATH}', "
        f"groupSize: {JPAGE_GROUP}, barPosition: 'bottom' }}); }});</script>"
    )


def _pager(column: Column, page: int, pages: int) -> str:
    def href(p: int) -> str:
        return list_page_url(column, p).rsplit("/", 1)[1]

    if column.style == "script":  # TRS WCM: the pager is drawn by createPageHTML
        return (
            '<div class="page"><script type="text/javascript">\n'
            f"var currentPage = {page};//所在页从0开始\nvar countPage = {pages};//共多少页\n"
            'createPageHTML(countPage, currentPage, "index", "html");\n</script></div>'
        )
    if column.style == "onclick":  # JEECMS style: onclick links and a page <select>
        go = '<a href="javascript:void(0)" onclick="location.href=encodeURI(\'{}\')">{}</a>'
        nav = [go.format(href(0), "首页")]
        nav.append(
            go.format(href(page + 1), "下一页") if page + 1 < pages else "<span>下一页</span>"
        )
        options = "".join(
            f'<option value="{href(p)}"{" selected" if p == page else ""}>{p + 1}</option>'
            for p in range(pages)
        )
        select = f'<select onchange="location.href=this.value">{options}</select>'
        return f'<div class="page">{" ".join(nav)} {select}</div>'
    nav = [f'<a href="{href(0)}">首页</a>']
    nav.append(f'<a href="{href(page - 1)}">上一页</a>' if page > 0 else "<span>上一页</span>")
    nav.append(
        f'<a href="{href(page + 1)}">下一页</a>' if page + 1 < pages else "<span>下一页</span>"
    )
    nav.append(f'<a href="{href(pages - 1)}">尾页</a>')
    return f'<div class="page">{" ".join(nav)} 共{pages}页 当前第{page + 1}页</div>'


def list_page(column: Column, items: list[DemoArticle], page: int, pages: int) -> str:
    """A list page; a jpage column's one page gets ``items`` = its first group and ``pages``
    = the column's record count."""
    if column.style == "jpage":
        body = _jpage(column, items, pages)
    else:
        rows = "\n".join(list_rows(items))
        body = f'<ul class="news-list">\n{rows}\n</ul>\n{_pager(column, page, pages)}'
    side = "".join(f'<li><a href="{c.path}index.html">{c.name}</a></li>' for c in COLUMNS)
    charset = "gbk" if column.encoding == "gbk" else "utf-8"
    return (
        _head(column.name, charset)
        + f'<div class="main w1200"><div class="location">当前位置：<a href="/">首页</a> &gt; '
        f"{column.parent} &gt; {column.name}</div>\n"
        f'<div class="sidebar"><h3>栏目导航</h3><ul>{side}</ul></div>\n'
        f'<div class="list-box"><h2>{column.name}</h2>\n{body}\n</div></div>\n' + _FOOT
    )


def channel_page(name: str, columns: list[Column]) -> str:
    """A channel landing page (/qndt/, /zwgk/) linking its columns, as the seed's nav expects."""
    items = "".join(f'<li><a href="{c.path}index.html">{c.name}</a></li>' for c in columns)
    return (
        _head(name, "utf-8")
        + f'<div class="main w1200"><div class="location">当前位置：<a href="/">首页</a> &gt; '
        f'{name}</div>\n<div class="channel"><h2>{name}</h2><ul>{items}</ul></div></div>\n' + _FOOT
    )


def home_page() -> str:
    cols = "\n".join(
        f'<div class="col-box"><h3><a href="{c.path}index.html">{c.name}</a></h3></div>'
        for c in COLUMNS
    )
    return _head("首页", "utf-8") + f'<div class="main w1200">\n{cols}\n</div>\n' + _FOOT


def not_found_page() -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title></head>'
        '<body><h1>404</h1><p>您访问的页面不存在或已被删除。</p><a href="/">返回首页</a>'
        "</body></html>"
    )
