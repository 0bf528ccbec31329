import pytest
from django.urls import reverse

from accounts.models import AuditEvent


def test_briefing_page_states_findings_in_plain_language(client_for, dashboard_data):
    response = client_for("executive").get(reverse("dashboards:briefing"), {"date_from": "2024-01"})
    assert response.status_code == 200
    findings = response.context["briefing"]["findings"]
    assert any(line.startswith("Resource efficiency: crimes per officer") for line in findings)
    assert response.context["briefing"]["period"] == "January 2024 to December 2024"


def test_briefing_pdf_downloads_with_pages_and_is_audited(client_for, dashboard_data):
    response = client_for("executive").get(reverse("dashboards:briefing_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"/Type /Page" in response.content
    assert 'filename="crimedash-briefing-2024-12.pdf"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="export", target="briefing.pdf").exists()


def test_briefing_pdf_without_data_still_downloads(client_for, db):
    response = client_for("executive").get(reverse("dashboards:briefing_pdf"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("role", ["supervisor", "officer"])
def test_briefing_is_refused_without_the_permission(client_for, role, db):
    assert client_for(role).get(reverse("dashboards:briefing_pdf")).status_code == 403
