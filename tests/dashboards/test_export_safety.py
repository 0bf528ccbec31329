"""Issue 18 findings 3 and 8: no formula through any CSV the site writes, no markup from data in the briefing PDF."""

import csv
import io

import pytest
from django.urls import reverse

from dashboards.briefing import briefing_pdf
from dashboards.exports import charts_csv
from ingestion.models import ImportRun, RejectedRow

PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "-2+3+Cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "+1+1", "\t=1+1", "\r=1+1"]  # fmt: skip


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def chart(label: str) -> dict:
    return {"title": label, "empty": False, "table": {"columns": ["", "Crimes"], "rows": [[label, 12], [label, -3]]}}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_dashboard_csv_neutralises_formulas(payload):
    written = cells(charts_csv([chart(payload)]))
    assert payload not in written
    assert written.count("'" + payload) == 3
    assert "-3" in written  # numbers stay numbers


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rejected_rows_csv_neutralises_formulas(client_for, payload):
    run = ImportRun.objects.create(source="police_uk", target="x.csv", rows_rejected=1)
    RejectedRow.objects.create(run=run, line_number=7, raw_text=payload, reason="missing id")
    response = client_for("analyst").get(reverse("ingestion:rejected-csv", args=[run.pk]))
    written = cells(response.content.decode())
    assert payload not in written and "'" + payload in written


def test_briefing_pdf_with_markup_in_an_area_name_still_renders():
    name = "City <img src=x onerror=alert(1)> & <b>bold"
    content = {
        "period": "January 2024 to December 2024",
        "kpis": [{"label": "Recorded crime", "value": "1,000", "period": "2024"}],
        "findings": [f"Crime fell most in {name} (-12.0%)."],
        "areas": {"table": {"rows": [[name, 10]]}},
        "monthly": [("2024-01", 10), ("2024-02", 12)],
    }
    assert briefing_pdf(content=content).startswith(b"%PDF")
