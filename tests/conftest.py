"""Fixtures shared by every test: an org structure with two BCUs and one user of each role."""

import socket

import pytest
from django.core.cache import cache

from tests.factories import TEST_PASSWORD, OrgUnitFactory, UserFactory

ROLES = ["admin", "executive", "commander", "analyst", "supervisor", "officer"]


@pytest.fixture(autouse=True)
def _block_outbound_network(monkeypatch):
    """Tests never reach the internet: only loopback connections are allowed."""
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in {"127.0.0.1", "localhost", "::1"} and not host.startswith("/"):
            raise OSError(f"Outbound network blocked in tests: {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(autouse=True, scope="session")
def _celery_in_process():
    """Tasks run in the test's own process and transaction (cookiecutter-django's convention), even with REDIS_URL
    set; tests/test_celery_worker.py is the one that sends tasks through the real broker to a real worker."""
    from crimedash.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashing costs seconds per user on this machine; tests check behaviour, not hash strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from crimedash.caching import CacheVersion

    cache.clear()
    CacheVersion.forget_all()  # a generation remembered from the last test would outlive the emptied cache
    yield
    cache.clear()
    CacheVersion.forget_all()


@pytest.fixture
def org(db):
    """force > two BCUs (Westminster, Camden) > a CID department each > two teams each."""
    force = OrgUnitFactory(code="met", name="Metropolitan Police Service", kind="force")
    units = {"force": force}
    for bcu_code, area_code in (("westminster", "E09000033"), ("camden", "E09000007")):
        bcu = OrgUnitFactory(code=bcu_code, name=bcu_code.title(), kind="bcu", parent=force, area_code=area_code)
        dept = OrgUnitFactory(code=f"{bcu_code}-cid", name=f"{bcu_code.title()} CID", kind="department", parent=bcu)
        units[bcu_code] = bcu
        units[f"{bcu_code}-cid"] = dept
        for team in ("a", "b"):
            code = f"{bcu_code}-team-{team}"
            units[code] = OrgUnitFactory(
                code=code, name=f"{bcu_code.title()} Team {team.upper()}", kind="team", parent=dept
            )
    return units


ROLE_UNIT = {
    "admin": "force",
    "executive": "force",
    "analyst": "force",
    "commander": "westminster",
    "supervisor": "westminster-team-a",
    "officer": "westminster-team-a",
}


@pytest.fixture
def role_users(org):
    """One user per role, named after the role, in Westminster where the role is local."""
    return {role: UserFactory(username=role, role=role, unit=org[ROLE_UNIT[role]], rank=_rank(role)) for role in ROLES}


def _rank(role: str) -> str:
    return {"commander": "superintendent", "supervisor": "sergeant", "officer": "constable"}.get(role, "staff")


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def client_for(client, role_users):
    """client_for("analyst") -> a test client logged in as that role."""

    def _login(role: str):
        client.force_login(role_users[role])
        return client

    return _login
