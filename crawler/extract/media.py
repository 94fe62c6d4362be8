"""The content block of an article whose content is images, attachments, a video or a recording,
not text.

通知公告 columns are full of them: a 公示 whose text is a scanned image, a tender published as its
PDF pages rendered to images, a notice that is one line and an attached spreadsheet. News columns
have the 视频新闻 of the district's media centre: a headline, a date and a player. A reader sees an
article (headline, date, the pictures, the files or the player), so it is one: its body is the
block right under the headline that holds them, with ``body_kind`` (``images``, ``attachments``,
``video``, ``audio``) saying what it is, and it is never rejected for lack of text.

The block: the first content image (not an icon, logo, QR code or share button; not inside a
share/nav/footer-like block), document link or player after the headline, grown to the largest
ancestor that still holds little text and not the headline itself. A player is a ``<video>`` or
``<audio>`` element, or an ``<iframe>``/``<embed>``/``<object>`` whose address (or a Flash
player's ``flashvars``) names a video or audio file or a player page. Sanitised body HTML keeps
``<video>``/``<audio>`` but never a frame or a plugin, so :func:`media_urls` gives the addresses
those play, for the article's attachments. Pure: a parsed page in, an element out.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin

from lxml.html import HtmlElement as Element

from crawler.extract.body import is_junk
from crawler.extract.fields import ATTACH_EXT_RE
from crawler.extract.layout import Layout
from textkit.normalise import squash

#: image sources and names of page furniture, not content
_FURNITURE_RE = re.compile(
    r"(?:^|[^a-z])(?:logo|icon|ico|qr|qrcode|ewm|erweima|share|weixin|wechat|weibo|banner|btn|"
    r"button|arrow|spacer|blank|dot|print|close|search)(?:[^a-z]|$)",
    re.IGNORECASE,
)
#: a dimension (width/height attribute) below this is an icon
_MIN_SIDE = 80
#: the most text (squashed characters) the block may hold: captions, a line of introduction
MAX_TEXT = 300
#: a body with less text than this, and images or attachments, is image/attachment-only
MEDIA_ONLY_TEXT = 30


def _small(img: Element) -> bool:
    for name in ("width", "height"):
        value = (img.get(name) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < _MIN_SIDE:
            return True
    return False


def _is_content_image(img: Element) -> bool:
    src = img.get("src") or img.get("data-src") or img.get("data-original") or ""
    if not src or src.startswith("data:") or _small(img):
        return False
    return not _FURNITURE_RE.search(src.rsplit("/", 1)[-1]) and not _FURNITURE_RE.search(
        f"{img.get('class') or ''} {img.get('id') or ''}"
    )


_VIDEO_FILE_RE = re.compile(
    r"\.(?:mp4|m4v|flv|f4v|webm|mov|avi|wmv|mpe?g|m3u8|rmvb|3gp)(?:$|[?#&])", re.IGNORECASE
)
_AUDIO_FILE_RE = re.compile(r"\.(?:mp3|m4a|aac|wav|ogg|oga|wma|amr)(?:$|[?#&])", re.IGNORECASE)
#: a player page embedded in a frame (``//player.example.com/…``, ``/txp/iframe/player.html``,
#: ``vod.example.gov.cn``): its address names a player, video or VOD service
_PLAYER_PAGE_RE = re.compile(r"[/.\-_](?:player|video|vod|txp)[/.\-_?]", re.IGNORECASE)
#: a URL inside a Flash player's ``flashvars`` (``vcastr_file=/uploads/a.flv&…``)
_URL_IN_VARS_RE = re.compile(r"[^=&\s\"']+\.[a-z0-9]{2,4}(?=$|[&?#\s])", re.IGNORECASE)


def _addresses(el: Element) -> list[str]:
    """The addresses a media element plays: its own, its ``<source>`` children's, and those in
    a Flash player's variables (attribute or ``<param>``)."""
    found = [el.get(a) or "" for a in ("src", "data", "data-src")]
    found += [s.get("src") or "" for s in el.iter("source")]
    variables = [el.get("flashvars") or ""]
    for param in el.iter("param"):
        name = (param.get("name") or "").lower()
        if name in ("movie", "src", "url", "file", "filename"):
            found.append(param.get("value") or "")
        elif name == "flashvars":
            variables.append(param.get("value") or "")
    for text in variables:
        found += _URL_IN_VARS_RE.findall(unquote(text))
    return [a.strip() for a in found if a.strip()]


def player_kind(el: Element) -> str | None:
    """``"video"`` or ``"audio"`` when ``el`` is a player of one, else None."""
    if el.tag in ("video", "audio"):
        return str(el.tag)
    if el.tag not in ("iframe", "embed", "object"):
        return None
    addresses = _addresses(el)
    if any(_AUDIO_FILE_RE.search(a) for a in addresses):
        return "audio"
    if any(_VIDEO_FILE_RE.search(a) for a in addresses):
        return "video"
    if el.tag == "iframe" and any(_PLAYER_PAGE_RE.search(a) for a in addresses):
        return "video"
    return None


def media_urls(block: Element, base: str | None) -> list[dict[str, str | None]]:
    """What the players in ``block`` play, as attachment records (``url``, ``name``: the
    element's title, else None): a file when one is named, else the player page."""
    found: dict[str, str | None] = {}
    for el in block.iter("video", "audio", "iframe", "embed", "object"):
        kind = player_kind(el)
        if kind is None:
            continue
        for address in _played(el):
            found.setdefault(urljoin(base, address) if base else address, el.get("title"))
    return [{"url": url, "name": name} for url, name in found.items()]


def frames_as_links(block: Element) -> None:
    """Replace each frame or plugin player in ``block`` with a link to what it plays, in place:
    sanitising drops frames and plugins with their content, and the body HTML should still say
    where the video is."""
    for el in list(block.iter("iframe", "embed", "object")):
        kind = player_kind(el)
        parent = el.getparent()
        if kind is None or parent is None:
            continue
        link = block.makeelement("a", {"href": next(iter(_played(el)), "")})
        link.text = el.get("title") or ("视频" if kind == "video" else "音频")
        link.tail = el.tail
        parent.replace(el, link)


def _played(el: Element) -> list[str]:
    """The addresses ``el`` plays: its media files, else its own address (a player page)."""
    addresses = [a for a in _addresses(el) if not a.startswith(("data:", "javascript:"))]
    files = [a for a in addresses if _VIDEO_FILE_RE.search(a) or _AUDIO_FILE_RE.search(a)]
    return files or addresses[:1]


def _is_document(el: Element) -> bool:
    if el.tag == "a":
        return bool(ATTACH_EXT_RE.search((el.get("href") or "").strip()))
    return bool(ATTACH_EXT_RE.search((el.get("src") or el.get("data") or "").strip()))


def _under_junk(el: Element, layout: Layout) -> bool:
    return any(is_junk(a, layout) for a in el.iterancestors() if a.tag not in ("body", "html"))


def media_kind(el: Element) -> str | None:
    """``"video"`` or ``"audio"`` when ``el`` holds a player (a cover image beside it is not the
    content), ``"images"`` when it holds a content image, ``"attachments"`` when it holds a
    document link or embedded document, else None."""
    players = [
        k for x in el.iter("video", "audio", "iframe", "embed", "object") if (k := player_kind(x))
    ]
    if players:
        return "video" if "video" in players else "audio"
    if any(_is_content_image(img) for img in el.iter("img")):
        return "images"
    if any(_is_document(x) for x in el.iter("a", "embed", "iframe", "object")):
        return "attachments"
    return None


def _position(el: Element, spans: dict[Element, tuple[int, int]]) -> int | None:
    """Where ``el`` stands in the page text. Players and frames hold no text, so the layout
    skips them: theirs is where the text before them ends (a previous sibling's end, else
    their parent's start)."""
    span = spans.get(el)
    if span is not None:
        return span[0]
    for before in el.itersiblings(preceding=True):
        if (span := spans.get(before)) is not None:
            return span[1]
    parent = el.getparent()
    if parent is None or parent.tag in ("body", "html"):
        return None
    return _position(parent, spans)


def media_block(layout: Layout, title_el: Element) -> Element | None:
    """The block under the headline holding a notice's images or document links, or None."""
    spans = layout.spans
    after = spans.get(title_el, (0, -1))[1]
    if after < 0:
        return None
    root = title_el.getroottree().getroot()
    first: Element | None = None
    for el in root.iter("img", "a", "embed", "iframe", "object", "video", "audio"):
        start = _position(el, spans)
        if start is None or start < after:
            continue
        if el.tag == "img":
            content = _is_content_image(el)
        else:
            content = player_kind(el) is not None or _is_document(el)
        if content and not _under_junk(el, layout):
            first = el
            break
    if first is None:
        return None
    block = first
    for parent in first.iterancestors():
        if parent.tag in ("body", "html") or title_el in parent.iterdescendants():
            break
        start, end = spans.get(parent, (0, 0))
        if is_junk(parent, layout) or len(squash(layout.text[start:end])) > MAX_TEXT:
            break
        block = parent
    return block


__all__ = [
    "MEDIA_ONLY_TEXT",
    "frames_as_links",
    "media_block",
    "media_kind",
    "media_urls",
    "player_kind",
]
