"""Load and validate site profiles (``crawler/sites/*.toml`` or any path).

A profile is data, never code: it is parsed with :mod:`tomllib` (no execution), unknown keys are
rejected with an error that names them, and URLs must be http(s) so a profile cannot point the
spider at ``file://`` or other schemes. Extra profile folders come from ``GOVNEWS_SITES_DIR``
(read in :mod:`crawler.settings`, passed in here).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BUILTIN_DIR = Path(__file__).parent

FIELDS = ("title", "published", "views", "body", "source", "author", "column")
_TOP_KEYS = {
    "name",
    "title",
    "description",
    "caveats",
    "allowed_domains",
    "start_urls",
    "encoding",
    "links",
    "fields",
    "politeness",
    "views",
}
_LINK_KEYS = {
    "article",
    "article_css",
    "article_xpath",
    "next_page_css",
    "next_page_xpath",
    "deny",
    "max_pages",
}
_FIELD_KEYS = {"css", "xpath"}
_POLITE_KEYS = {"download_delay", "concurrency", "autothrottle", "user_agent", "obey_robots"}
_VIEW_KEYS = {"resolver", "url_template", "pattern", "self_increments"}
_NAME_RE = re.compile(r"^[a-z0-9_]+$")


class ProfileError(ValueError):
    """A profile file is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class FieldRule:
    """Selectors for one field, tried in order; the first non-empty match wins."""

    css: tuple[str, ...] = ()
    xpath: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteProfile:
    """Everything the generic spider needs to know about one site."""

    name: str
    title: str = ""
    description: str = ""
    caveats: str = ""
    allowed_domains: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    encoding: str | None = None
    #: regexes an article URL must match (empty: generic heuristics)
    article_patterns: tuple[str, ...] = ()
    article_css: str | None = None
    article_xpath: str | None = None
    next_page_css: str | None = None
    next_page_xpath: str | None = None
    deny_patterns: tuple[str, ...] = ()
    max_pages: int | None = None
    fields: Mapping[str, FieldRule] = field(default_factory=dict)
    download_delay: float | None = None
    concurrency: int | None = None
    autothrottle: bool | None = None
    user_agent: str | None = None
    obey_robots: bool | None = None
    view_resolver: str | None = None
    view_url_template: str | None = None
    view_pattern: str | None = None
    view_self_increments: bool | None = None
    path: str | None = None

    @classmethod
    def generic(cls, start_urls: Iterable[str]) -> SiteProfile:
        """A profile for a site nobody described: stay on the start URLs' hosts."""
        urls = tuple(start_urls)
        hosts = tuple(dict.fromkeys(h for u in urls if (h := urlsplit(u).hostname)))
        name = hosts[0].replace(".", "_").replace("-", "_") if hosts else "generic"
        return cls(name=name, allowed_domains=hosts, start_urls=urls)


def host_in_domains(host: str, domains: Iterable[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one (``allowed_domains`` rule:
    ``www.example.gov.cn`` is covered by ``example.gov.cn``, ``badexample.gov.cn`` is not)."""
    host = host.lower()
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))


def _fail(path: str, key: str, why: str) -> ProfileError:
    return ProfileError(f"{path}: key '{key}': {why}")


def _check_keys(path: str, prefix: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        allowed_list = ", ".join(sorted(allowed))
        raise _fail(path, prefix + unknown[0], f"unknown key (allowed: {allowed_list})")


def _str_list(path: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(path, key, "must be a string or a list of non-empty strings")
    return tuple(value)


def _opt(path: str, key: str, data: Mapping[str, Any], typ: type | tuple[type, ...]) -> Any:
    # ``key`` may be dotted ("links.max_pages") for the message; ``data`` is that table
    name = key.rsplit(".", 1)[-1]
    if name not in data:
        return None
    value = data[name]
    if isinstance(value, bool) and typ in (int, float, (int, float)):
        raise _fail(path, key, f"must be {typ}")
    if not isinstance(value, typ):
        names = typ.__name__ if isinstance(typ, type) else "/".join(t.__name__ for t in typ)
        raise _fail(path, key, f"must be of type {names}, got {type(value).__name__}")
    return value


def _regexes(path: str, key: str, value: Any) -> tuple[str, ...]:
    pats = _str_list(path, key, value)
    for p in pats:
        try:
            re.compile(p)
        except re.error as exc:
            raise _fail(path, key, f"bad regular expression {p!r}: {exc}") from None
    return pats


def parse_profile(data: Mapping[str, Any], path: str = "<profile>") -> SiteProfile:
    """Validate a parsed TOML mapping and build a :class:`SiteProfile`."""
    _check_keys(path, "", data, _TOP_KEYS)
    name = data.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise _fail(path, "name", "required; lower-case pinyin, digits and '_' only")
    start_urls = _str_list(path, "start_urls", data.get("start_urls", []))
    if not start_urls:
        raise _fail(path, "start_urls", "at least one column list URL is required")
    for url in start_urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise _fail(path, "start_urls", f"{url!r} is not an http(s) URL")
    domains = _str_list(path, "allowed_domains", data.get("allowed_domains", []))
    if not domains:
        domains = tuple(dict.fromkeys(urlsplit(u).hostname or "" for u in start_urls))
    for url in start_urls:
        host = urlsplit(url).hostname or ""
        if not host_in_domains(host, domains):
            raise _fail(path, "start_urls", f"{url!r} is outside allowed_domains")
    encoding = _opt(path, "encoding", data, str)
    if encoding:
        try:
            "".encode(encoding)
        except LookupError:
            raise _fail(path, "encoding", f"unknown encoding {encoding!r}") from None

    links = _opt(path, "links", data, dict) or {}
    _check_keys(path, "links.", links, _LINK_KEYS)
    max_pages = _opt(path, "links.max_pages", links, int) if "max_pages" in links else None
    if max_pages is not None and max_pages < 1:
        raise _fail(path, "links.max_pages", "must be >= 1")

    fields: dict[str, FieldRule] = {}
    for fname, rule in (_opt(path, "fields", data, dict) or {}).items():
        if fname not in FIELDS:
            raise _fail(path, f"fields.{fname}", f"unknown field (known: {', '.join(FIELDS)})")
        if not isinstance(rule, dict):
            raise _fail(path, f"fields.{fname}", "must be a table with css and/or xpath")
        _check_keys(path, f"fields.{fname}.", rule, _FIELD_KEYS)
        fields[fname] = FieldRule(
            css=_str_list(path, f"fields.{fname}.css", rule.get("css", [])),
            xpath=_str_list(path, f"fields.{fname}.xpath", rule.get("xpath", [])),
        )

    polite = _opt(path, "politeness", data, dict) or {}
    _check_keys(path, "politeness.", polite, _POLITE_KEYS)
    views = _opt(path, "views", data, dict) or {}
    _check_keys(path, "views.", views, _VIEW_KEYS)
    template = views.get("url_template")
    if template is not None and not (
        isinstance(template, str) and (template.startswith(("http://", "https://", "/")))
    ):
        raise _fail(path, "views.url_template", "must be an http(s) URL or a site-relative path")
    concurrency = polite.get("concurrency")
    if concurrency is not None and (not isinstance(concurrency, int) or concurrency < 1):
        raise _fail(path, "politeness.concurrency", "must be an integer >= 1")
    delay = polite.get("download_delay")
    if delay is not None and (
        isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0
    ):
        raise _fail(path, "politeness.download_delay", "must be a number >= 0")

    return SiteProfile(
        name=name,
        title=_opt(path, "title", data, str) or "",
        description=_opt(path, "description", data, str) or "",
        caveats=_opt(path, "caveats", data, str) or "",
        allowed_domains=domains,
        start_urls=start_urls,
        encoding=encoding,
        article_patterns=_regexes(path, "links.article", links.get("article", [])),
        article_css=_opt(path, "links.article_css", links, str),
        article_xpath=_opt(path, "links.article_xpath", links, str),
        next_page_css=_opt(path, "links.next_page_css", links, str),
        next_page_xpath=_opt(path, "links.next_page_xpath", links, str),
        deny_patterns=_regexes(path, "links.deny", links.get("deny", [])),
        max_pages=max_pages,
        fields=fields,
        download_delay=float(delay) if delay is not None else None,
        concurrency=concurrency,
        autothrottle=_opt(path, "politeness.autothrottle", polite, bool),
        user_agent=_opt(path, "politeness.user_agent", polite, str),
        obey_robots=_opt(path, "politeness.obey_robots", polite, bool),
        view_resolver=_opt(path, "views.resolver", views, str),
        view_url_template=template,
        view_pattern=_regexes(path, "views.pattern", views["pattern"])[0]
        if "pattern" in views
        else None,
        view_self_increments=_opt(path, "views.self_increments", views, bool),
        path=path,
    )


def load_file(path: Path) -> SiteProfile:
    """Read one profile file; every problem becomes a :class:`ProfileError`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such profile file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    return parse_profile(data, str(path))


def _dirs(extra_dirs: Iterable[str | Path] = ()) -> list[Path]:
    return [Path(d) for d in extra_dirs] + [BUILTIN_DIR]


def available_profiles(extra_dirs: Iterable[str | Path] = ()) -> dict[str, SiteProfile]:
    """All profiles by name; a profile in an extra folder shadows a built-in of the same name."""
    found: dict[str, SiteProfile] = {}
    for folder in reversed(_dirs(extra_dirs)):
        for path in sorted(folder.glob("*.toml")):
            profile = load_file(path)
            found[profile.name] = profile
    return found


def load_profile(name_or_path: str, extra_dirs: Iterable[str | Path] = ()) -> SiteProfile:
    """A profile by site name, or from a ``.toml`` path."""
    if name_or_path.endswith(".toml"):
        return load_file(Path(name_or_path))
    profiles = available_profiles(extra_dirs)
    if name_or_path not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ProfileError(f"unknown site {name_or_path!r} (known sites: {known})")
    return profiles[name_or_path]


def profile_for_url(url: str, extra_dirs: Iterable[str | Path] = ()) -> SiteProfile | None:
    """The profile whose allowed domains cover ``url``'s host, if any."""
    host = urlsplit(url).hostname or ""
    for profile in available_profiles(extra_dirs).values():
        if host_in_domains(host, profile.allowed_domains):
            return profile
    return None
