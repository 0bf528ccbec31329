from django.urls import reverse


def test_empty_database_says_how_to_import(client_for, db):
    response = client_for("analyst").get(reverse("dashboards:analytical"))
    assert response.status_code == 200
    assert b"make demo" in response.content
    assert b"import_police_uk" in response.content
    assert b'class="chart js-chart"' not in response.content
