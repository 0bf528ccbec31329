"""make_demo_data writes the real source formats, deterministically, and the real importers read them."""

import csv
import io
import zipfile

import pytest

from ingestion.demo.places import demo_places_build
from ingestion.demo.police_uk import STREET_HEADER, ArchiveSpec, month_list, police_uk_zip_write
from ingestion.models import Incident
from ingestion.services import police_uk_archive_import


def _archive(tmp_path, name: str = "police-uk.zip"):
    places = demo_places_build(seed=3)
    spec = ArchiveSpec(month_list(end="2026-10", count=3), crimes_per_month=120, stops_per_month=10, seed=3)
    path = tmp_path / name
    rows = police_uk_zip_write(path=path, places=places, spec=spec)
    return path, rows


def test_month_list_runs_back_across_a_year_end():
    assert month_list(end="2026-02", count=4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_same_seed_writes_identical_archives(tmp_path):
    first, _ = _archive(tmp_path, "a.zip")
    second, _ = _archive(tmp_path, "b.zip")
    read = [{n: zipfile.ZipFile(p).read(n) for n in zipfile.ZipFile(p).namelist()} for p in (first, second)]
    assert read[0] == read[1]


def test_archive_has_the_data_police_uk_layout(tmp_path):
    path, rows = _archive(tmp_path)
    names = zipfile.ZipFile(path).namelist()
    assert "2026-10/2026-10-metropolitan-street.csv" in names
    assert "2026-10/2026-10-metropolitan-outcomes.csv" in names
    assert "2026-10/2026-10-metropolitan-stop-and-search.csv" in names
    street = zipfile.ZipFile(path).read("2026-10/2026-10-metropolitan-street.csv").decode()
    header = next(csv.reader(io.StringIO(street)))
    assert header == STREET_HEADER
    assert rows > 0


@pytest.mark.django_db
def test_demo_archive_imports_every_street_row(tmp_path):
    path, rows = _archive(tmp_path)
    police_uk_archive_import(paths=[path])
    street = Incident.objects.filter(source="police_uk", kind__in=["crime", "asb"]).count()
    assert street == rows
    assert Incident.objects.filter(kind="stop").exists()
