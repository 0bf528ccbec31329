"""Synthetic incidents for the hotspot, forecasting and deployment tests: located burglaries and timed calls."""

import datetime as dt

import h3
import numpy as np
from django.utils import timezone

from ingestion.models import Incident
from tests.analytics.factories import CAMDEN, WESTMINSTER, IncidentFactory

LAT, LON = (51.49, 51.52), (-0.16, -0.12)
CLUSTER = (51.505, -0.14)
POSTS = ["post-1", "post-2", "post-3", "post-4"]


def month(year: int, number: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, number, 1))


def located(lat, lon, *, occurred_at, borough=WESTMINSTER, origin=Incident.Origin.PUBLIC_REPORT, **fields) -> list:
    """Incidents at the given coordinates (their res-9 H3 cell filled in like the loader does)."""
    built = [
        IncidentFactory.build(
            latitude=float(a),
            longitude=float(b),
            h3_cell=h3.latlng_to_cell(float(a), float(b), 9),
            occurred_at=occurred_at,
            borough_id=borough,
            origin=origin,
            **fields,
        )
        for a, b in zip(lat, lon, strict=True)
    ]
    return Incident.objects.bulk_create(built)


def noise_and_cluster(*, months: int = 6, noise: int = 150, cluster: int = 40, seed: int = 0, **fields) -> None:
    """Each month: uniform burglaries over a small box plus a tight cluster around CLUSTER."""
    rng = np.random.default_rng(seed)
    for m in range(months):
        when = month(2024, m + 1)
        located(rng.uniform(*LAT, noise), rng.uniform(*LON, noise), occurred_at=when, **fields)
        located(
            rng.normal(CLUSTER[0], 0.0008, cluster), rng.normal(CLUSTER[1], 0.0012, cluster), occurred_at=when, **fields
        )


def calls(*, days: int = 120, borough: str = WESTMINSTER, base: float = 2.0, seed: int = 0) -> None:
    """Minute-precision calls for service with daily and weekly cycles, spread over POSTS (post-1 busiest)."""
    rng = np.random.default_rng(seed)
    start = timezone.make_aware(dt.datetime(2024, 1, 1))
    hours = np.arange(days * 24)
    weekday = (hours // 24) % 7
    rate = base * (1 + 0.7 * np.sin(2 * np.pi * ((hours % 24) - 9) / 24)) * np.where(weekday >= 5, 1.4, 1.0)
    counts = rng.poisson(rate)
    weights = np.array([0.4, 0.3, 0.2, 0.1])
    rows = []
    for hour, count in zip(hours.tolist(), counts.tolist(), strict=True):
        for _ in range(count):
            rows.append(
                IncidentFactory.build(
                    source="cad",
                    kind=Incident.Kind.CALL,
                    category="disorder",
                    occurred_at=start + dt.timedelta(hours=hour, minutes=int(rng.integers(60))),
                    time_precision=Incident.Precision.MINUTE,
                    borough_id=borough,
                    post_id=POSTS[rng.choice(4, p=weights)],
                    lsoa_id=None,
                )
            )
    Incident.objects.bulk_create(rows, batch_size=2000)


__all__ = ["CAMDEN", "WESTMINSTER", "calls", "located", "month", "noise_and_cluster"]
