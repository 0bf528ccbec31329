import pytest

from analytics.cache import generation
from tests.analytics.factories import london_areas


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """role_users makes six users per test: the production hasher's cost is not what these tests measure."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def areas(db):
    london_areas()


@pytest.fixture
def fresh_generation(db):
    return generation()
