"""The demo's pilot: the demo CAD export imported through the real importer, then a plan accepted six weeks before
its last day, so the pilot page has weeks either side to compare."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from analytics.deployment.demo import DEMO_BOROUGH, WEEKS_AFTER, demo_pilot_create
from analytics.deployment.evaluation import NO_DIFFERENCE, NOT_RECORDED
from demo.management.commands.import_demo_data import DATA_DIR
from ingestion.demo.cad import cad_csv_write
from ingestion.demo.places import demo_places_build

pytestmark = pytest.mark.django_db


def test_demo_pilot_page_compares_six_weeks_after_with_the_weeks_before(tmp_path, client_for):
    path = tmp_path / "cad-incidents.csv"
    cad_csv_write(path=path, places=demo_places_build(seed=7), now=timezone.now(), seed=7, days=100, per_day=80)
    call_command("import_calls", str(path), "--mapping", str(DATA_DIR / "cad_mapping_demo.json"))
    plan = demo_pilot_create()
    assert plan.borough_code == DEMO_BOROUGH and plan.state == "accepted" and len(plan.pilot_areas) == 2
    assert plan.coverage_option["sites"]
    page = client_for("commander").get(reverse("dashboards:pilot", args=[plan.pk])).context["pilot"]
    assert page["weeks_after"] == WEEKS_AFTER and page["weeks_before"] >= 4
    assert page["comparison_areas"]
    # every measure is read (the demo's calls carry no pilot effect, but chance may still show one at 95%)
    verdicts = {row[0]: row[7] for row in page["rows"]}
    assert set(verdicts.values()) <= {
        NO_DIFFERENCE,
        NOT_RECORDED,
        "lower in the pilot areas",
        "higher in the pilot areas",
    }
    assert NOT_RECORDED not in verdicts.values() and " to " in page["rows"][0][6]  # the export has on-scene times
