from django.urls import reverse


def test_empty_database_tells_an_admin_how_to_import(client_for, db):
    response = client_for("admin").get(reverse("dashboards:analytical"))
    assert response.status_code == 200
    assert b"make demo" in response.content
    assert b"import_police_uk" in response.content
    assert b'class="chart js-chart"' not in response.content


def test_empty_states_show_no_shell_commands_to_other_roles(client_for, db):
    for role, page in (("executive", "strategic"), ("commander", "tactical")):
        response = client_for(role).get(reverse(f"dashboards:{page}"))
        assert response.status_code == 200
        assert b"Nothing to show" in response.content
        assert b"manage.py" not in response.content, role
        assert b"make demo" not in response.content, role
