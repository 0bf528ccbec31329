"""The action tables' rows, written by string formatting (issue 13): each row's form still posts to its own action
with the page's CSRF token and the way back, every field is labelled, values are escaped, and only what the user
may do is offered."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from investigations.models import Action
from tests.investigations.factories import SuspectFactory, open_action

pytestmark = pytest.mark.django_db


def _form(content: str, url: str) -> dict[str, str]:
    """The hidden fields of the (first) form posting to `url` (a review due shows in the reviews and the queue)."""
    body = re.findall(rf'<form method="post" action="{re.escape(url)}"[^>]*>(.*?)</form>', content, re.S)[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))


def test_a_rows_form_completes_its_action_only_with_the_pages_csrf_token(cases, role_users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(role_users["supervisor"])
    content = client.get(reverse("investigations:actions"), {"kind": "review"}).content.decode()
    action = cases["team"].actions.get(kind=Action.Kind.REVIEW, state=Action.State.OPEN)
    url = reverse("investigations:complete", kwargs={"pk": action.pk})
    hidden = _form(content, url)
    assert hidden["next"] == "/actions/?kind=review"
    assert client.post(url, {"note": "Agreed", "next": hidden["next"]}).status_code == 403
    response = client.post(url, {**hidden, "note": "Agreed"})
    assert (response.status_code, response.url) == (302, "/actions/?kind=review")
    action.refresh_from_db()
    assert (action.state, action.note) == (Action.State.DONE, "Agreed")


def test_every_field_of_every_row_is_labelled_and_every_button_named(client_for, cases):
    content = client_for("supervisor").get(reverse("investigations:actions")).content.decode()
    fields = re.findall(r'<(?:input|select) id="([^"]+)"', content)
    assert fields
    for field in fields:
        assert f'for="{field}"' in content, field
    assert "<button></button>" not in content and "Review done</button>" in content


def test_a_time_limit_with_two_suspects_asks_which_and_escapes_their_names(client_for, cases, today):
    case = cases["own"]
    SuspectFactory(investigation=case, name="Ann <Smith>")
    SuspectFactory(investigation=case, name="Bob Jones")
    action = open_action(case, kind=Action.Kind.TIME_LIMIT, rule="test", due_on=today - timedelta(days=40))
    content = client_for("officer").get(reverse("investigations:actions"), {"kind": "time_limit"}).content.decode()
    assert f'<select id="suspect-{action.pk}" name="suspect" required>' in content
    assert "Ann &lt;Smith&gt;" in content and "Ann <Smith>" not in content
    assert f'<select id="evidence-{action.pk}" name="evidence" required>' in content


def test_only_a_supervisor_is_offered_closing_with_a_reason(client_for, cases):
    assert b'class="close-reason"' in client_for("supervisor").get(reverse("investigations:actions")).content
    assert b'class="close-reason"' not in client_for("officer").get(reverse("investigations:actions")).content


def test_a_commander_following_the_rollup_into_a_team_is_offered_no_forms(client_for, cases, org):
    team = org["westminster-team-a"].code
    content = client_for("commander").get(reverse("investigations:actions"), {"team": team}).content.decode()
    assert 'class="action-row"' in content
    assert 'class="complete-form"' not in content and 'class="close-reason"' not in content
