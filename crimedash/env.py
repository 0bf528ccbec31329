"""Typed readers for environment variables.

Every setting comes from the environment; a malformed value stops start-up with
a message naming the variable, what it held and what was expected.
"""

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _invalid(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"Environment variable {name}={value!r} is invalid: expected {expected}.")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _invalid(name, raw, "one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _invalid(name, raw, "a whole number") from None
    if minimum is not None and value < minimum:
        raise _invalid(name, raw, f"a whole number of at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name, default)
    if raw not in choices:
        raise _invalid(name, raw, "one of " + ", ".join(choices))
    return raw


def _without_password(url: str) -> str:
    parsed = urlparse(url)
    if not parsed.password:
        return url
    return parsed._replace(netloc=parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)).geturl()


def database_from_url(url: str, *, name: str = "DATABASE_URL") -> dict:
    """Django DATABASES entry for a postgres:// or sqlite:/// URL."""
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        if not parsed.path.strip("/"):
            raise _invalid(name, _without_password(url), "a database name, as in postgres://user@host:5432/crimedash")
        return {
            "ENGINE": "crimedash.postgresql",  # Django's, reading timestamps faster (crimedash/postgresql/base.py)
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    if parsed.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parsed.path) or ":memory:"}
    raise _invalid(name, _without_password(url), "a postgres://user:password@host:port/name or sqlite:///path URL")


def redis_neighbour(url: str) -> str:
    """The next Redis database on the same server: redis://host:6379/3 -> redis://host:6379/4 (/0 when none is
    named), so the cache and the broker never share one (a full or flushed cache must not touch the queues)."""
    if not url:
        return ""
    parts = urlparse(url)
    database = int(parts.path.strip("/") or 0)
    return parts._replace(path=f"/{database + 1}").geturl()


def redis_url(name: str = "REDIS_URL") -> str:
    raw = os.environ.get(name, "")
    if raw and urlparse(raw).scheme not in {"redis", "rediss"}:
        raise _invalid(name, _without_password(raw), "a redis://host:port/db URL")
    return raw
