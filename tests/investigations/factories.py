from datetime import date, datetime, timedelta

import factory
from django.utils import timezone

from investigations.models import Action, CustodyEvent, Investigation, Suspect, Victim


def aware(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


class InvestigationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Investigation

    crime_reference = factory.Sequence(lambda n: f"TST/{n:06d}")
    offence = "burglary_dwelling"
    offence_class = Investigation.OffenceClass.EITHER_WAY
    offence_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=20))
    reported_at = factory.LazyAttribute(lambda o: aware(o.offence_date))
    recorded_at = factory.LazyAttribute(lambda o: o.reported_at + timedelta(hours=2))
    allocated_date = factory.LazyAttribute(lambda o: o.offence_date + timedelta(days=1))
    status = Investigation.Status.OPEN


class SuspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suspect

    investigation = factory.SubFactory(InvestigationFactory)
    reference = factory.Sequence(lambda n: f"S{n}")
    name = factory.Sequence(lambda n: f"Suspect {n}")


class CustodyEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustodyEvent

    suspect = factory.SubFactory(SuspectFactory)
    investigation = factory.LazyAttribute(lambda o: o.suspect.investigation)
    kind = CustodyEvent.Kind.ARREST
    occurred_on = factory.LazyFunction(timezone.localdate)


class VictimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Victim

    investigation = factory.SubFactory(InvestigationFactory)
    reference = factory.Sequence(lambda n: f"V{n}")
    name = factory.Sequence(lambda n: f"Victim {n}")


def open_action(investigation: Investigation, **fields) -> Action:
    """An action as the recompute would store it (used where a test needs one without the rules)."""
    today = timezone.localdate()
    due = fields.pop("due_on", today - timedelta(days=2))
    defaults = {
        "kind": Action.Kind.REVIEW,
        "title": "Supervisor review",
        "rule": "review",
        "key": f"{investigation.pk}:{due.isoformat()}",
        "warning_days": 3,
        "warn_from": due - timedelta(days=3),
        "created_on": today,
        "team": investigation.team,
        "officer": investigation.officer,
    }
    return Action.objects.create(investigation=investigation, due_on=due, **{**defaults, **fields})
