"""Settings come from the environment: production passes `check --deploy`, malformed values stop start-up."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "crimedash.example.police.uk",
    # Nothing listens on port 9: a deploy check must not depend on reaching the database.
    "DATABASE_URL": "postgres://crimedash:s3cret-pw@127.0.0.1:9/crimedash",
}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run with only `env` (plus PATH): nothing leaks in from the developer's or CI's environment."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_values(env: dict[str, str], *names: str) -> dict:
    code = f"import json, crimedash.settings as s; print(json.dumps({{n: str(getattr(s, n)) for n in {names!r}}}))"
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_pass_check_deploy_with_no_warning():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout


def test_production_hardening_is_on():
    values = settings_values(
        PRODUCTION,
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "TWO_FACTOR_REQUIRED_FOR_ADMINS",
    )
    assert values == {
        "DEBUG": "False",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "TWO_FACTOR_REQUIRED_FOR_ADMINS": "True",
    }


def test_no_environment_gives_the_demo_defaults():
    values = settings_values({}, "USING_POSTGRES", "CELERY_TASK_ALWAYS_EAGER", "CACHES", "DEBUG")
    assert values["USING_POSTGRES"] == "False"
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "True"
    assert "LocMemCache" in values["CACHES"]


def test_database_and_redis_urls_select_postgresql_and_redis():
    env = {"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/crimedash", "REDIS_URL": "redis://127.0.0.1:6379/3"}
    values = settings_values(env, "USING_POSTGRES", "CELERY_BROKER_URL", "CACHES", "CELERY_TASK_ALWAYS_EAGER")
    assert values["USING_POSTGRES"] == "True"
    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/4", "the broker's own database, next to the cache's"
    assert "RedisCache" in values["CACHES"]
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "False"


def test_a_cache_folder_is_shared_by_the_demos_processes(tmp_path):
    """Without Redis, serve_demo.sh gives the web server, worker and dispatch simulator one cache folder: a live
    update bumped in one process is seen by the next."""
    code = "import django; django.setup(); from crimedash import caching as c; print(c.{}())"
    env = {"DJANGO_SETTINGS_MODULE": "crimedash.settings", "DJANGO_CACHE_DIR": str(tmp_path)}
    bumped = [run(["-c", code.format("bump_live_version")], env).stdout.strip() for _ in range(2)]
    seen = run(["-c", code.format("live_version")], env)
    assert seen.returncode == 0, seen.stderr
    first, second = (int(value) for value in bumped)
    assert second == first + 1 and seen.stdout.strip() == str(second)
    assert "LocMemCache" in settings_values({}, "CACHES")["CACHES"], "unset, each process keeps its own"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://x"),
        ("SESSION_IDLE_TIMEOUT_SECONDS", "abc"),
        ("SESSION_ABSOLUTE_TIMEOUT_SECONDS", "5"),
        ("REDIS_URL", "http://x"),
        ("DJANGO_ENV", "prod"),
        ("AUDIT_RETENTION_DAYS", "a year"),
    ],
)
def test_malformed_value_stops_start_up_naming_the_variable(variable, value):
    result = run(["-c", "import crimedash.settings"], {variable: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured")
    assert f"{variable}={value!r}" in last_line


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_without_a_required_variable_stops_start_up(missing):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = run(["-c", "import crimedash.settings"], env)
    assert result.returncode != 0
    assert missing in result.stderr.strip().splitlines()[-1]


def test_malformed_database_url_message_does_not_show_the_password():
    result = run(["-c", "import crimedash.settings"], {"DATABASE_URL": "postgres://crimedash:s3cret-pw@db:5432/"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "s3cret-pw" not in result.stderr
