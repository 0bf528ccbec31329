"""The shipped taxonomy reads any force's words: medical, fire, traffic, welfare, mental health, proactive work,
domestic battery, firearms, weapons and order violations; every category has a label and a demand group, and real
US exports (and the demo's London CAD export) leave under 10 % of calls in "other"."""

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from ingestion.demo.cad import cad_csv_write
from ingestion.demo.places import demo_places_build
from ingestion.loader import IncidentRecord
from ingestion.readers import csv_inputs
from ingestion.sources.cad import CallRows, spec_from_mapping
from ingestion.sources.police_uk import CATEGORY_SLUGS
from ingestion.taxonomy import (
    DEMAND_GROUPS,
    call_category,
    categories,
    categories_in_group,
    category_label,
    demand_group,
)

DATA = Path(settings.BASE_DIR) / "ingestion" / "data"

FAMILIES = {
    "EMS: CARDIAC EMERGENCY": "medical",
    "INJ PERSON/SICK": "medical",
    "MED RUN": "medical",
    "Fire: BUILDING FIRE": "fire",
    "GAS LEAK": "fire",
    "Traffic: DISABLED VEHICLE -": "traffic",
    "RECKLESS VEHICLE": "traffic",
    "ACC PDO": "traffic-accident",
    "WELFARE CITIZEN": "welfare",
    "Concern for welfare": "welfare",
    "MENTAL HEALTH CRISIS": "mental-health",
    "SUICIDAL SUBJECT": "mental-health",
    "LOST CHILD": "missing-person",
    "BUSINESS CHECK": "business-check",
    "TAVERN CHECK": "business-check",
    "PATROL": "patrol",
    "PARK AND WALK": "patrol",
    "FOLLOW UP": "follow-up",
    "RETURN STATION": "return-to-station",
    "POLICE ADMIN": "police-admin",
    "BATTERY DV": "domestic-battery",
    "BATTERY/DV": "domestic-battery",
    "BATTERY": "assault",
    "ENTRY": "burglary",
    "ENTRY AUTOS": "vehicle-crime",
    "SHOTSPOTTER": "firearm-discharge",
    "SHOTS FIRED": "firearm-discharge",
    "SUBJ WITH GUN": "weapon",
    "SUBJ WITH WEAPON": "weapon",
    "VIOL REST ORDER": "protective-order",
    "*PROTECTIVE ORD": "protective-order",
    "BURGLAR ALARM": "alarm",
    "911/NO  VOICE": "911-hang-up",
}


@pytest.mark.parametrize(("description", "category"), FAMILIES.items())
def test_each_family_reads_its_real_words(description, category):
    assert call_category(description) == category


def test_every_category_has_a_label_and_a_demand_group_and_police_uk_categories_are_kept():
    police_uk = set(CATEGORY_SLUGS.values()) | {"stop-and-search"}
    assert police_uk <= set(categories())
    for category in categories():
        assert category_label(category) != category, f"{category} has no label in categories.csv"
        assert demand_group(category) in DEMAND_GROUPS
    assert category_label("theft-from-the-person") == "Theft from the person"
    assert category_label("violent-crime") == "Violence and sexual offences"


def test_demand_groups_separate_police_demand_from_medical_fire_traffic_and_proactive_work():
    assert [demand_group(c) for c in ("burglary", "medical", "fire", "traffic-accident", "business-check")] == [
        "police",
        "medical",
        "fire",
        "traffic",
        "proactive",
    ]
    assert {"medical", "overdose"} <= set(categories_in_group("medical"))
    assert "burglary" not in categories_in_group("medical")


def _categories_read(path: Path, mapping: Path) -> Counter:
    spec = spec_from_mapping(mapping)
    counts = Counter()
    for csv_input in csv_inputs([path]):  # the file is open while its rows are read
        counts.update(row.category for row in CallRows(spec, csv_input) if isinstance(row, IncidentRecord))
    return counts


def _other_share(counts: Counter) -> float:
    return counts["other"] / sum(counts.values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("folder", "mapping"),
    [("milwaukee-pd-cfs-2018-05", "cad_mapping_milwaukee.json"), ("montco-pa-911", "cad_mapping_montco.json")],
)
def test_real_us_exports_leave_under_a_tenth_in_other(folder, mapping):
    path = settings.SHARED_DATA_DIR / "real" / folder
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    counts = _categories_read(next(path.glob("*.csv*")), DATA / mapping)
    assert sum(counts.values()) > 30_000
    assert _other_share(counts) < 0.10


@pytest.mark.django_db
def test_demo_cad_export_has_medical_and_proactive_calls_and_under_a_tenth_other(tmp_path):
    path = tmp_path / "cad-incidents.csv"
    places = demo_places_build(seed=3)
    cad_csv_write(path=path, places=places, now=datetime(2026, 10, 1, tzinfo=UTC), seed=3, days=20, per_day=100)
    counts = _categories_read(path, DATA / "cad_mapping_demo.json")
    groups = Counter(demand_group(category) for category in counts.elements())
    assert groups["medical"] > 0 and groups["proactive"] > 0 and groups["fire"] > 0
    assert _other_share(counts) < 0.10
