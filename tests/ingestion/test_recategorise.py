"""A force's own words: category overrides imported from CSV or edited in the admin, applied at import before the
shipped patterns, and re-applied to stored calls by `recategorise`, whose run the analytics refresh follows."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from analytics.models import RefreshRun
from ingestion.models import CategoryOverride, ImportRun, Incident
from ingestion.services import calls_import

pytestmark = pytest.mark.django_db

MAPPING = Path(settings.BASE_DIR) / "ingestion" / "data" / "cad_mapping_milwaukee.json"
HEADER = "id,time,location,latitude,longitude,district,nature,status"
ROWS = [
    '1,2018-05-01 00:10:28,"5237 N 35TH ST,MKE",43.11,-87.95,4,NETWORK CRIMINAL,Advised',
    '2,2018-05-01 01:10:28,"5262 N 38TH ST,MKE",43.11,-87.96,4,NETWORK CRIMINAL,Advised',
    '3,2018-06-02 02:10:28,"3017 N 28TH ST,MKE",43.07,-87.94,5,BUSINESS CHECK,Advised',
]


def _calls(tmp_path, rows=ROWS) -> ImportRun:
    path = tmp_path / "mke.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    [run] = calls_import(paths=[path], mapping=MAPPING)
    return run


def _overrides(tmp_path, text: str) -> Path:
    path = tmp_path / "overrides.csv"
    path.write_text(text)
    return path


def test_overrides_csv_imports_and_an_unknown_category_keeps_nothing(tmp_path, capsys):
    good = _overrides(tmp_path, "Raw Description,Category,Source\nNETWORK CRIMINAL,wanted-person,milwaukee_cfs\n")
    call_command("import_category_overrides", str(good))
    assert "1 overrides created, 0 updated" in capsys.readouterr().out
    override = CategoryOverride.objects.get()
    assert (override.source, override.raw_description, override.category) == (
        "milwaukee_cfs",
        "NETWORK CRIMINAL",
        "wanted-person",
    )
    bad = _overrides(tmp_path, "raw_description,category\nPAB,welfare\nESP TARGET ESCOR,escorts\n")
    with pytest.raises(CommandError, match=r"line 3: expected a description and one of the categories .*'escorts'"):
        call_command("import_category_overrides", str(bad))
    assert CategoryOverride.objects.count() == 1  # PAB on line 2 was not kept either


def test_an_override_applies_at_import_before_the_patterns_and_only_to_its_source(tmp_path):
    CategoryOverride.objects.create(source="milwaukee_cfs", raw_description="network criminal", category="fraud")
    CategoryOverride.objects.create(source="another_force", raw_description="BUSINESS CHECK", category="burglary")
    run = _calls(tmp_path)
    assert run.stats["category_other"] == 0
    categories = dict(Incident.objects.values_list("source_key", "category"))
    assert categories == {"1": "fraud", "2": "fraud", "3": "business-check"}


def test_recategorise_applies_overrides_to_stored_calls_and_refreshes_their_months(
    tmp_path, django_capture_on_commit_callbacks
):
    _calls(tmp_path)
    assert Incident.objects.filter(category="other").count() == 2
    CategoryOverride.objects.create(raw_description="NETWORK CRIMINAL", category="fraud")  # every source
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recategorise")
    run = ImportRun.objects.get(source="recategorise")
    assert (run.rows_read, run.rows_updated, run.rows_duplicate) == (3, 2, 1)
    assert run.months_touched == ["2018-05"] and run.areas_touched == ["mke-district:4"]
    assert set(Incident.objects.filter(source_key__in=["1", "2"]).values_list("category", flat=True)) == {"fraud"}
    assert Incident.objects.get(source_key="1").import_run_id == run.pk
    assert RefreshRun.objects.filter(run_id=run.pk).exists()  # the rollups were rebuilt after it
    call_command("recategorise", "--source", "milwaukee_cfs")
    assert ImportRun.objects.filter(source="recategorise").first().rows_updated == 0


def test_recategorise_leaves_live_dispatch_calls_alone(tmp_path):
    Incident.objects.create(source="cad", source_key="live-1", kind="call", category="assault", raw_category="BURGLARY",
                            occurred_at="2024-01-01T00:00:00Z", time_precision="minute")  # fmt: skip
    call_command("recategorise")
    assert Incident.objects.get(source_key="live-1").category == "assault"


def test_admin_edits_overrides_with_a_category_from_the_taxonomy_and_others_cannot(client_for, client):
    url = reverse("admin:ingestion_categoryoverride_add")
    admin = client_for("admin")
    response = admin.post(url, {"source": "", "raw_description": "PAB", "category": "no-such-thing", "note": ""})
    assert response.status_code == 200 and not CategoryOverride.objects.exists()
    admin.post(url, {"source": "", "raw_description": "PAB", "category": "welfare", "note": "public assist"})
    assert CategoryOverride.objects.get().category == "welfare"
    client.logout()
    client_for("analyst")
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"raw_description": "X", "category": "welfare"}).status_code in (302, 403)
    assert CategoryOverride.objects.count() == 1


def test_the_import_summary_shows_the_commonest_unmapped_descriptions(tmp_path, client_for, capsys):
    path = tmp_path / "mke.csv"
    path.write_text("\n".join([HEADER, *ROWS, ROWS[0].replace("1,", "4,", 1).replace("NETWORK CRIMINAL", "PAB")]))
    call_command("import_calls", str(path), "--mapping", str(MAPPING))
    out = capsys.readouterr().out
    assert "fell to 'other': 3" in out
    assert "commonest descriptions in 'other' (category overrides can name them): NETWORK CRIMINAL (2); PAB (1)" in out
    run = ImportRun.objects.get()
    analyst = client_for("analyst")
    body = analyst.get(reverse("ingestion-import-run", args=[run.pk])).json()
    assert body["category_other"] == 3 and body["rows_read"] == 4
    assert body["unmapped"] == [{"description": "NETWORK CRIMINAL", "count": 2}, {"description": "PAB", "count": 1}]
    page = analyst.get(reverse("ingestion:imports")).content.decode()
    assert "3 fell to “other”" in page and "NETWORK CRIMINAL" in page


def test_only_importers_read_an_import_runs_summary(client_for):
    run = ImportRun.objects.create(source="milwaukee_cfs", target="a.csv", stats={"other_descriptions": {"PAB": 1}})
    url = reverse("ingestion-import-run", args=[run.pk])
    assert client_for("commander").get(url).status_code == 403
    assert client_for("admin").get(url).json()["unmapped"] == [{"description": "PAB", "count": 1}]
