"""The link checker's settings: one pydantic model, the only home of the
defaults (the command's help texts read them from here).

Built from ``[tool.readlist.links]`` of pyproject.toml, then the command
line on top. Every value is checked before any request is made; a bad one
is a ``SettingsError`` that names where it came from and the key, e.g.
``pyproject.toml: [tool.readlist.links.hosts."x.org"] concurrency: ...``.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import UsageError
from ..urls import ARXIV_ABS, GITHUB_API, YOUTUBE_OEMBED
from .policy import parse_duration, parse_statuses


class SettingsError(UsageError):
    """A bad setting; the message names it and is ready for the user. Exit 2."""


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class HostRule(BaseModel):
    """Settings for one host and its subdomains (``[tool.readlist.links.hosts."x"]``).
    ``concurrency`` and ``interval`` are bounds the adaptive pace stays within."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, allow_inf_nan=False, alias_generator=_kebab, populate_by_name=True
    )

    headers: dict[str, str] = Field(default_factory=dict)
    accept: frozenset[int] = frozenset()  # statuses counted as ok
    concurrency: Annotated[int, Field(ge=1)] | None = None
    interval: Annotated[float, Field(ge=0)] | None = None  # seconds between requests, at least
    method: Literal["HEAD", "GET"] = "HEAD"  # GET to inspect bodies (soft 404s)
    skip: bool = False

    @field_validator("accept", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> frozenset[int]:
        if not isinstance(value, (list, tuple, set, frozenset)):
            raise ValueError('must be a list of statuses or ranges, e.g. [200, "400..=403"]')
        try:
            statuses = parse_statuses(value)
        except ValueError:
            raise ValueError(f'not statuses or ranges: {list(value)!r} (use e.g. [200, "400..=403"])') from None
        if any(not 100 <= s <= 599 for s in statuses):
            raise ValueError("statuses are between 100 and 599")
        return statuses

    @field_validator("method", mode="before")
    @classmethod
    def _method(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class LinkSettings(BaseModel):
    """Everything that shapes a run of the checker."""

    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False, alias_generator=_kebab, populate_by_name=True
    )

    concurrency: Annotated[int, Field(ge=1, description="requests in flight at most")] = 128
    per_host: Annotated[int, Field(ge=1, description="requests in flight per host at most")] = 10
    timeout: Annotated[float, Field(gt=0, description="seconds per attempt, body included")] = 20.0
    retries: Annotated[int, Field(ge=0, description="retries after the first attempt")] = 2
    backoff: Annotated[float, Field(ge=0)] = 0.5  # first retry delay, doubled, jittered
    retry_after_cap: Annotated[float, Field(gt=0)] = 60.0  # longest hold a host's announced reset sets
    max_interval: Annotated[float, Field(gt=0)] = 5.0  # a host's pace never waits longer between requests
    max_redirects: Annotated[int, Field(ge=0)] = 8
    body_cap: Annotated[int, Field(ge=1)] = 64 * 1024  # bytes read from a body at most
    interval: Annotated[float, Field(ge=0)] = 0.0  # default seconds between requests to a host
    max_age: Annotated[float, Field(ge=0, description="reuse cached successes younger than this")] = 3 * 86400.0
    exclude: tuple[re.Pattern[str], ...] = ()
    allow_private: tuple[str, ...] = ()  # () none; ("*",) all; else networks
    hosts: dict[str, HostRule] = Field(default_factory=dict)
    canonical_probes: bool = True
    youtube_oembed: str = YOUTUBE_OEMBED
    doi_api: str = "https://doi.org/api/handles/"
    arxiv_abs: str = ARXIV_ABS
    # Archived copies of failing links (the Wayback Machine's availability API).
    archive_lookup: bool = True
    wayback_api: str = "https://archive.org/wayback/available"
    # github.com URLs: through the REST API when a token is given.
    github_api: str = GITHUB_API
    github_token: str | None = Field(default=None, exclude=True, repr=False)

    @field_validator("max_age", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_duration(value)
        return value

    @field_validator("exclude", mode="before")
    @classmethod
    def _patterns(cls, value: Any) -> tuple[re.Pattern[str], ...]:
        if not isinstance(value, (list, tuple)):
            raise ValueError("must be a list of regular expressions")
        out: list[re.Pattern[str]] = []
        for item in value:
            if isinstance(item, re.Pattern):
                out.append(item)
                continue
            if not isinstance(item, str):
                raise ValueError(f"{item!r} is not a string")
            try:
                out.append(re.compile(item))
            except re.error as exc:
                raise ValueError(f"bad regular expression {item!r}: {exc}") from None
        return tuple(out)

    @field_validator("allow_private", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        for item in value:
            if item != "*":
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise ValueError(f"{item!r}: use an address or network, e.g. 127.0.0.1 or 10.0.0.0/8") from None
        return tuple(value)

    @field_validator("hosts", mode="after")
    @classmethod
    def _lower_hosts(cls, value: dict[str, HostRule]) -> dict[str, HostRule]:
        return {host.lower().rstrip("."): rule for host, rule in value.items()}

    @model_validator(mode="after")
    def _intervals_within_max_interval(self) -> LinkSettings:
        """An interval the pace could not keep is refused, not cut: every wait
        between two requests is capped at ``max-interval``."""
        asked = {"interval": self.interval} | {
            f'hosts."{h}".interval': r.interval for h, r in self.hosts.items() if r.interval is not None
        }
        for name, value in asked.items():
            if value > self.max_interval:
                raise ValueError(
                    f"{name} = {value:g} is longer than max-interval = {self.max_interval:g} (the longest wait "
                    "between two requests to a host); raise max-interval or lower the interval"
                )
        return self

    # -- questions the engine asks ------------------------------------------------
    def rule(self, host: str) -> HostRule | None:
        """The rule of `host` or of the nearest parent domain that has one."""
        host = host.lower().rstrip(".")
        while host:
            if host in self.hosts:
                return self.hosts[host]
            if "." not in host:
                return None
            host = host.split(".", 1)[1]
        return None

    def host_concurrency(self, host: str) -> int:
        rule = self.rule(host)
        return rule.concurrency if rule and rule.concurrency is not None else self.per_host

    def host_interval(self, host: str) -> float:
        rule = self.rule(host)
        return rule.interval if rule and rule.interval is not None else self.interval

    def excluded(self, url: str) -> bool:
        return any(rx.search(url) for rx in self.exclude)

    def private_allowed(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        if "*" in self.allow_private:
            return True
        return any(address in ipaddress.ip_network(n, strict=False) for n in self.allow_private)


def _where(loc: tuple[str | int, ...], source: str, cli: set[str]) -> str:
    """``pyproject.toml: [tool.readlist.links.hosts."x"] key`` (or ``--key``) for an error location."""
    if loc and loc[0] in cli:
        return f"--{loc[0]}"
    table = "tool.readlist.links"
    if loc and loc[0] == "hosts" and len(loc) >= 3:
        return f'{source}: [{table}.hosts."{loc[1]}"] {".".join(str(p) for p in loc[2:])}'
    if not loc:  # a rule about several keys: the message names them
        return f"{source}: [{table}]"
    return f"{source}: [{table}] {'.'.join(str(p) for p in loc)}"


def _message(error: Any) -> str:  # a pydantic ErrorDetails
    text = error["msg"]
    for prefix in ("Value error, ",):
        text = text.removeprefix(prefix)
    if error["type"] == "extra_forbidden":
        return "no such setting"
    return f"{text} (got {error['input']!r})" if error["type"] not in ("value_error",) else text


def build(table: dict[str, Any], cli: dict[str, Any] | None = None, source: str = "pyproject.toml") -> LinkSettings:
    """Settings from a ``[tool.readlist.links]`` table and command-line values
    (keys in kebab-case; None values are ignored); raises SettingsError."""
    cli = {k: v for k, v in (cli or {}).items() if v is not None}
    for key in ("github-token", "github_token"):
        if key in table:  # a field of the model, read from GITHUB_TOKEN only
            raise SettingsError(
                f"{source}: [tool.readlist.links] {key}: a token does not belong in a "
                "file; set the GITHUB_TOKEN environment variable instead"
            )
    data = dict(table)
    if "exclude" in cli and "exclude" in data:
        cli["exclude"] = list(data["exclude"]) + list(cli["exclude"])
    data.update(cli)
    try:
        return LinkSettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SettingsError(f"{_where(first['loc'], source, set(cli))}: {_message(first)}") from None


def read_table(path: Path) -> dict[str, Any]:
    """The ``[tool.readlist.links]`` table of a pyproject.toml, or {}."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path.name}: {exc}") from exc
    table = data.get("tool", {}).get("readlist", {}).get("links", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path.name}: [tool.readlist.links] must be a table")
    return table
