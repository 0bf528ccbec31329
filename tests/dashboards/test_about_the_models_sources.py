"""/about-the-models/'s data sources: each source's months and last import, counts in the viewer's scope and
through the small-count guard (apart from the forecasting fixtures, whose imports would be sources too)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from analytics.models import AreaMonthTotal
from ingestion.models import ImportRun

URL = "/about-the-models/"


def _month_total(level: str, area_code: str, month: str, count: int) -> None:
    borough = area_code if level == "borough" else ""
    AreaMonthTotal.objects.create(
        level=level,
        area_code=area_code,
        borough_code=borough,
        month=month,
        kind="crime",
        count=count,
        source="police_uk",
    )


def test_data_sources_show_their_dates_and_last_import_and_hide_small_counts(client_for, db):
    run = ImportRun.objects.create(source="police_uk", target="archive.zip", status=ImportRun.Status.SUCCEEDED)
    ImportRun.objects.filter(pk=run.pk).update(finished_at=dt.datetime(2024, 7, 3, 9, 30, tzinfo=dt.UTC))
    ImportRun.objects.create(source="cad", target="broken.csv", status=ImportRun.Status.FAILED)
    _month_total("force", "force", "2024-01-01", 1000)
    _month_total("force", "force", "2024-06-01", 234)
    _month_total("borough", "E09000033", "2024-06-01", 3)
    row = _source_row(client_for("analyst").get(URL).content.decode(), "police_uk")
    assert "01 Jan 2024" in row and "01 Jun 2024" in row and "1,234" in row
    assert "03 Jul 2024 10:30 BST" in row  # the last import, in the site's zone
    assert 'data-source="cad"' not in client_for("analyst").get(URL).content.decode()  # failed imports are not sources
    commander = _source_row(client_for("commander").get(URL).content.decode(), "police_uk")
    assert "fewer than 5" in commander and "1,234" not in commander  # Westminster's own 3 crimes, suppressed


def _source_row(html: str, source: str) -> str:
    return html.split(f'data-source="{source}"')[1].split("</tr>")[0]


def test_publish_transparency_writes_the_page_without_anyones_menu(tmp_path, role_users):
    ImportRun.objects.create(source="police_uk", target="archive.zip", status=ImportRun.Status.SUCCEEDED)
    _month_total("force", "force", "2024-01-01", 3)
    call_command("publish_transparency", "--out", str(tmp_path), "--user", "executive")
    html = (tmp_path / "about-the-models" / "index.html").read_text()
    assert "What it does not do" in html and 'data-source="police_uk"' in html
    assert "fewer than 5" in html  # the executive's view: small counts hidden in the published page too
    assert "Sign out" not in html and "executive" not in html.lower().split("<main")[0]
    assert (tmp_path / "static" / "css" / "crimedash.css").exists()


def test_publish_transparency_refuses_an_unknown_user(tmp_path, db):
    with pytest.raises(CommandError):
        call_command("publish_transparency", "--out", str(tmp_path), "--user", "nobody")
