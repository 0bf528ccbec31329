"""Fixtures of the ingestion tests: boundaries of two boroughs as simple boxes."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from shapely.geometry import box, mapping

from ingestion.models import Area
from tests.factories import UserFactory

# Boxes around central Westminster/Camden and the City/Southwark/Tower Hamlets, enough for the fixtures' crimes.
WEST_BOX = box(-0.2, 51.48, -0.11, 51.56)
EAST_BOX = box(-0.11, 51.48, -0.03, 51.56)


@pytest.fixture
def two_boroughs(db):
    Area.objects.create(code="E09000033", name="Westminster", kind="borough", boundary=mapping(WEST_BOX))
    Area.objects.create(code="E09000001", name="City of London", kind="borough", boundary=mapping(EAST_BOX))
    return ["E09000033", "E09000001"]


@pytest.fixture
def cad(db, two_boroughs):
    """A CAD system's account: a token and only the post_dispatch permission."""
    user = UserFactory(username="cad-system", role="analyst")
    user.groups.clear()
    user.user_permissions.add(Permission.objects.get(codename="post_dispatch"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client
