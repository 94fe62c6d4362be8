"""``govnews schedule``: print ready-to-install crontab lines and a systemd service + timer.

Nothing is installed: the text goes to stdout for the operator to review and paste. Each line
uses absolute paths (the ``govnews`` executable, a SQLite file, the log folder) because cron and
systemd do not start in your working directory. No ``flock`` is needed: the crawl-run lock in
the database refuses a second run of the same site with a clear message. Minutes are spread per
site (a stable hash of its name) so that several sites do not all start at once.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import sys
from pathlib import Path

import click

from crawler.commands.common import db_option, resolve_db

DOW = dict(zip("01234567", ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
#: environment variables a scheduled crawl should see as they are now
PASSED_ENV = ("GOVNEWS_SITES_DIR", "GOVNEWS_CONTACT_URL", "GOVNEWS_REDIS_URL")


def executable() -> str:
    """Absolute command that runs govnews (the console script, else this Python -m)."""
    found = shutil.which("govnews")
    if found:
        return str(Path(found).absolute())
    return f"{shlex.quote(sys.executable)} -m crawler.cli"


def absolute_db(url: str) -> str:
    """A relative SQLite path made absolute (cron's working directory is $HOME)."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rest = url[len(prefix) :]
        if rest and rest != ":memory:" and not rest.startswith("file:"):
            return prefix + str(Path(rest).absolute())
    return url


def minute_for(site: str) -> int:
    return int(hashlib.sha256(site.encode()).hexdigest(), 16) % 60


def cron_spec(every: str, site: str) -> str:
    minute = minute_for(site)
    if every == "hourly":
        return f"{minute} * * * *"
    if every == "daily":
        return f"{minute} 3 * * *"
    fields = every.split()
    if len(fields) != 5:
        raise click.BadParameter(
            f"{every!r}: use daily, hourly or a 5-field cron expression", param_hint="--every"
        )
    return every


def _sd_field(value: str, names: dict[str, str] | None = None) -> str:
    """One cron field in systemd calendar syntax (*, lists, ranges a..b, steps 0/15)."""
    parts = []
    for part in value.split(","):
        base, _, step = part.partition("/")
        if names is not None:
            base = "..".join(names.get(x, x) for x in base.split("-"))
        else:
            base = base.replace("-", "..")
        if step:
            base = ("0" if base == "*" else base) + "/" + step
        parts.append(base)
    return ",".join(parts)


def on_calendar(spec: str) -> str:
    """A 5-field cron expression as a systemd ``OnCalendar=`` value."""
    minute, hour, dom, month, dow = spec.split()
    date = f"*-{_sd_field(month)}-{_sd_field(dom)}"
    time = f"{_sd_field(hour)}:{_sd_field(minute)}:00"
    if dow != "*":
        if "/" in dow:
            raise click.BadParameter(f"day-of-week steps are not supported: {dow!r}")
        return f"{_sd_field(dow, DOW)} {date} {time}"
    return f"{date} {time}"


def env_pairs(db_url: str) -> list[tuple[str, str]]:
    pairs = [("GOVNEWS_DB", db_url)]
    pairs += [(name, os.environ[name]) for name in PASSED_ENV if os.environ.get(name)]
    return pairs


def fleet_args(sites: list[str], every_site: bool) -> str:
    """The sites of one fleet crawl: ``--all`` when they are every profile (a profile added
    later is then crawled without a new schedule), else their names."""
    return "--all" if every_site else " ".join(shlex.quote(s) for s in sites)


def crontab_text(
    sites: list[str],
    every: str,
    db_url: str,
    exe: str,
    log_dir: Path,
    fleet: str | None = None,
) -> str:
    """Crontab lines: one crawl per site, or with ``fleet`` (the sites of :func:`fleet_args`)
    one line that crawls them all concurrently in one process."""
    # cron turns an unescaped % into a newline (URL-encoded passwords contain %)
    env = " ".join(f"{k}={shlex.quote(v)}".replace("%", "\\%") for k, v in env_pairs(db_url))
    lines = [f"# mkdir -p {shlex.quote(str(log_dir))}"]
    if fleet is not None:
        lines[:0] = [
            "# govnews: paste into `crontab -e`. One process crawls every site concurrently,",
            "# each with its own politeness, run row and lock; exit 1 (cron mails) if one failed.",
        ]
        log = shlex.quote(str(log_dir / "fleet.log"))
        lines.append(f"{cron_spec(every, 'fleet')} {env} {exe} crawl {fleet} --quiet >> {log} 2>&1")
    else:
        lines[:0] = [
            "# govnews: paste into `crontab -e`. One incremental crawl per site; a run that would",
            "# overlap a still-running crawl of the same site is refused by the database lock.",
            "# (`govnews schedule --fleet` prints one line that crawls them all in one process.)",
        ]
    for site in sites if fleet is None else []:
        log = shlex.quote(str(log_dir / f"{site}.log"))
        lines.append(
            f"{cron_spec(every, site)} {env} {exe} crawl {shlex.quote(site)} --quiet >> {log} 2>&1"
        )
    health_log = shlex.quote(str(log_dir / "health.log"))
    lines.append(
        "# health check after the crawls: silent when all is well, so cron mails only problems"
    )
    # a schedule that silently stopped is a failure too: flag sites with no recent finished run
    max_age = {"daily": " --max-age 30", "hourly": " --max-age 3"}.get(every, "")
    lines.append(f"30 6 * * * {env} {exe} health{max_age} > {health_log} 2>&1 || cat {health_log}")
    return "\n".join(lines) + "\n"


def systemd_text(
    every: str, db_url: str, exe: str, log_dir: Path, sites: list[str], fleet: str | None = None
) -> str:
    """A templated service + timer per site, or with ``fleet`` one service + timer for all."""
    if fleet is not None:
        # systemd expands %-specifiers in unit files: a literal % is written %%
        return _units(
            "govnews-fleet",
            "incremental crawl of every site, concurrently in one process",
            cron_spec(every, "fleet"),
            f"{exe} crawl {fleet.replace('%', '%%')} --quiet",
            db_url,
            log_dir / "fleet.log",
            "govnews-fleet.timer",
        )
    return _units(
        "govnews-crawl@",
        "incremental crawl of site %i",
        cron_spec(every, "govnews"),
        f"{exe} crawl %i --quiet",
        db_url,
        log_dir / "%i.log",
        " ".join(f"govnews-crawl@{s}.timer" for s in sites),
    )


def _units(
    unit: str, what: str, spec: str, command: str, db_url: str, log: Path, enable: str
) -> str:
    """One service + timer pair named ``unit`` that runs ``command`` on the schedule ``spec``."""
    env = "\n".join(f'Environment="{k}={v.replace("%", "%%")}"' for k, v in env_pairs(db_url))
    return f"""\
# ~/.config/systemd/user/{unit}.service  (or /etc/systemd/system/ for a system unit)
[Unit]
Description=govnews {what}
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
{env}
ExecStartPre=/bin/mkdir -p {log.parent}
ExecStart={command}
StandardOutput=append:{log}
StandardError=append:{log}
Nice=10
# a stop signals govnews alone, which passes it on to its worker processes once (a second
# SIGTERM would force them)
KillMode=mixed

# ~/.config/systemd/user/{unit}.timer
[Unit]
Description=Schedule the govnews {what}

[Timer]
OnCalendar={on_calendar(spec)}
RandomizedDelaySec=10min
Persistent=true

[Install]
WantedBy=timers.target

# then:
#   systemctl --user daemon-reload
#   systemctl --user enable --now {enable}
#   systemctl --user list-timers 'govnews-*'
"""


@click.command()
@click.option(
    "--site",
    "sites",
    multiple=True,
    metavar="SITE",
    help="Site profile to schedule (repeatable; default: every configured profile).",
)
@click.option(
    "--every",
    default="daily",
    show_default=True,
    metavar="daily|hourly|CRON",
    help="How often: daily, hourly, or a 5-field cron expression such as '0 */6 * * *'.",
)
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the runs log (default ~/.local/state/govnews/logs).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["all", "cron", "systemd"]),
    default="all",
    show_default=True,
    help="Print crontab lines, systemd units, or both.",
)
@click.option(
    "--fleet",
    is_flag=True,
    help="One entry that crawls every site concurrently in one process (`crawl --all`, or "
    "the --site names), instead of one entry per site.",
)
@db_option
def schedule(
    sites: tuple[str, ...],
    every: str,
    log_dir: Path | None,
    fmt: str,
    fleet: bool,
    db: str | None,
) -> None:
    """Print crontab lines and a systemd service + timer for scheduled crawls.

    Nothing is installed; review the text and paste it. Crawls are incremental, so a
    daily run fetches only new articles. Follow up with `govnews health` (exit code 1 when a
    site looks broken), which the crontab text already schedules.

    \b
    Example:
        govnews schedule --site tangshan_gxq --every daily
        govnews schedule --every '0 */6 * * *' --format systemd --db postgresql://u@h/news
        govnews schedule --fleet --every hourly
    """
    from crawler.settings import GOVNEWS_SITES_DIRS
    from crawler.sites import ProfileError, available_profiles, load_profile

    try:
        if sites:
            for s in sites:
                load_profile(s, GOVNEWS_SITES_DIRS)  # fail early on an unknown site
            # a profile given as a file path must still be found from cron's working directory
            names = [str(Path(s).absolute()) if s.endswith(".toml") else s for s in sites]
        else:
            names = sorted(available_profiles(GOVNEWS_SITES_DIRS))
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    if not names:
        raise click.ClickException("no site profiles configured: give --site or add a profile")
    cron_spec(every, names[0])  # validate --every once
    db_url = absolute_db(resolve_db(db))
    logs = (log_dir or Path.home() / ".local" / "state" / "govnews" / "logs").absolute()
    exe = executable()
    together = fleet_args(names, not sites) if fleet else None
    if fmt in ("all", "cron"):
        click.echo(crontab_text(names, every, db_url, exe, logs, together))
    if fmt in ("all", "systemd"):
        click.echo(systemd_text(every, db_url, exe, logs, names, together))
