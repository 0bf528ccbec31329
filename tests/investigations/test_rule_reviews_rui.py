"""Supervisor reviews (force policy, defaults 7 and 28 days) and released-under-investigation reviews (no
statutory limit after the Policing and Crime Act 2017; force review ages, defaults 90 and 180 days)."""

from datetime import date

from investigations.conf import RuleSettings
from investigations.rules import reviews, rui
from investigations.rules.facts import CaseFacts, EventFacts, SuspectFacts
from tests.investigations.factories import aware

DAY = date(2025, 1, 6)


def _case(*, reviews_done=(), status="open", events=()) -> CaseFacts:
    suspects = [SuspectFacts(3, "Sam", list(events))] if events else []
    return CaseFacts(
        1, "X/1", "theft", "either_way", False, DAY, aware(DAY), aware(DAY), status,
        allocated_date=DAY, reviews=list(reviews_done), suspects=suspects,
    )  # fmt: skip


def test_first_review_is_due_seven_days_after_allocation():
    (spec,) = reviews.actions(_case(), today=DAY, conf=RuleSettings())
    assert (spec.due_on, spec.title) == (date(2025, 1, 13), "First supervisor review")


def test_later_reviews_fall_every_28_days_from_the_last():
    (spec,) = reviews.actions(_case(reviews_done=[date(2025, 1, 10)]), today=DAY, conf=RuleSettings())
    assert spec.due_on == date(2025, 2, 7)


def test_review_periods_are_force_settings(monkeypatch):
    monkeypatch.setenv("INV_REVIEW_FIRST_DAYS", "3")
    (spec,) = reviews.actions(_case(), today=DAY, conf=RuleSettings())
    assert spec.due_on == date(2025, 1, 9)


def test_closed_investigations_need_no_review():
    assert reviews.actions(_case(status="closed"), today=DAY, conf=RuleSettings()) == []


def test_rui_is_flagged_at_90_days_and_the_180_day_review_appears_when_it_comes_into_view():
    events = [EventFacts(1, "arrest", DAY), EventFacts(2, "rui", DAY)]
    early = rui.actions(_case(events=events), today=date(2025, 2, 1), conf=RuleSettings())
    assert [s.due_on for s in early] == [date(2025, 4, 6)]
    late = rui.actions(_case(events=events), today=date(2025, 6, 25), conf=RuleSettings())
    assert [s.due_on for s in late] == [date(2025, 4, 6), date(2025, 7, 5)]


def test_a_charged_suspect_is_no_longer_released_under_investigation():
    events = [EventFacts(1, "rui", DAY), EventFacts(2, "charge", date(2025, 2, 1))]
    assert rui.actions(_case(events=events), today=date(2025, 6, 1), conf=RuleSettings()) == []
