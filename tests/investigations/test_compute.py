"""Recomputing actions: idempotent, reopens what was marked done while its fact is missing (unless a supervisor
gave a reason), closes what no rule asks for any more; the daily
trend snapshots and their backfill; the beat tasks."""

from datetime import UTC, date, datetime, timedelta

import pytest

from investigations import tasks
from investigations.models import Action, ActionCountSnapshot, CdiCheck, CustodyEvent, Investigation
from investigations.services import action_counts_backfill, actions_compute
from tests.investigations.factories import CustodyEventFactory, InvestigationFactory, SuspectFactory, VictimFactory

pytestmark = pytest.mark.django_db


def test_recompute_is_idempotent(cases, today):
    before = list(Action.objects.values_list("rule", "key", "state", "due_on").order_by("id"))
    assert actions_compute(today=today) == {"created": 0, "updated": 0, "cancelled": 0, "cdi_failures": 0}
    assert list(Action.objects.values_list("rule", "key", "state", "due_on").order_by("id")) == before


def test_an_action_marked_done_while_its_fact_is_missing_reopens(cases, today):
    """Marked done with a note but no review on record: the next recompute reopens it."""
    action = cases["own"].actions.get(kind="review")
    Action.objects.filter(pk=action.pk).update(state=Action.State.DONE, note="done, honest")
    actions_compute(today=today)
    action.refresh_from_db()
    assert (action.state, action.completed_by) == (Action.State.OPEN, None)


def test_recompute_brings_changed_actions_back_in_line_in_bulk(cases, today, role_users):
    """A done one reopens with who and when cleared; a cancelled one the rule asks for again reopens with the
    rule's due date and title; an open one follows its investigation's new officer."""
    done = cases["own"].actions.get(kind="review")
    cancelled = cases["team"].actions.get(kind="review")
    expected = (cancelled.title, cancelled.due_on, cancelled.warn_from)
    Action.objects.filter(pk=done.pk).update(
        state=Action.State.DONE, completed_by=role_users["supervisor"], completed_at=datetime.now(UTC)
    )
    Action.objects.filter(pk=cancelled.pk).update(state=Action.State.CANCELLED, title="stale", due_on=date(2000, 1, 1))
    moved = cases["other_team"]
    Investigation.objects.filter(pk=moved.pk).update(officer=role_users["officer"])
    stats = actions_compute(today=today)
    done.refresh_from_db()
    cancelled.refresh_from_db()
    assert (done.state, done.completed_by, done.completed_at) == (Action.State.OPEN, None, None)
    assert cancelled.state == Action.State.OPEN
    assert (cancelled.title, cancelled.due_on, cancelled.warn_from) == expected
    assert set(moved.actions.filter(state="open").values_list("officer", flat=True)) == {role_users["officer"].pk}
    assert stats["updated"] == 2 + moved.actions.filter(state="open").count()
    assert actions_compute(today=today)["updated"] == 0


def test_a_supervisors_reason_keeps_an_action_closed(cases, today):
    action = cases["own"].actions.get(kind="review")
    Action.objects.filter(pk=action.pk).update(state=Action.State.DONE, supervisor_reason="Case with CPS")
    actions_compute(today=today)
    action.refresh_from_db()
    assert action.state == Action.State.DONE


def test_closing_an_investigation_cancels_its_open_actions(cases, today):
    case = cases["own"]
    Investigation.objects.filter(pk=case.pk).update(status="closed", outcome="15", outcome_date=today)
    actions_compute(today=today)
    assert not case.actions.filter(state="open", kind="review").exists()
    assert case.actions.filter(state="cancelled", kind="review").exists()


def test_bail_victim_and_time_limit_actions_are_created_with_owner_copied(org, role_users, today):
    case = InvestigationFactory(
        team=org["westminster-team-a"], officer=role_users["officer"], offence_class="summary", offence="harassment"
    )
    suspect = SuspectFactory(investigation=case)
    CustodyEventFactory(suspect=suspect, kind=CustodyEvent.Kind.ARREST, occurred_on=today - timedelta(days=3))
    CustodyEventFactory(suspect=suspect, kind=CustodyEvent.Kind.BAIL_START, occurred_on=today - timedelta(days=2))
    VictimFactory(investigation=case)
    actions_compute(today=today)
    kinds = set(case.actions.filter(state="open").values_list("kind", flat=True))
    assert kinds == {"bail", "victim_contact", "time_limit", "review"}
    assert set(case.actions.values_list("officer", "team").distinct()) == {(role_users["officer"].pk, case.team_id)}


def test_cdi_failures_are_stored_and_cleared(org, today):
    case = InvestigationFactory(team=org["westminster-team-a"], recorded_at=None)
    actions_compute(today=today)
    assert list(CdiCheck.objects.values_list("rule_check", flat=True)) == ["not_recorded"]
    Investigation.objects.filter(pk=case.pk).update(recorded_at=case.reported_at + timedelta(hours=1))
    actions_compute(today=today)
    assert not CdiCheck.objects.exists()
    assert case.actions.get(kind="cdi").state == Action.State.CANCELLED


def test_snapshot_task_counts_outstanding_and_overdue_per_team_and_kind(cases, today):
    assert tasks.snapshot_action_counts.apply().get() == 3  # team A, team B, Camden: one kind each
    row = ActionCountSnapshot.objects.get(team=cases["own"].team, kind="review", day=today)
    assert (row.outstanding, row.overdue) == (2, 2)


def test_compute_task_runs_the_recompute(cases):
    Action.objects.all().delete()
    assert tasks.compute_actions.apply().get()["created"] == 4


def test_backfill_rebuilds_the_trend_from_history(cases, today):
    action_counts_backfill(days=10, today=today)
    by_day = dict(
        ActionCountSnapshot.objects.filter(team=cases["own"].team, kind="review").values_list("day", "overdue")
    )
    # allocated 10 days ago, first review due 7 days after: overdue from 2 days ago
    assert by_day[today - timedelta(days=1)] == 2
    assert by_day[today - timedelta(days=4)] == 0
    assert len({day for day in ActionCountSnapshot.objects.values_list("day", flat=True)}) == 10


def test_the_recording_deadline_from_a_utc_instant_in_the_database(org, today, settings):
    """Reported 00:30 BST on 1 July 2025, stored and read back as 23:30 UTC on 30 June: due 2 July."""
    settings.TIME_ZONE = "Europe/London"
    reported = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
    case = InvestigationFactory(
        team=org["westminster-team-a"],
        reported_at=reported,
        recorded_at=None,
        offence_date=date(2025, 7, 1),
        status="open",
    )
    actions_compute(today=date(2025, 7, 1), investigation_ids=[case.pk])
    assert case.actions.get(kind="cdi").due_on == date(2025, 7, 2)
