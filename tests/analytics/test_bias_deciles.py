"""A deployment plan over beats gets a bias report with content: each beat takes the population-weighted IMD decile of
the LSOAs it overlaps (read from the H3 cells their incidents share)."""

import datetime as dt

from django.utils import timezone

from analytics.deployment.plans import area_deciles
from ingestion.models import Area, Deprivation, Incident, Population

BOROUGH = "E09000033"
CELL_A, CELL_B, CELL_C = "89195da49a3ffff", "89195da49a7ffff", "89195da49abffff"


def _incident(key: str, *, cell: str, kind: str, lsoa: str | None = None, post: str | None = None) -> Incident:
    return Incident(source="test", source_key=key, kind=kind, category="burglary", h3_cell=cell, borough_id=BOROUGH,
                    lsoa_id=lsoa, post_id=post, occurred_at=timezone.now() - dt.timedelta(days=1))  # fmt: skip


def _world(db):
    Area.objects.create(code=BOROUGH, name="Westminster", kind=Area.Kind.BOROUGH)
    for code, decile, residents in (("lsoa-poor", 2, 3000), ("lsoa-rich", 9, 1000)):
        Area.objects.create(code=code, name=code, kind=Area.Kind.LSOA, parent_id=BOROUGH)
        Deprivation.objects.create(lsoa_code=code, borough_code=BOROUGH, imd_decile=decile)
        Population.objects.create(area_code=code, year=2021, population=residents)
    for code in ("beat-1", "beat-2", "beat-elsewhere"):
        Area.objects.create(code=code, name=code, kind=Area.Kind.POST, parent_id=BOROUGH)
    Incident.objects.bulk_create([
        _incident("c1", cell=CELL_A, kind="crime", lsoa="lsoa-poor"),
        _incident("c2", cell=CELL_B, kind="crime", lsoa="lsoa-rich"),
        _incident("k1", cell=CELL_A, kind="call", post="beat-1"),  # beat 1 overlaps the poor LSOA only
        _incident("k2", cell=CELL_A, kind="call", post="beat-2"),  # beat 2 overlaps both
        _incident("k3", cell=CELL_B, kind="call", post="beat-2"),
        _incident("k4", cell=CELL_C, kind="call", post="beat-elsewhere"),  # no LSOA shares its cell
    ])  # fmt: skip


def test_a_beat_takes_the_population_weighted_decile_of_the_lsoas_it_overlaps(db):
    _world(db)
    deciles = area_deciles(codes=["beat-1", "beat-2", "beat-elsewhere", "lsoa-rich"], boroughs=[BOROUGH])
    assert deciles["beat-1"] == 2
    assert deciles["beat-2"] == round((2 * 3000 + 9 * 1000) / 4000)  # 3.75 -> 4, not the plain mean 5.5
    assert deciles["lsoa-rich"] == 9  # an LSOA keeps its own decile
    assert "beat-elsewhere" not in deciles  # no overlap, no decile: the report counts it as unknown
