"""import_reference: boundaries, population, deprivation and resources, with rejected lines and re-imports."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from ingestion.models import Area, BoroughResources, Deprivation, ImportRun, Population, RejectedRow

SHARED = settings.SHARED_DATA_DIR
EXAMPLE = settings.BASE_DIR / "ingestion" / "data" / "resources-example.csv"
needs_shared = pytest.mark.skipif(not (SHARED / "london-boroughs.geojson").exists(), reason="shared data absent")
# Small files in the real formats (the real headers and properties, made-up values) shipped with the tests, so the
# importers are tested on every machine; the tests marked needs_shared also read the real files where they are.
FIXTURES = settings.BASE_DIR / "tests" / "ingestion" / "fixtures" / "reference"


def head(tmp_path, name: str, lines: int = 300):
    """The first lines of a shared file: enough rows to check the layout, fast enough for every test run."""
    path = tmp_path / name
    with (SHARED / name).open(encoding="utf-8-sig") as source:
        path.write_text("".join(line for _, line in zip(range(lines), source, strict=False)))
    return path


def run(kind: str, path) -> dict:
    out = StringIO()
    call_command("import_reference", kind, str(path), "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@needs_shared
def test_boundaries_become_boroughs_with_their_polygons(db):
    totals = run("boundaries", SHARED / "london-boroughs.geojson")
    assert totals["inserted"] == 33
    westminster = Area.objects.get(code="E09000033")
    assert (westminster.kind, westminster.name, westminster.boundary["type"]) == ("borough", "Westminster", "Polygon")
    assert run("boundaries", SHARED / "london-boroughs.geojson")["inserted"] == 0


@needs_shared
def test_each_boundary_keeps_the_outline_maps_draw(db):
    """Maps read the stored outline (simplified once, on import), not the boundary simplified on every page."""
    run("boundaries", SHARED / "london-boroughs.geojson")
    westminster = Area.objects.get(code="E09000033")
    boundary, outline = shape(westminster.boundary), shape(westminster.outline)
    assert len(json.dumps(westminster.outline)) < len(json.dumps(westminster.boundary)) / 3
    assert outline.symmetric_difference(boundary).area < boundary.area * 0.01  # still Westminster


def test_shipped_reference_files_import_on_any_machine(db):
    assert run("boundaries", FIXTURES / "boroughs.geojson")["inserted"] == 3
    westminster = Area.objects.get(code="E09000033")
    assert (westminster.kind, westminster.name, westminster.boundary["type"]) == ("borough", "Westminster", "Polygon")
    population = run("population", FIXTURES / "population.csv")
    assert (population["inserted"], population["rejected"]) == (6, 0)
    camden = Area.objects.get(code="E09000007")
    assert camden.population == sum(Population.objects.filter(area_code__in=["E01000907", "E01000908"])
                                    .values_list("population", flat=True))  # fmt: skip
    assert run("deprivation", FIXTURES / "deprivation.csv")["inserted"] == 6
    row = Deprivation.objects.get(lsoa_code="E01004734")
    assert row.borough_code == "E09000033" and len(row.domains) == 7 and row.imd_decile in range(1, 11)
    again = [
        run(kind, FIXTURES / name)
        for kind, name in (
            ("boundaries", "boroughs.geojson"),
            ("population", "population.csv"),
            ("deprivation", "deprivation.csv"),
        )
    ]
    assert [totals["inserted"] for totals in again] == [0, 0, 0]


def test_resources_example_imports_and_reimport_changes_nothing(db):
    first = run("resources", EXAMPLE)
    assert first["inserted"] == first["read"] == 30
    assert set(BoroughResources.objects.values_list("area_code", flat=True)) >= {"E09000033", "E09000001"}
    again = run("resources", EXAMPLE)
    assert (again["inserted"], again["updated"], again["duplicates"]) == (0, 0, 30)


def test_bad_resource_lines_are_rejected_with_line_and_reason(db, tmp_path):
    path = tmp_path / "resources.csv"
    path.write_text(
        "area_code,area_name,year,budget_gbp,officers,staff\n"
        "E09000033,Westminster,2023,130000000.00,1500,600\n"
        "E09000007,Camden,twenty,1,1,1\n"
        "E09000007,Camden,2023,lots,700,300\n"
        "E09000007,Camden,2023\n"
    )
    totals = run("resources", path)
    assert (totals["read"], totals["inserted"], totals["rejected"]) == (4, 1, 3)
    reasons = dict(RejectedRow.objects.values_list("line_number", "reason"))
    assert "year 'twenty' is not a whole number" in reasons[3]
    assert "budget_gbp" in reasons[4]
    assert "3 fields" in reasons[5]


def test_missing_columns_stop_with_the_expected_layout(db, tmp_path):
    path = tmp_path / "resources.csv"
    path.write_text("code,budget\nE09000033,1\n")
    with pytest.raises(CommandError, match="missing columns area_code"):
        run("resources", path)
    assert ImportRun.objects.get().status == "failed"


@needs_shared
def test_population_by_lsoa_and_summed_for_boroughs(db, tmp_path):
    run("boundaries", SHARED / "london-boroughs.geojson")
    totals = run("population", head(tmp_path, "london-lsoa-population-2021.csv"))
    assert totals["rejected"] == 0 and totals["inserted"] == 299
    assert Population.objects.get(area_code="E01000001", year=2021).population == 1473
    city = Area.objects.get(code="E09000001")
    assert city.population == sum(
        Population.objects.filter(area_code__startswith="E01", area_code__in=city.children.values("code")).values_list(
            "population", flat=True
        )
    )


@needs_shared
def test_deprivation_keeps_every_domain(db, tmp_path):
    assert run("deprivation", head(tmp_path, "imd2019-london-lsoa.csv"))["inserted"] == 299
    row = Deprivation.objects.get(lsoa_code="E01000001")
    assert (row.imd_score, row.imd_rank, row.imd_decile, row.borough_code) == (6.2, 29199, 9, "E09000001")
    assert set(row.domains) == {
        "income",
        "employment",
        "education_skills_and_training",
        "health_deprivation_and_disability",
        "crime",
        "barriers_to_housing_and_services",
        "living_environment",
    }
    assert row.domains["crime"] == {"score": -2.0, "rank": 32662, "decile": 10}
