"""Declarative site profiles: one TOML file per site, validated on load."""

from crawler.sites.profile import (
    FieldRule,
    ProfileError,
    SiteProfile,
    available_profiles,
    host_in_domains,
    load_profile,
    profile_for_url,
)

__all__ = [
    "FieldRule",
    "ProfileError",
    "SiteProfile",
    "available_profiles",
    "host_in_domains",
    "load_profile",
    "profile_for_url",
]
