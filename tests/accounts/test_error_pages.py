"""The site's own 403, 404 and 500 pages."""

from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def test_forbidden_page_says_which_permission_is_missing(client_for):
    response = client_for("officer").get(reverse("dashboards:analytical"))
    assert response.status_code == 403
    assert "Open the analytical dashboard" in response.content.decode()


def test_not_found_page_is_the_sites_own(client_for):
    response = client_for("officer").get("/no-such-page/")
    assert response.status_code == 404
    assert b"outside the part of the force you can see" in response.content


def test_server_error_page_renders_without_a_request_context(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
