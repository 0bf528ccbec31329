"""The borough map draws each area's stored outline (simplified once, when its boundary was imported) and works one
out from the boundary only for an area stored without one."""

import pytest

from dashboards.filters import DashboardFilters
from dashboards.maps import borough_layer
from ingestion.geo import outline_of
from ingestion.models import Area
from tests.dashboards.factories import CAMDEN, WESTMINSTER

pytestmark = pytest.mark.django_db
TRIANGLE = {"type": "Polygon", "coordinates": [[[-0.2, 51.5], [-0.1, 51.5], [-0.15, 51.55], [-0.2, 51.5]]]}


def test_the_map_draws_stored_outlines_and_works_out_missing_ones(dashboard_data, role_users):
    Area.objects.filter(code=WESTMINSTER).update(outline=TRIANGLE)
    Area.objects.filter(code=CAMDEN).update(outline=None)
    layer = borough_layer(user=role_users["analyst"], filters=DashboardFilters())
    drawn = {feature["properties"]["code"]: feature["geometry"] for feature in layer["geojson"]["features"]}
    assert drawn[WESTMINSTER] == TRIANGLE
    camden = Area.objects.get(code=CAMDEN)
    assert drawn[CAMDEN] == outline_of(camden.boundary)
