"""Factories for analytics tests: incidents placed in known areas and months."""

import datetime as dt

import factory
from django.utils import timezone

from ingestion.localtime import local_fields
from ingestion.models import Area, Incident

WESTMINSTER, CAMDEN = "E09000033", "E09000007"
LSOA_W1, LSOA_W2, LSOA_C1 = "E01004736", "E01004737", "E01000907"


def local(year: int, month: int, day: int = 1, hour: int = 0, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.LazyAttribute(lambda area: area.code)
    kind = Area.Kind.BOROUGH


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    source = "police_uk"
    source_key = factory.Sequence(lambda n: f"key-{n}")
    kind = Incident.Kind.CRIME
    category = "burglary"
    occurred_at = factory.LazyFunction(lambda: local(2024, 1))
    time_precision = Incident.Precision.MONTH
    force_id = "met"
    borough_id = WESTMINSTER
    lsoa_id = LSOA_W1
    h3_cell = "89195da49b7ffff"
    origin = Incident.Origin.PUBLIC_REPORT
    time_zone = "Europe/London"
    # the local date, hour and weekday the loader would derive
    local_date = factory.LazyAttribute(lambda incident: incident.local["local_date"])
    local_hour = factory.LazyAttribute(lambda incident: incident.local["local_hour"])
    local_weekday = factory.LazyAttribute(lambda incident: incident.local["local_weekday"])

    class Params:
        local = factory.LazyAttribute(
            lambda incident: local_fields(
                occurred_at=incident.occurred_at, zone=incident.time_zone, precision=incident.time_precision
            )
        )


def incidents(count: int, **fields) -> list[Incident]:
    """`count` incidents sharing the given fields, inserted in one statement."""
    built = IncidentFactory.build_batch(count, **fields)
    return Incident.objects.bulk_create(built)


def london_areas() -> None:
    """The force, two boroughs and three LSOAs the factories use, with populations."""
    AreaFactory(code="met", name="Metropolitan Police", kind=Area.Kind.FORCE, population=3000)
    AreaFactory(code=WESTMINSTER, name="Westminster", kind=Area.Kind.BOROUGH, parent_id="met", population=2000)
    AreaFactory(code=CAMDEN, name="Camden", kind=Area.Kind.BOROUGH, parent_id="met", population=1000)
    for code, borough, population in (
        (LSOA_W1, WESTMINSTER, 1500),
        (LSOA_W2, WESTMINSTER, 500),
        (LSOA_C1, CAMDEN, 1000),
    ):
        AreaFactory(code=code, name=code, kind=Area.Kind.LSOA, parent_id=borough, population=population)
