"""Fixture portals for ``govnews discover``: five home pages, five ways CMSs draw navigation.

The navigation styles: a TRS ``<ul>`` with relative links (新闻中心 a hub holding 要闻), Hanweb
tables with ``<span>`` names and a column only behind a block's 更多 link, a dropdown with
second-level ``<ul>`` menus, a menu built by scripts (an array of ``{name, url, children}``
records and ``document.write``), and columns reachable only from a 政务公开 sub-page (served in
GBK, named only by its <meta charset>). Noise is real noise: 互动交流 and 政府信息公开年报 pages
hold dated lists too, and home pages list article titles ending in 通知 and 公告.
``Portal.columns`` is the truth a test scores discovery against.
"""

from __future__ import annotations

from tests.portal_site import Column, Portal, build_portal, page


def trs_portal() -> Portal:
    """TRS WCM: a ``<ul>`` nav of ``./`` links; 新闻中心 is a hub holding 要闻."""
    cols = (
        Column("区内动态", "news", "/qndt/", "trs"),
        Column("通知公告", "notices", "/tzgg/", "trs"),
        Column("图片新闻", "news", "/tpxw/", "trs"),
        Column("要闻", "news", "/xwzx/yw/", "trs"),
    )
    nav = (
        '<div class="nav"><ul><li><a href="./">首页</a></li><li><a href="./jggk/">机构概况</a>'
        '</li><li><a href="./ldxx/">领导信息</a></li><li><a href="./xwzx/">新闻中心</a></li>'
        '<li><a href="./qndt/">区内动态</a></li><li><a href="./tzgg/">通知公告</a></li>'
        '<li><a href="./tpxw/">图片新闻</a></li><li><a href="./hdjl/">互动交流</a></li>'
        '<li><a href="./bsfw/">办事服务</a></li><li><a href="javascript:void(0)">无障碍</a></li>'
        '<li><a href="./en/">English</a></li><li><a href="./lxwm/">联系我们</a></li></ul></div>'
    )
    hub = '<div class="sub"><a href="./yw/">要闻</a> <a href="../qndt/">区内动态</a></div>'
    extra = {
        "/jggk/": "机构概况",
        "/ldxx/": "领导信息",
        "/bsfw/": "办事服务",
        "/en/": "English",
        "/lxwm/": "联系我们",
    }
    dated = {"/hdjl/": "互动交流"}
    portal = build_portal("trs", nav, cols, extra, dated)
    portal.pages["/xwzx/"] = page("新闻中心", hub)
    return portal


def hanweb_portal() -> Portal:
    """Hanweb JCMS: table nav with ``<span>`` names; 部门动态 only behind a block's 更多>>."""
    cols = (
        Column("政务动态", "news", "/col/col1861/index.html", "hanweb"),
        Column("乡镇动态", "news", "/col/col1862/index.html", "hanweb"),
        Column("公示公告", "notices", "/col/col1863/index.html", "table"),
        Column("部门动态", "news", "/col/col1864/index.html", "hanweb"),
    )
    cells = [
        ("/index.html", "网站首页"),
        ("/col/col1001/index.html", "走进示例"),
        ("/col/col1861/index.html", "政务动态"),
        ("/col/col1862/index.html", "乡镇动态"),
        ("/col/col1863/index.html", "公示公告"),
        ("/col/col1002/index.html", "政务服务"),
        ("/col/col1003/index.html", "政民互动"),
        ("/col/col1004/index.html", "网站地图"),
    ]
    nav = "".join(f'<td><a href="{h}" target="_blank"><span>{n}</span></a></td>' for h, n in cells)
    nav = f'<table class="nav"><tr>{nav}</tr></table>'
    block = (
        '<div class="box"><div class="tit"><span>部门动态</span><a href="/col/col1864/'
        'index.html">更多&gt;&gt;</a></div><ul><li><a href="/art/2024/3/20/art_1864_3030.'
        'html">区市场监管局开展春季食品安全检查</a></li></ul></div>'
    )
    extra = {
        "/col/col1001/index.html": "走进示例",
        "/col/col1002/index.html": "政务服务",
        "/col/col1004/index.html": "网站地图",
    }
    dated = {"/col/col1003/index.html": "政民互动"}
    return build_portal("hanweb", nav + block, cols, extra, dated)


def dropdown_portal() -> Portal:
    """A dropdown menu: second-level ``<ul>``s under 信息公开, 新闻动态 and 互动交流."""
    cols = (
        Column("新闻动态", "news", "/xwdt/", "plain"),
        Column("街道动态", "news", "/xwdt/jddt/", "table"),
        Column("部门动态", "news", "/xwdt/bmdt/", "plain"),
        Column("政策文件", "policy", "/xxgk/zcwj/", "table"),
        Column("政策解读", "policy", "/xxgk/zcjd/", "plain"),
    )
    nav = (
        '<ul class="menu"><li><a href="/">首页</a></li><li class="drop"><a href="/xxgk/">信息公开'
        '</a><ul class="sub"><li><a href="/xxgk/zcwj/">政策文件</a></li><li><a href="/xxgk/zcjd/">'
        '政策解读</a></li><li><a href="/xxgk/gkzn/">政府信息公开指南</a></li><li><a href='
        '"/xxgk/ysqgk/">依申请公开</a></li></ul></li><li class="drop"><a href="/xwdt/">新闻动态'
        '</a><ul class="sub"><li><a href="/xwdt/jddt/">街道动态</a></li><li><a href="/xwdt/bmdt/">'
        '部门动态</a></li></ul></li><li class="drop"><a href="/hdjl/">互动交流</a><ul class="sub">'
        '<li><a href="/hdjl/ldxx/">领导信箱</a></li><li><a href="/hdjl/zxft/">在线访谈</a></li>'
        '</ul></li><li><a href="/login.jsp">登录</a></li></ul>'
    )
    extra = {
        "/xxgk/": "信息公开",
        "/xxgk/gkzn/": "政府信息公开指南",
        "/xxgk/ysqgk/": "依申请公开",
        "/hdjl/": "互动交流",
        "/hdjl/zxft/": "在线访谈",
    }
    dated = {"/hdjl/ldxx/": "领导信箱"}
    return build_portal("dropdown", nav, cols, extra, dated)


def script_portal() -> Portal:
    """A menu built by scripts: a ``navData`` array with children, and ``document.write``."""
    cols = (
        Column("区内要闻", "news", "/ywdt/qnyw/", "plain"),
        Column("乡镇动态", "news", "/ywdt/xzdt/", "table"),
        Column("通知公告", "notices", "/tzgg/", "plain"),
        Column("政策文件", "policy", "/zcwj/", "table"),
    )
    nav = (
        '<div id="nav"></div><script type="text/javascript">\nvar navData = [{name: "首页", '
        'url: "/"}, {name: "要闻动态", url: "/ywdt/", children: [{name: "区内要闻", url: '
        '"/ywdt/qnyw/"}, {name: "乡镇动态", url: "/ywdt/xzdt/"}]}, {name: "通知公告", url: '
        '"/tzgg/"}, {name: "互动交流", url: "/hdjl/"}, {name: "办事服务", url: "/bsfw/"}];\n'
        'renderNav(navData);\n</script>\n<script>\ndocument.write(\'<li><a href="/zcwj/">'
        "政策文件</a></li>');\ndocument.write('<li><a href=\"/en/\">English</a></li>');\n"
        "</script>"
    )
    extra = {"/ywdt/": "要闻动态", "/bsfw/": "办事服务", "/en/": "English"}
    dated = {"/hdjl/": "互动交流"}
    return build_portal("script", nav, cols, extra, dated)


def zwgk_portal() -> Portal:
    """政务公开's own sub-page holds columns the home page never links (and a dated 年报 list);
    served in GBK."""
    cols = (
        Column("新闻资讯", "news", "/xwzx/", "plain"),
        Column("政策文件", "policy", "/zwgk/zcwj/", "table"),
        Column("通知公告", "notices", "/zwgk/tzgg/", "plain"),
    )
    nav = (
        '<div class="topnav"><a href="/">首页</a> | <a href="/bqgk/">本区概况</a> | <a href='
        '"/xwzx/">新闻资讯</a> | <a href="/zwgk/">政务公开</a> | <a href="/hdjl/">互动交流</a>'
        ' | <a href="/bsfw/">办事服务</a></div>'
    )
    side = (
        '<div class="left"><h3>政务公开</h3><ul><li><a href="/zwgk/gkzn/">政府信息公开指南</a>'
        '</li><li><a href="/zwgk/ndbg/">政府信息公开年报</a></li><li><a href="/zwgk/zcwj/">政策'
        '文件</a></li><li><a href="/zwgk/tzgg/">通知公告</a></li><li><a href="/zwgk/czyjs/">'
        "财政预决算</a></li></ul></div>"
    )
    extra = {"/bqgk/": "本区概况", "/bsfw/": "办事服务", "/zwgk/gkzn/": "政府信息公开指南"}
    dated = {"/hdjl/": "互动交流", "/zwgk/ndbg/": "政府信息公开年报", "/zwgk/czyjs/": "财政预决算"}
    portal = build_portal("zwgk", nav, cols, extra, dated)
    portal.pages["/zwgk/"] = page("政务公开", side)
    portal.encoding = "gbk"
    return portal


PORTALS = {
    p.name: p
    for p in (trs_portal(), hanweb_portal(), dropdown_portal(), script_portal(), zwgk_portal())
}
