"""The demo portal's content: columns, articles and the counter style each article uses.

Pure data plus a deterministic body generator, so that the demo site (``server.py``) and the tests
agree on what a reader sees. The seed article is not generated: its page is shipped byte for byte
in ``site/`` (it is the product's spec page).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEED_PATH = "/qndt/qndt/202103/t20210301_3815.html"
SEED_FILE = "qndt/qndt/202103/t20210301_3815.html"

#: counter styles the demo serves (``static`` means the number is in the HTML)
COUNTER_STYLES = (
    "static",
    "phpcms",
    "dedecms",
    "empirecms",
    "vsb",
    "hanweb",
    "nfcms",
    "generic",
)


@dataclass(frozen=True)
class Column:
    """One news column: where its list pages live and which page template it uses."""

    slug: str
    name: str
    parent: str
    path: str  # the first list page's directory, e.g. "/qndt/qndt/"
    layout: str  # "trs" | "hanweb" | "dede" | "vsb"
    pager: str  # "index" (index.html, index_1.html …) | "list" (list_2.html …)
    encoding: str = "utf-8"
    per_page: int = 4
    #: how the list page draws its pager: "links" (下一页 links), "script" (TRS
    #: createPageHTML), "onclick" (onclick links and a <select> of pages), "jpage" (Hanweb:
    #: the first records in a datastore, the rest from the dataproxy.jsp data proxy)
    style: str = "links"


@dataclass(frozen=True)
class DemoArticle:
    """One demo article and what a reader sees on it (``views`` before any crawler visit)."""

    key: int  # the CMS's article id (also the counter id)
    column: str
    path: str
    title: str
    published: str  # "YYYY-MM-DD HH:MM" as printed on the page
    source: str
    views: int
    counter: str  # one of COUNTER_STYLES
    #: label and number format for static counts, e.g. ("浏览次数：", "{:,}"); "{wan}" is 1.2万
    static_label: tuple[str, str] = ("阅览量:", "{}")
    paragraphs: tuple[str, ...] = field(default=(), repr=False)
    #: (path, link text) of attached files linked at the end of the body
    attachments: tuple[tuple[str, str], ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("qndt", "区内动态", "区内动态", "/qndt/qndt/", "trs", "index", style="script"),
    Column("zwdt", "政务动态", "政务公开", "/zwgk/zwdt/", "hanweb", "list", style="jpage"),
    Column("gzdt", "工作动态", "政务公开", "/zwgk/gzdt/", "dede", "list", encoding="gbk"),
    Column("bmdt", "部门动态", "区内动态", "/qndt/bmdt/", "vsb", "index", style="onclick"),
)

_SENTENCES = (
    "会议传达学习了上级有关会议和文件精神，通报了前一阶段工作进展情况，研究部署了下一步重点任务。",
    "会议强调，要坚持以人民为中心的发展思想，把群众满意作为检验工作成效的根本标准。",
    "各部门要进一步提高政治站位，压实工作责任，细化任务分工，确保各项措施落地见效。",
    "要聚焦企业和群众反映强烈的堵点难点问题，持续优化营商环境，提升政务服务效能。",
    "活动现场，工作人员通过发放宣传资料、现场讲解、答疑解惑等形式，向群众普及相关知识。",
    "据了解，今年以来，该项工作已累计服务群众3200余人次，解决实际问题150余件。",
    "与会人员围绕产业发展、项目建设、民生保障等方面进行了深入交流，提出了意见建议。",
    "下一步，将持续完善工作机制，加强督导检查，推动工作常态化、制度化、规范化开展。",
    "检查组深入施工现场、生产车间，详细了解安全生产责任落实、隐患排查整治等情况。",
    "要严格落实安全生产责任制，以“时时放心不下”的责任感抓好各项安全防范措施。",
    "此次培训采取理论授课与案例分析相结合的方式，内容丰富，针对性和实用性强。",
    "参训人员纷纷表示，将把所学知识运用到实际工作中，切实提高业务能力和服务水平。",
    "项目总投资约12.6亿元，建成后预计年产值可达20亿元，新增就业岗位600余个。",
    "区有关部门负责同志，各镇、街道主要负责同志参加会议。",
    "活动旨在弘扬志愿服务精神，营造全社会关心关爱的良好氛围。",
    "调研组一行实地察看了社区服务中心、养老服务站和便民服务点的运行情况。",
)


def _body(key: int, title: str, date: str) -> tuple[str, ...]:
    """Four to six paragraphs: a lead naming the event, then deterministic stock sentences."""
    month, day = int(date[5:7]), int(date[8:10])
    lead = f"{month}月{day}日，{title.rstrip('。')}。"
    n = 3 + key % 3
    paras = [lead]
    for i in range(n):
        a = _SENTENCES[(key * 7 + i * 3) % len(_SENTENCES)]
        b = _SENTENCES[(key * 5 + i * 3 + 1) % len(_SENTENCES)]
        paras.append(a + b if a != b else a)
    return tuple(paras)


# (column, counter, title, published, source, views) - views is what a reader sees at start
_ROWS: tuple[tuple[str, str, str, str, str, int], ...] = (
    ("qndt", "static", "高新区召开安全生产工作专题会议", "2021-02-26 09:30", "应急管理局", 3210),
    ("qndt", "static", "高新区开展“学雷锋”志愿服务月活动", "2021-03-05 15:12", "团工委", 1234),
    ("qndt", "generic", "高新区举行重点项目集中开工仪式", "2021-03-10 10:05", "发改局", 5821),
    ("qndt", "nfcms", "高新区召开优化营商环境工作推进会", "2021-03-15 16:40", "行政审批局", 4407),
    ("qndt", "static", "高新区组织收看全国两会开幕会", "2021-03-05 08:55", "党政办", 2890),
    ("qndt", "nfcms", "高新区开展植树造林义务劳动", "2021-03-12 11:20", "城市管理局", 977),
    ("qndt", "static", "高新区召开2021年党风廉政建设工作会议", "2021-03-02 14:00", "纪工委", 1609),
    ("qndt", "generic", "高新区举办2021年春风行动专场招聘会", "2021-02-24 09:00", "人社局", 6032),
    ("qndt", "static", "高新区部署春季森林防火工作", "2021-02-20 10:45", "应急管理局", 845),
    ("zwdt", "hanweb", "区政府召开第38次常务会议", "2024-03-05 10:20", "区政府办", 1532),
    ("zwdt", "hanweb", "区长调研重点企业复工复产情况", "2024-03-08 09:10", "区政府办", 2267),
    ("zwdt", "phpcms", "区政府与省科学院签署战略合作协议", "2024-03-12 15:30", "科技局", 3349),
    ("zwdt", "hanweb", "区政府召开全区安全生产电视电话会议", "2024-03-18 16:00", "应急局", 1190),
    ("zwdt", "phpcms", "区政府专题研究城市更新工作", "2024-03-21 11:00", "住建局", 756),
    ("zwdt", "static", "区政府党组召开理论学习中心组学习会", "2024-03-25 08:30", "区政府办", 421),
    ("zwdt", "hanweb", "区政府召开防汛抗旱工作会议", "2024-04-02 14:30", "水利局", 1874),
    ("zwdt", "phpcms", "区政府督查组检查民生实事推进情况", "2024-04-09 10:00", "督查室", 633),
    ("gzdt", "dedecms", "区市场监管局开展食品安全专项检查", "2023-05-06 09:40", "市场监管局", 512),
    ("gzdt", "empirecms", "区教育局召开中小学安全工作会议", "2023-05-09 14:20", "教育局", 1088),
    ("gzdt", "dedecms", "区卫健局开展义诊进社区活动", "2023-05-12 08:50", "卫健局", 366),
    ("gzdt", "empirecms", "区人社局举办创业培训班", "2023-05-16 10:10", "人社局", 729),
    ("gzdt", "static", "区民政局走访慰问困难群众", "2023-05-18 15:00", "民政局", 1458),
    ("gzdt", "dedecms", "区农业农村局部署夏粮收购工作", "2023-05-23 09:00", "农业农村局", 287),
    ("gzdt", "empirecms", "区生态环境局开展大气污染防治督查", "2023-05-26 16:30", "环境局", 940),
    ("gzdt", "dedecms", "区司法局开展“八五”普法宣传活动", "2023-06-01 10:30", "司法局", 655),
    ("gzdt", "static", "区统计局召开经济普查培训会", "2023-06-05 09:20", "统计局", 310),
    ("bmdt", "vsb", "区文旅局举办非遗展示展演活动", "2022-09-03 10:00", "文旅局", 2045),
    ("bmdt", "vsb", "区商务局组织企业参加进口博览会", "2022-09-08 15:45", "商务局", 1377),
    ("bmdt", "static", "区财政局开展财经纪律专项检查", "2022-09-13 09:15", "财政局", 588),
    ("bmdt", "vsb", "区住建局开展建筑工地扬尘治理检查", "2022-09-16 14:10", "住建局", 803),
    ("bmdt", "script", "区应急管理局开展防汛应急演练", "2022-09-21 09:30", "应急管理局", 1523),
    ("bmdt", "vsb", "区交通局部署国庆假期交通安全工作", "2022-09-26 11:30", "交通运输局", 1126),
    ("bmdt", "static", "区档案馆开展档案开放鉴定工作", "2022-09-28 16:20", "档案馆", 267),
    ("bmdt", "static", "区融媒体中心推出“非遗里的年味”短视频", "2022-09-30 18:05", "融媒体", 12000),
)

_STATIC_LABELS: tuple[tuple[str, str], ...] = (
    ("阅览量:", "{}"),
    ("浏览次数：", "{:,}"),
    ("点击数：", "{}"),
    ("阅读：", "{}"),
)


def _path(column: Column, counter: str, key: int, date: str) -> str:
    """Article URLs in the style of the CMS family that would have produced them."""
    y, m, d = date[:4], date[5:7], date[8:10]
    if column.layout == "trs":
        return f"{column.path}{y}{m}/t{y}{m}{d}_{key}.html"
    if column.layout == "hanweb":
        if counter == "phpcms":
            return f"/zwgk/zwdt/show-12-{key}-1.html"
        return f"/art/{y}/{int(m)}/{int(d)}/art_1861_{key}.html"
    if column.layout == "dede":
        if counter == "empirecms":
            return f"{column.path}{y}-{m}-{d}/{key}.html"
        return f"{column.path}{y}/{m}{d}/{key}.html"
    return f"/info/1021/{key}.htm"


def _attachments(i: int, key: int, date: str) -> tuple[tuple[str, str], ...]:
    """Every fifth article links a notice file or two, as government pages often do."""
    if i % 5 != 2:
        return ()
    folder = f"/uploads/{date[:4]}/{date[5:7]}{date[8:10]}"
    files: tuple[tuple[str, str], ...] = ((f"{folder}/{key}_1.pdf", "附件1：工作方案.pdf"),)
    if i % 2:
        files += ((f"{folder}/{key}_2.xlsx", "附件2：任务分解表.xlsx"),)
    return files


def _build() -> tuple[DemoArticle, ...]:
    by_slug = {c.slug: c for c in COLUMNS}
    out = []
    for i, (slug, counter, title, published, source, views) in enumerate(_ROWS):
        key = 3816 + i * 17
        column = by_slug[slug]
        out.append(
            DemoArticle(
                key=key,
                column=slug,
                path=_path(column, counter, key, published),
                title=title,
                published=published,
                source=source,
                views=views,
                counter=counter,
                static_label=("浏览量：", "{wan}")
                if views >= 10000
                else _STATIC_LABELS[i % len(_STATIC_LABELS)],
                paragraphs=_body(key, title, published),
                attachments=_attachments(i, key, published),
            )
        )
    seed = DemoArticle(
        key=3815,
        column="qndt",
        path=SEED_PATH,
        title="启新程!再出发! 高新区召开2021年工作会议",
        published="2021-03-01",
        source="",
        views=16701,
        counter="static",
    )
    out.insert(0, seed)
    return tuple(out)


ARTICLES: tuple[DemoArticle, ...] = _build()


def column_articles(slug: str) -> list[DemoArticle]:
    """A column's articles, newest first (the order of a CMS list page)."""
    return sorted(
        (a for a in ARTICLES if a.column == slug), key=lambda a: a.published, reverse=True
    )
