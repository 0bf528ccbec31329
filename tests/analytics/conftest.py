import pytest

from crimedash.caching import generation
from tests.analytics.factories import london_areas


@pytest.fixture
def areas(db):
    london_areas()


@pytest.fixture
def fresh_generation(db):
    return generation()
