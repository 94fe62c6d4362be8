"""The site-profile schema: types, ranges and selector syntax, checked by pydantic on load.

Why a schema library: a profile that passes ``govnews sites check`` must not then hang the crawl
or fetch nothing. Values such as ``download_delay = 1e308`` or ``nan``, a CSS selector that no
engine can parse, or a CR/LF in a user-agent (header injection) are all refused here, each with
the dotted key that holds them, instead of by scattered hand-written ``isinstance`` checks.

The models are strict (``"2"`` is not an integer, ``"yes"`` is not a boolean) and forbid unknown
keys, so a typo or a hostile key (``exec``, ``fields.__class__``) is refused by name. Cross-field
rules (start URLs inside ``allowed_domains``) stay in :mod:`crawler.sites.profile`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from cssselect import GenericTranslator, SelectorError
from lxml import etree
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from selectolax.lexbor import LexborHTMLParser

#: the longest politeness delay a profile may ask for; anything longer is a typo or an attack
MAX_DELAY_SECONDS = 600.0
MAX_CONCURRENCY = 64
_NAME_PATTERN = r"^[a-z0-9_]+$"
# printable text only: a CR or LF in a header value would split the request (header injection)
_HEADER_PATTERN = r"^[^\x00-\x1f\x7f]+$"
_PROBE_DOC = LexborHTMLParser("<html><body><p>probe</p></body></html>")


def _as_list(value: Any) -> Any:
    """TOML lets a one-item rule be written as a bare string."""
    return [value] if isinstance(value, str) else value


def _parses(
    check: Callable[[str], object], errors: type[Exception] | tuple[type[Exception], ...], what: str
) -> Callable[[str], str]:
    """A validator that runs ``check`` (a parser) and turns its error into one line."""

    def validate(value: str) -> str:
        try:
            check(value)
        except errors as exc:
            raise ValueError(f"{what} {value!r}: {exc}") from None
        return value

    return validate


_regex = _parses(re.compile, re.error, "bad regular expression")
# field selectors run through lxml's cssselect; link selectors also through selectolax (lexbor)
# on list pages, so both engines must parse those
_css = _parses(GenericTranslator().css_to_xpath, SelectorError, "bad CSS selector")
_lexbor_css = _parses(_PROBE_DOC.css, Exception, "bad CSS selector")
_xpath = _parses(etree.XPath, etree.XPathSyntaxError, "bad XPath")
_encoding = _parses("".encode, LookupError, "unknown encoding")


NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Regex = Annotated[NonEmpty, AfterValidator(_regex)]
Css = Annotated[NonEmpty, AfterValidator(_css)]
LinkCss = Annotated[NonEmpty, AfterValidator(_css), AfterValidator(_lexbor_css)]
XPath = Annotated[NonEmpty, AfterValidator(_xpath)]
Regexes = Annotated[list[Regex], BeforeValidator(_as_list)]
Strings = Annotated[list[NonEmpty], BeforeValidator(_as_list)]
Url = Annotated[str, StringConstraints(pattern=r"^(?i)https?://[^\s/?#]+", max_length=2048)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class FieldRuleModel(_Strict):
    """Selectors for one field, tried in order."""

    css: Annotated[list[Css], BeforeValidator(_as_list)] = []
    xpath: Annotated[list[XPath], BeforeValidator(_as_list)] = []


class FieldsModel(_Strict):
    """The fields a profile may override; any other name is refused."""

    title: FieldRuleModel | None = None
    published: FieldRuleModel | None = None
    views: FieldRuleModel | None = None
    body: FieldRuleModel | None = None
    source: FieldRuleModel | None = None
    author: FieldRuleModel | None = None
    column: FieldRuleModel | None = None


class LinksModel(_Strict):
    """How to find article links and the next list page."""

    article: Regexes = []
    article_css: LinkCss | None = None
    article_xpath: XPath | None = None
    next_page_css: LinkCss | None = None
    next_page_xpath: XPath | None = None
    deny: Regexes = []
    max_pages: Annotated[int, Field(ge=1, le=100_000)] | None = None


class PolitenessModel(_Strict):
    """Per-site overrides of Scrapy's politeness settings, bounded so a crawl cannot stall."""

    download_delay: (
        Annotated[float, Field(ge=0, le=MAX_DELAY_SECONDS, allow_inf_nan=False)] | None
    ) = None
    concurrency: Annotated[int, Field(ge=1, le=MAX_CONCURRENCY)] | None = None
    autothrottle: bool | None = None
    user_agent: (
        Annotated[str, StringConstraints(pattern=_HEADER_PATTERN, max_length=512)] | None
    ) = None
    obey_robots: bool | None = None


class ViewsModel(_Strict):
    """Where the view count comes from when it is not in the article page."""

    resolver: NonEmpty | None = None
    url_template: Annotated[str, StringConstraints(pattern=r"^(https?://|/)")] | None = None
    pattern: Regexes | None = None
    self_increments: bool | None = None


class ProfileModel(_Strict):
    """One site profile file, as parsed from TOML."""

    name: Annotated[str, StringConstraints(pattern=_NAME_PATTERN)]
    title: str = ""
    description: str = ""
    caveats: str = ""
    allowed_domains: Strings = []
    start_urls: Annotated[list[Url], BeforeValidator(_as_list), Field(min_length=1)]
    encoding: Annotated[NonEmpty, AfterValidator(_encoding)] | None = None
    links: LinksModel = LinksModel()
    fields: FieldsModel = FieldsModel()
    politeness: PolitenessModel = PolitenessModel()
    views: ViewsModel = ViewsModel()
