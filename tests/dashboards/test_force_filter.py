"""A chosen force is that force's figures in every rollup read: rollup rows carry their area and borough but not
their force, and a force used to stand for every area, so choosing the City of London counted the Met's crimes and
a US agency's calls as well."""

import datetime as dt

import pytest
from django.utils import timezone

from analytics.refresh import analytics_refresh
from analytics.selectors import rollup_totals
from dashboards.filters import DashboardFilters
from dashboards.selectors import incident_total
from ingestion.localtime import local_fields
from ingestion.models import Area, Incident
from tests.dashboards.factories import BOROUGHS, WESTMINSTER

pytestmark = pytest.mark.django_db
LEVELS = ["force", "borough", "lsoa", "neighborhood"]


@pytest.fixture
def second_force(dashboard_data):
    """The City of London force with one borough and 7 burglaries in March 2024, beside the Met's two boroughs."""
    Area.objects.create(code="city", name="City of London Police", kind=Area.Kind.FORCE)
    Area.objects.create(code="city-b", name="City of London", kind=Area.Kind.BOROUGH, parent_id="city")
    Area.objects.create(code="city-lsoa", name="City 001A", kind=Area.Kind.LSOA, parent_id="city-b")
    when = timezone.make_aware(dt.datetime(2024, 3, 5, 12, 0))
    _name, lat, lng = BOROUGHS[WESTMINSTER]
    Incident.objects.bulk_create(
        Incident(source="police_uk", source_key=f"city-{n}", kind="crime", category="burglary", occurred_at=when,
                 time_precision=Incident.Precision.MINUTE, latitude=lat, longitude=lng, force_id="city",
                 borough_id="city-b", lsoa_id="city-lsoa", origin=Incident.Origin.PUBLIC_REPORT,
                 **local_fields(occurred_at=when, zone="Europe/London", precision=Incident.Precision.MINUTE))
        for n in range(7)
    )  # fmt: skip
    analytics_refresh(full=True)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("force", ["met", "city"])
def test_a_chosen_force_sums_only_its_own_incidents_at_every_level(second_force, role_users, force, level):
    filters = DashboardFilters(areas=(force,), categories=("burglary",))
    rows = rollup_totals(user=role_users["analyst"], filters=filters, by=("level",), level=level)
    expected = Incident.objects.filter(force_id=force, category="burglary")
    if level == "neighborhood":  # police.uk crimes have no neighborhood: that level holds only calls
        expected = expected.exclude(neighborhood_id=None)
    assert sum(row["total"] for row in rows) == expected.count()


def test_the_list_total_and_a_chart_agree_for_a_force(second_force, role_users):
    user, filters = role_users["analyst"], DashboardFilters(areas=("city",))
    by_category = rollup_totals(user=user, filters=filters, by=("category",))
    assert {row["category"]: row["total"] for row in by_category} == {"burglary": 7}
    assert incident_total(user=user, filters=filters) == 7 == Incident.objects.filter(force_id="city").count()


@pytest.mark.slow
def test_two_real_forces_each_count_only_their_own_crimes(db, role_users):
    """data.police.uk's January 2021 for Avon and Somerset and for Suffolk, imported side by side: each force's
    figures are its own crimes at the force level (a few of each force's crimes lie in the other's boroughs, and the
    force level counted them twice), every crime in its boroughs below it, and the two forces make the whole."""
    from django.conf import settings

    from ingestion.services import police_uk_archive_import

    folder = settings.SHARED_DATA_DIR / "real" / "policeuk-avon-suffolk-2021-01"
    if not folder.exists():
        pytest.skip(f"{folder} is not on this machine")
    police_uk_archive_import(paths=[folder])
    analytics_refresh(full=True)
    forces = Area.objects.filter(kind=Area.Kind.FORCE, code__startswith="puk-force:").values_list("code", flat=True)
    assert len(forces) == 2  # beside this module's Met
    user, whole = role_users["analyst"], 0
    for force in forces:
        filters = DashboardFilters(areas=(force,))
        own = Incident.objects.filter(force_id=force)
        at_force = rollup_totals(user=user, filters=filters, by=("category",), level="force")
        by_borough = rollup_totals(user=user, filters=filters, by=("area_code",), level="borough")
        counted = sum(row["total"] for row in at_force)
        assert counted == own.count() == incident_total(user=user, filters=filters)
        boroughs = set(own.exclude(borough_id=None).values_list("borough_id", flat=True))
        in_its_boroughs = Incident.objects.filter(borough_id__in=boroughs).count()
        assert sum(row["total"] for row in by_borough) == in_its_boroughs
        whole += counted
    assert whole == Incident.objects.exclude(force_id="met").count()  # every imported row is one force's
