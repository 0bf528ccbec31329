"""Closing by evidence: a flag turns off when the record shows the task done, never on a note alone; a supervisor
may close any action with a reason, which stands, goes to the audit trail and shows on the investigation."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from investigations.models import Action, CustodyEvent, Investigation
from investigations.services import Evidence, action_close_with_reason, action_complete, actions_compute
from tests.investigations.factories import CustodyEventFactory, InvestigationFactory, SuspectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def summary_case(org, role_users, today):
    """An uncharged summary offence with one suspect: a statutory time limit (MCA 1980 s127) to act on."""
    case = InvestigationFactory(
        team=org["westminster-team-a"], officer=role_users["officer"], offence_class="summary", offence="harassment"
    )
    SuspectFactory(investigation=case)
    actions_compute(today=today)
    return case


def _open(case, kind) -> Action:
    return case.actions.get(kind=kind, state=Action.State.OPEN)


def test_a_time_limit_action_does_not_close_on_a_note(summary_case, role_users):
    """MCA 1980 s127: only a charge or a decision (no further action, out-of-court disposal) with its date."""
    with pytest.raises(ValidationError, match="a note alone does not close this"):
        action_complete(action=_open(summary_case, "time_limit"), user=role_users["officer"], note="sorted")
    assert _open(summary_case, "time_limit")


@pytest.mark.parametrize("decision", ["charge", "release", "out_of_court_disposal"])
def test_a_time_limit_action_closes_when_the_decision_is_recorded_with_its_date(
    summary_case, role_users, today, decision
):
    action = _open(summary_case, "time_limit")
    done = action_complete(
        action=action, user=role_users["officer"], evidence=Evidence(kind=decision, on=today - timedelta(days=1))
    )
    assert done.state == Action.State.DONE
    event = CustodyEvent.objects.get(investigation=summary_case, kind=decision)
    assert event.occurred_on == today - timedelta(days=1)
    actions_compute(today=today)
    assert not summary_case.actions.filter(kind="time_limit", state="open").exists()


def test_a_decision_dated_in_the_future_is_refused(summary_case, role_users, today):
    with pytest.raises(ValidationError, match="today or earlier"):
        action_complete(
            action=_open(summary_case, "time_limit"),
            user=role_users["officer"],
            evidence=Evidence(kind="charge", on=today + timedelta(days=1)),
        )


def test_an_unrecorded_crime_closes_only_when_recorded(org, role_users, today):
    """HOCR: the crime-recording action needs the recording itself."""
    case = InvestigationFactory(team=org["westminster-team-a"], officer=role_users["officer"], recorded_at=None)
    actions_compute(today=today)
    action = _open(case, "cdi")
    with pytest.raises(ValidationError, match="a note alone does not close"):
        action_complete(action=action, user=role_users["officer"], note="recorded it")
    action_complete(
        action=action, user=role_users["officer"], evidence=Evidence(recorded_at=case.reported_at + timedelta(hours=3))
    )
    case.refresh_from_db()
    assert case.recorded_at == case.reported_at + timedelta(hours=3)
    assert not case.actions.filter(kind="cdi", state="open").exists()


def test_rui_closes_when_the_suspect_is_charged_bailed_or_released(org, role_users, today):
    case = InvestigationFactory(team=org["westminster-team-a"], officer=role_users["officer"])
    suspect = SuspectFactory(investigation=case)
    CustodyEventFactory(suspect=suspect, kind="arrest", occurred_on=today - timedelta(days=100))
    CustodyEventFactory(suspect=suspect, kind="rui", occurred_on=today - timedelta(days=100))
    actions_compute(today=today)
    action = _open(case, "rui")
    with pytest.raises(ValidationError):
        action_complete(action=action, user=role_users["officer"], note="reviewed")
    action_complete(action=action, user=role_users["officer"], evidence=Evidence(kind="bail_start", on=today))
    assert not case.actions.filter(kind="rui", state="open").exists()


def test_failure_to_surrender_is_flagged_until_the_s46a_arrest(org, role_users, today):
    case = InvestigationFactory(team=org["westminster-team-a"], officer=role_users["officer"])
    suspect = SuspectFactory(investigation=case)
    CustodyEventFactory(suspect=suspect, kind="arrest", occurred_on=today - timedelta(days=20))
    CustodyEventFactory(suspect=suspect, kind="bail_start", occurred_on=today - timedelta(days=19))
    CustodyEventFactory(suspect=suspect, kind="failed_to_surrender", occurred_on=today - timedelta(days=2))
    actions_compute(today=today)
    action = _open(case, "surrender")
    assert action.due_on == today - timedelta(days=1) and "PACE s46A" in action.title
    action_complete(action=action, user=role_users["officer"], evidence=Evidence(kind="arrest", on=today))
    arrest = suspect.custody_events.get(kind="arrest", occurred_on=today)
    assert arrest.s46a_rearrest
    assert not case.actions.filter(kind="surrender", state="open").exists()


def test_a_bail_extension_after_bail_ended_is_refused_in_the_queue(org, role_users, today):
    """PACE s47ZD(1)(b): bail ended yesterday; an inspector's extension today is refused and the action stays."""
    case = InvestigationFactory(team=org["westminster-team-a"], officer=role_users["officer"])
    suspect = SuspectFactory(investigation=case)
    arrested = today - timedelta(days=200)
    CustodyEventFactory(suspect=suspect, kind="arrest", occurred_on=arrested)
    CustodyEventFactory(suspect=suspect, kind="bail_start", occurred_on=arrested + timedelta(days=1))
    actions_compute(today=today)
    action = _open(case, "bail")
    with pytest.raises(ValidationError, match=r"PACE s47ZD\(1\)\(b\)"):
        action_complete(
            action=action,
            user=role_users["officer"],
            evidence=Evidence(kind="bail_extension", on=today, authority="inspector"),
        )
    assert _open(case, "bail").pk == action.pk


def test_a_supervisor_closes_with_a_reason_that_stands_and_is_audited(client_for, summary_case, role_users, today):
    action = _open(summary_case, "time_limit")
    response = client_for("supervisor").post(
        reverse("investigations:close", args=[action.pk]), {"reason": "Suspect died; file closed by CPS"}
    )
    assert response.status_code == 302
    actions_compute(today=today)
    action.refresh_from_db()
    assert (action.state, action.supervisor_reason) == ("done", "Suspect died; file closed by CPS")
    assert AuditEvent.objects.filter(params__reason="Suspect died; file closed by CPS").exists()
    page = client_for("supervisor").get(reverse("investigations:investigation", args=[summary_case.pk]))
    assert b"Suspect died; file closed by CPS" in page.content


def test_a_supervisor_must_give_the_reason(summary_case, role_users):
    with pytest.raises(ValidationError, match="Say why"):
        action_close_with_reason(action=_open(summary_case, "time_limit"), user=role_users["supervisor"], reason=" ")


@pytest.mark.parametrize("role", ["officer", "commander"])
def test_only_a_supervisor_may_close_with_a_reason(client_for, summary_case, role_users, role):
    action = _open(summary_case, "time_limit")
    response = client_for(role).post(reverse("investigations:close", args=[action.pk]), {"reason": "no"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        action_close_with_reason(action=action, user=role_users[role], reason="no")
    assert _open(summary_case, "time_limit")


def test_the_queue_form_records_the_decision(client_for, summary_case, today):
    action = _open(summary_case, "time_limit")
    response = client_for("officer").post(
        reverse("investigations:complete", args=[action.pk]), {"evidence": "charge", "on": today.isoformat()}
    )
    assert response.status_code == 302
    assert Investigation.objects.get(pk=summary_case.pk).custody_events.filter(kind="charge").exists()
    assert not summary_case.actions.filter(kind="time_limit", state="open").exists()


@pytest.mark.parametrize("kind", ["time_limit", "cdi"])
def test_an_action_closed_by_a_note_reopens_while_its_fact_is_missing(org, role_users, today, kind):
    """The seed's flags: an uncharged summary offence and an unrecorded crime stay flagged after a note."""
    case = InvestigationFactory(
        team=org["westminster-team-a"], officer=role_users["officer"], offence_class="summary", recorded_at=None
    )
    actions_compute(today=today)
    action = _open(case, kind)
    Action.objects.filter(pk=action.pk).update(state=Action.State.DONE, note="Dealt with")
    actions_compute(today=today)
    assert _open(case, kind).pk == action.pk
