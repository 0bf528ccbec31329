"""Smoke test of the default (no environment) path: the site comes up and a role account signs in."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_is_served_to_anonymous_visitors(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="password"' in response.content


@pytest.mark.django_db
def test_health_check_reports_database(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_executive_signs_in_and_lands_on_strategic(client, role_users, password):
    response = client.post(reverse("login"), {"username": "executive", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboards:strategic")
    assert response.status_code == 200


def test_anonymous_visitor_is_sent_to_login_from_a_dashboard(client, db):
    response = client.get(reverse("dashboards:strategic"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
