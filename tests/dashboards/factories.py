"""Incidents, areas and reference rows for dashboard tests: two boroughs (Westminster, Camden) over two years."""

import datetime as dt
import random

import h3
from django.utils import timezone

from ingestion.localtime import local_fields
from ingestion.models import Area, BoroughResources, Deprivation, Incident, Population

WESTMINSTER, CAMDEN = "E09000033", "E09000007"
BOROUGHS = {WESTMINSTER: ("Westminster", 51.512, -0.135), CAMDEN: ("Camden", 51.545, -0.16)}
CATEGORIES = ["burglary", "robbery", "vehicle-crime", "violent-crime"]
CALL_TYPES = ["overdose", "assault", "disorderly"]
PRIORITIES = ["Low", "Medium", "High"]


def lsoas_of(borough: str) -> list[str]:
    return [f"{borough}-lsoa-{n}" for n in range(3)]


def _square(lat: float, lng: float, half: float = 0.02) -> dict:
    ring = [[lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half], [lng - half, lat + half]]
    return {"type": "Polygon", "coordinates": [ring + ring[:1]]}


def areas_create() -> None:
    Area.objects.get_or_create(code="met", defaults={"name": "Metropolitan Police", "kind": Area.Kind.FORCE})
    for code, (name, lat, lng) in BOROUGHS.items():
        Area.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": Area.Kind.BOROUGH,
                "parent_id": "met",
                "population": 200_000,
                "boundary": _square(lat, lng),
            },
        )
        Area.objects.get_or_create(
            code=f"{code}-hood", defaults={"name": f"{name} Central", "kind": Area.Kind.NEIGHBORHOOD, "parent_id": code}
        )
        for index, lsoa in enumerate(lsoas_of(code)):
            Area.objects.get_or_create(
                code=lsoa, defaults={"name": f"{name} 00{index + 1}A", "kind": Area.Kind.LSOA, "parent_id": code}
            )
            Population.objects.get_or_create(area_code=lsoa, year=2021, defaults={"population": 1500})
            Deprivation.objects.get_or_create(
                lsoa_code=lsoa,
                defaults={"borough_code": code, "imd_score": 10.0 + 8 * index + (5 if code == CAMDEN else 0)},
            )
        for year in (2023, 2024):
            Population.objects.get_or_create(area_code=code, year=year, defaults={"population": 200_000})
            BoroughResources.objects.get_or_create(
                area_code=code, year=year, defaults={"budget_gbp": 50_000_000, "officers": 600, "staff": 100}
            )


def _incident(rng, index: int, borough: str, when: dt.datetime, kind: str, category: str) -> Incident:
    _name, lat, lng = BOROUGHS[borough]
    # More deprived LSOAs (higher index) get more incidents, so the correlation has something to find.
    lsoa = lsoas_of(borough)[min(2, int(rng.triangular(0, 3, 3)))]
    lat, lng = lat + rng.uniform(-0.01, 0.01), lng + rng.uniform(-0.01, 0.01)
    return Incident(
        source="police_uk" if kind == "crime" else "baltimore_911",
        source_key=f"{kind}-{index}",
        kind=kind,
        category=category,
        occurred_at=when,
        time_precision=Incident.Precision.MINUTE,
        latitude=lat,
        longitude=lng,
        h3_cell=h3.latlng_to_cell(lat, lng, 9),
        force_id="met",
        borough_id=borough,
        lsoa_id=lsoa,
        neighborhood_id=f"{borough}-hood" if kind == "call" else None,
        priority=rng.choice(PRIORITIES) if kind == "call" else "",
        status="open" if index % 3 else "closed",
        outcome="Under investigation" if index % 2 else "",
        origin=Incident.Origin.PUBLIC_REPORT,
        **local_fields(occurred_at=when, zone="Europe/London", precision=Incident.Precision.MINUTE),
    )


def incidents_create(*, per_month: int = 12, seed: int = 7) -> int:
    """Crimes and calls in both boroughs for every month of 2023 and 2024, at varied hours and weekdays."""
    rng = random.Random(seed)
    rows, index = [], 0
    for year in (2023, 2024):
        for month in range(1, 13):
            for borough in BOROUGHS:
                for n in range(per_month):
                    when = timezone.make_aware(dt.datetime(year, month, 1 + n % 27, rng.randrange(24), 5))
                    rows.append(_incident(rng, index, borough, when, "crime", CATEGORIES[n % len(CATEGORIES)]))
                    rows.append(_incident(rng, index, borough, when, "call", CALL_TYPES[n % len(CALL_TYPES)]))
                    index += 1
    Incident.objects.bulk_create(rows)
    return len(rows)
