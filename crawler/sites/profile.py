"""Load and validate site profiles (``crawler/sites/*.toml`` or any path).

A profile is data, never code: it is parsed with :mod:`tomllib` (no execution) and validated
against the pydantic schema in :mod:`crawler.sites.schema` (types, ranges, selector syntax,
unknown keys), with an error that names the key; URLs must be http(s) so a profile cannot point
the spider at ``file://`` or other schemes. Extra profile folders come from ``GOVNEWS_SITES_DIR``
(read in :mod:`crawler.settings`, passed in here).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from crawler.sites.schema import ProfileModel

BUILTIN_DIR = Path(__file__).parent

FIELDS = ("title", "published", "views", "body", "source", "author", "column")


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
        """A profile for a site nobody described: stay on the start URLs' hosts, a ``www.``
        host standing for its whole domain (a portal at ``www.example.gov.cn`` links its
        articles on ``example.gov.cn`` and ``xxgk.example.gov.cn`` as well)."""
        urls = tuple(start_urls)
        hosts = tuple(dict.fromkeys(h for u in urls if (h := urlsplit(u).hostname)))
        name = hosts[0].replace(".", "_").replace("-", "_") if hosts else "generic"
        domains = tuple(dict.fromkeys(_site_domain(h) for h in hosts))
        return cls(name=name, allowed_domains=domains, start_urls=urls)


def _site_domain(host: str) -> str:
    """The domain a start host stands for: itself, without a leading ``www.`` when what is
    left is still a name under a suffix (``www.example.gov.cn`` -> ``example.gov.cn``; not
    ``www.gov.cn`` -> ``gov.cn``, nor an address)."""
    rest = host.lower().removeprefix("www.")
    if rest == host.lower() or rest.count(".") < 1 or rest.replace(".", "").isdigit():
        return host
    if rest.count(".") == 1 and rest.split(".")[0] in _SECOND_LEVEL:
        return host  # www.gov.cn, www.com.cn: the rest is a public suffix
    return rest


#: second-level names under a country code that are suffixes, not sites (gov.cn, com.cn …)
_SECOND_LEVEL = frozenset({"gov", "com", "net", "org", "edu", "ac", "mil"})


def host_in_domains(host: str, domains: Iterable[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one (``allowed_domains`` rule:
    ``www.example.gov.cn`` is covered by ``example.gov.cn``, ``badexample.gov.cn`` is not)."""
    host = host.lower()
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))


def _fail(path: str, key: str, why: str) -> ProfileError:
    return ProfileError(f"{path}: key '{key}': {why}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _schema_error(path: str, exc: ValidationError) -> ProfileError:
    """The first schema error as one line: file, dotted key, what is wrong, the value given."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    key = ".".join(str(part) for part in first["loc"] if isinstance(part, str)) or "<profile>"
    why = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        why = "unknown key"
    elif first["type"] != "missing" and "input" in first and "value_error" not in first["type"]:
        why += f" (got {_short(first['input'])})"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return _fail(path, key, why + more)


def parse_profile(data: Mapping[str, Any], path: str = "<profile>") -> SiteProfile:
    """Validate a parsed TOML mapping against :class:`ProfileModel`; build a
    :class:`SiteProfile`. Types, ranges and selector syntax are the schema's job; this adds
    the one cross-field rule (every start URL inside ``allowed_domains``)."""
    try:
        model = ProfileModel.model_validate(dict(data))
    except ValidationError as exc:
        raise _schema_error(path, exc) from None
    for url in model.start_urls:
        if not urlsplit(url).hostname:
            raise _fail(path, "start_urls", f"{url!r} is not an http(s) URL")
    domains = tuple(model.allowed_domains) or tuple(
        dict.fromkeys(urlsplit(u).hostname or "" for u in model.start_urls)
    )
    for url in model.start_urls:
        if not host_in_domains(urlsplit(url).hostname or "", domains):
            raise _fail(path, "start_urls", f"{url!r} is outside allowed_domains")
    links, polite, views = model.links, model.politeness, model.views
    fields = {
        name: FieldRule(css=tuple(rule.css), xpath=tuple(rule.xpath))
        for name in FIELDS
        if (rule := getattr(model.fields, name)) is not None
    }
    return SiteProfile(
        name=model.name,
        title=model.title,
        description=model.description,
        caveats=model.caveats,
        allowed_domains=domains,
        start_urls=tuple(model.start_urls),
        encoding=model.encoding,
        article_patterns=tuple(links.article),
        article_css=links.article_css,
        article_xpath=links.article_xpath,
        next_page_css=links.next_page_css,
        next_page_xpath=links.next_page_xpath,
        deny_patterns=tuple(links.deny),
        max_pages=links.max_pages,
        fields=fields,
        download_delay=polite.download_delay,
        concurrency=polite.concurrency,
        autothrottle=polite.autothrottle,
        user_agent=polite.user_agent,
        obey_robots=polite.obey_robots,
        view_resolver=views.resolver,
        view_url_template=views.url_template,
        view_pattern=views.pattern[0] if views.pattern else None,
        view_self_increments=views.self_increments,
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
    """The profile folders, checked: a ``GOVNEWS_SITES_DIR`` that names a file or nothing is a
    mistake to report, not a folder to skip silently (its profiles would just be missing)."""
    folders = [Path(d) for d in extra_dirs]
    for folder in folders:
        if not folder.is_dir():
            what = "a file" if folder.exists() else "missing"
            raise ProfileError(f"GOVNEWS_SITES_DIR: {str(folder)!r} is {what}, not a folder")
    return [*folders, BUILTIN_DIR]


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
