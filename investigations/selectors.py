"""Reads. Every query starts from what the user may see (accounts.scoping)."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import OrgUnit, User
from accounts.roles import FORCE, OWN
from accounts.scoping import scope_of, units_visible_to
from crimedash.caching import CacheVersion, cache_key, cached
from investigations.conf import RuleSettings
from investigations.flags import DUE_SOON, DUE_TODAY, FLAG_ORDER, OVERDUE, UPCOMING, flag_for
from investigations.models import (
    Action,
    ActionCountSnapshot,
    CustodyEvent,
    Investigation,
    OfficerCapacity,
    SupervisorReview,
    Suspect,
    Victim,
    VictimContact,
)
from investigations.rules.facts import CaseFacts, EventFacts, SuspectFacts, VictimFacts

ACTIVE_DAYS = 90  # closed or cancelled investigations still checked (victim updates, data integrity)


def local_today() -> date:
    return timezone.localdate()


def _scoped(queryset: QuerySet, *, user: User, officer_field: str, team_field: str) -> QuerySet:
    if not user.is_authenticated:  # schema generation asks for querysets without a user
        return queryset.none()
    scope = scope_of(user=user)
    if scope == OWN:
        return queryset.filter(**{officer_field: user})
    if scope == FORCE:
        return queryset
    # A literal id list (a handful of teams) plans far better than a path subquery on large tables.
    team_ids = list(units_visible_to(user=user).values_list("id", flat=True))
    return queryset.filter(**{f"{team_field}_id__in": team_ids})


def investigations_visible_to(*, user: User) -> QuerySet:
    return _scoped(Investigation.objects.all(), user=user, officer_field="officer", team_field="team")


def actions_visible_to(*, user: User) -> QuerySet:
    return _scoped(Action.objects.all(), user=user, officer_field="officer", team_field="team")


def open_actions_visible_to(*, user: User) -> QuerySet:
    return actions_visible_to(user=user).filter(state=Action.State.OPEN)


def flag_filter(flag: str, today: date) -> Q:
    return {
        OVERDUE: Q(due_on__lt=today),
        DUE_TODAY: Q(due_on=today),
        DUE_SOON: Q(due_on__gt=today, warn_from__lte=today),
        UPCOMING: Q(warn_from__gt=today, due_on__gt=today),
    }[flag]


def flag_counts(queryset: QuerySet, *, today: date) -> dict[str, int]:
    counts = queryset.aggregate(**{flag: Count("id", filter=flag_filter(flag, today)) for flag in FLAG_ORDER})
    return {flag: counts[flag] or 0 for flag in FLAG_ORDER}


def action_page(queryset: QuerySet, *, user: User, today: date, kind: str = "", flag: str = "") -> QuerySet:
    """Open actions, most urgent first, optionally narrowed to one kind or one flag; each investigation's linked
    crimes as far as the user may see them."""
    if kind:
        queryset = queryset.filter(kind=kind)
    if flag in FLAG_ORDER:
        queryset = queryset.filter(flag_filter(flag, today))
    return (
        queryset.select_related("investigation", "officer")
        .prefetch_related(
            Prefetch(
                "investigation__linked_crimes",
                queryset=investigations_visible_to(user=user).only("id", "crime_reference"),
            ),
            Prefetch("investigation__suspects", queryset=Suspect.objects.only("id", "investigation_id", "name")),
        )
        .order_by("due_on", "id")
    )


UPCOMING_HORIZONS = [7, 28, 90]


def upcoming_actions(queryset: QuerySet, *, today: date, days: int) -> QuerySet:
    """Open actions falling due from today to `days` ahead: the advance warning of the coming weeks and months."""
    return queryset.filter(due_on__gte=today, due_on__lte=today + timedelta(days=days))


def upcoming_counts(queryset: QuerySet, *, today: date) -> dict[int, int]:
    counts = queryset.aggregate(
        **{
            f"d{days}": Count("id", filter=Q(due_on__gte=today, due_on__lte=today + timedelta(days=days)))
            for days in UPCOMING_HORIZONS
        }
    )
    return {days: counts[f"d{days}"] for days in UPCOMING_HORIZONS}


def wanted_suspects(*, investigation: Investigation) -> list[Suspect]:
    """Suspects whose latest custody event is a failure to surrender: still wanted."""
    wanted = []
    for suspect in investigation.suspects.prefetch_related("custody_events"):
        standing = [e for e in suspect.custody_events.all() if e.kind != CustodyEvent.Kind.INTERVIEW]
        if standing and standing[-1].kind == CustodyEvent.Kind.FAILED_TO_SURRENDER:
            suspect.failed_on = standing[-1].occurred_on
            wanted.append(suspect)
    return wanted


def with_flags(actions, *, today: date) -> list[Action]:
    """Rows with their flag, and what their completion form asks for: the custody events that do the task
    (PACE ss47ZD-47ZG, s34, s37, s46A; MCA 1980 s127) or, for a data-integrity action, which check failed."""
    rows = list(actions)
    for action in rows:
        action.flag = flag_for(due_on=action.due_on, warning_days=action.warning_days, today=today)
        action.evidence_choices = [(e, CustodyEvent.Kind(e).label) for e in EVIDENCE_EVENTS.get(action.kind, [])]
        action.cdi_check = action.key.split(":", 1)[-1] if action.kind == Action.Kind.CDI else ""
    return rows


# Which custody events do each evidence-closed task.
EVIDENCE_EVENTS = {
    Action.Kind.BAIL: ["bail_extension", "charge", "release", "rui"],
    Action.Kind.RUI: ["charge", "bail_start", "release"],
    Action.Kind.TIME_LIMIT: ["charge", "release", "out_of_court_disposal"],
    Action.Kind.SURRENDER: ["arrest"],
}


def team_officers(*, team: OrgUnit) -> QuerySet:
    return User.objects.filter(unit=team).order_by("last_name", "username")


# Bumped by every recompute (import, nightly job, completion, reassignment): cached roll-ups expire with it.
ACTIONS_VERSION = CacheVersion("investigations:actions-generation", memo_seconds=0)
ROLLUP_TTL = 600


def rollup_cached(*, user: User, today: date, unit: OrgUnit | None, days: int) -> dict:
    """Team, officer and trend roll-ups for the user's scope, cached until the actions next change."""
    teams = unit.pk if unit else ",".join(map(str, rollup_units(user=user).values_list("id", flat=True)))
    key = cache_key("investigations:rollup", [today, scope_of(user=user), teams, days], versions=(ACTIONS_VERSION,))

    def compute() -> dict:
        counts = open_action_counts(user=user, today=today, unit=unit)  # one scan feeds both tables
        return {
            "teams": rollup_by_team(user=user, today=today, unit=unit, counts=counts),
            "officers": rollup_by_officer(user=user, today=today, unit=unit, counts=counts),
            "surge": team_surge(user=user, today=today, unit=unit),
            "trend": action_trend(user=user, days=days, today=today, unit=unit),
        }

    return cached(key, compute, timeout=ROLLUP_TTL)


def rollup_units(*, user: User) -> QuerySet:
    """Teams the user may roll up (the visible subtree's teams)."""
    return units_visible_to(user=user).filter(kind=OrgUnit.Kind.TEAM)


def _team_ids_under(unit: OrgUnit) -> list[int]:
    return list(OrgUnit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))


def open_action_counts(*, user: User, today: date, unit: OrgUnit | None = None) -> list[dict]:
    """Outstanding and overdue open actions per team, officer and kind in the user's scope: one read of the open
    actions' index that the team and officer roll-ups both add up."""
    queryset = open_actions_visible_to(user=user)
    if unit is not None:
        queryset = queryset.filter(team_id__in=_team_ids_under(unit))
    return list(
        queryset.values("team_id", "officer_id", "kind")
        .annotate(outstanding=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
        .order_by()
    )


def _add_up(counts: list[dict], key) -> dict:
    totals = defaultdict(lambda: {"outstanding": 0, "overdue": 0})
    for row in counts:
        total = totals[key(row)]
        total["outstanding"] += row["outstanding"]
        total["overdue"] += row["overdue"]
    return totals


def rollup_by_team(*, user: User, today: date, unit: OrgUnit | None = None, counts=None) -> list[dict]:
    """Outstanding and overdue open actions per team and kind, with team totals."""
    counts = open_action_counts(user=user, today=today, unit=unit) if counts is None else counts
    rows = [
        {"team_id": team_id, "kind": kind, **total}
        for (team_id, kind), total in _add_up(counts, lambda row: (row["team_id"], row["kind"])).items()
    ]
    names = {pk: (name, code) for pk, name, code in rollup_units(user=user).values_list("id", "name", "code")}
    teams = defaultdict(lambda: {"kinds": {}, "outstanding": 0, "overdue": 0})
    for row in rows:
        team = teams[row["team_id"]]
        team["kinds"][row["kind"]] = row
        team["outstanding"] += row["outstanding"]
        team["overdue"] += row["overdue"]
    return sorted(
        (
            {"team_id": team_id, "name": names.get(team_id, ("?", ""))[0], "code": names.get(team_id, ("?", ""))[1]}
            | data
            for team_id, data in teams.items()
        ),
        key=lambda team: (-team["overdue"], team["name"]),
    )


def rollup_by_officer(
    *, user: User, today: date, unit: OrgUnit | None = None, limit: int = 40, counts=None
) -> list[dict]:
    """Open actions per officer, heaviest load first (demand against capacity)."""
    counts = open_action_counts(user=user, today=today, unit=unit) if counts is None else counts
    totals = _add_up([row for row in counts if row["officer_id"] is not None], lambda row: row["officer_id"])
    rows = [{"officer_id": officer_id, **total} for officer_id, total in totals.items()]
    rows = sorted(rows, key=lambda row: -row["outstanding"])[:limit]
    users = User.objects.in_bulk([row["officer_id"] for row in rows])
    own = officer_capacities(officer_ids=list(users))
    return [{**row, "officer": users[row["officer_id"]], "capacity": own.get(row["officer_id"])} for row in rows]


def officer_capacities(*, officer_ids: list[int]) -> dict[int, int]:
    """Capacities the force set per officer in the admin; officers without one take INV_OFFICER_CAPACITY."""
    return dict(OfficerCapacity.objects.filter(officer_id__in=officer_ids).values_list("officer_id", "capacity"))


WEEK = 7


def team_surge(*, user: User, today: date, unit: OrgUnit | None = None) -> list[dict]:
    """Per team: investigations newly allocated in the last 7 days against the 7 before, with the team's capacity
    (its officers' own or default capacities) and open actions; `surge` when this week's intake jumps."""
    conf = RuleSettings()
    scoped = investigations_visible_to(user=user).filter(allocated_date__gt=today - timedelta(days=2 * WEEK))
    if unit is not None:
        scoped = scoped.filter(team_id__in=_team_ids_under(unit))
    this_week = Q(allocated_date__gt=today - timedelta(days=WEEK), allocated_date__lte=today)
    rows = scoped.values("team_id").annotate(
        this_week=Count("id", filter=this_week), last_week=Count("id", filter=~this_week)
    )
    teams = {row["team_id"]: row for row in rows}
    names = dict(OrgUnit.objects.filter(id__in=teams).values_list("id", "name"))
    capacity = _team_capacity(team_ids=list(teams), default=conf.officer_capacity)
    return sorted(
        (
            {
                **row,
                "name": names.get(team_id, "?"),
                "capacity": capacity.get(team_id, 0),
                "surge": is_surge(this_week=row["this_week"], last_week=row["last_week"], conf=conf),
            }
            for team_id, row in teams.items()
        ),
        key=lambda team: (not team["surge"], -team["this_week"], team["name"]),
    )


def is_surge(*, this_week: int, last_week: int, conf: RuleSettings) -> bool:
    rise = this_week - last_week
    return rise >= conf.surge_min_increase and this_week * 100 >= last_week * conf.surge_ratio_percent


def _team_capacity(*, team_ids: list[int], default: int) -> dict[int, int]:
    members = User.objects.filter(unit_id__in=team_ids, role__in=["officer", "supervisor"]).values_list("id", "unit_id")
    members = list(members)
    own = officer_capacities(officer_ids=[member for member, _ in members])
    totals = defaultdict(int)
    for member, team_id in members:
        totals[team_id] += own.get(member, default)
    return dict(totals)


def action_trend(*, user: User, days: int, today: date, unit: OrgUnit | None = None) -> dict[str, list]:
    """Daily outstanding and overdue counts per kind from the snapshots, for the teams in view."""
    queryset = ActionCountSnapshot.objects.filter(
        day__gt=today - timedelta(days=days), team__in=rollup_units(user=user)
    )
    if unit is not None:
        queryset = queryset.filter(team__path__startswith=unit.path)
    rows = list(
        queryset.values("day", "kind")
        .annotate(outstanding=Sum("outstanding"), overdue=Sum("overdue"))
        .order_by("day", "kind")
    )
    return {"days": sorted({row["day"] for row in rows}), "rows": rows}


# --- facts for the rules -------------------------------------------------------------------------------------

FACT_FIELDS = [
    "id",
    "crime_reference",
    "offence",
    "offence_class",
    "domestic_abuse",
    "offence_date",
    "reported_at",
    "recorded_at",
    "status",
    "outcome",
    "outcome_date",
    "cancelled_date",
    "cancellation_avi",
    "allocated_date",
    "dpp_designated",
    "s47zf7_case",
]


def active_investigations(*, today: date, investigation_ids=None, every: bool = False) -> QuerySet:
    """Open investigations and those closed or cancelled recently (still owed victim updates and checks)."""
    queryset = Investigation.objects.all()
    if investigation_ids is not None:
        queryset = queryset.filter(id__in=investigation_ids)
    if every:
        return queryset
    since = today - timedelta(days=ACTIVE_DAYS)
    return queryset.filter(
        Q(status=Investigation.Status.OPEN) | Q(outcome_date__gte=since) | Q(cancelled_date__gte=since)
    )


def case_facts_list(investigations: QuerySet) -> tuple[list[CaseFacts], dict[int, tuple[int, int | None]]]:
    """Facts for every investigation of the queryset in six set-based queries, and each one's (team, officer)."""
    cases, owners = {}, {}
    for row in investigations.values(*FACT_FIELDS, "team_id", "officer_id").iterator(chunk_size=5000):
        owners[row["id"]] = (row.pop("team_id"), row.pop("officer_id"))
        cases[row["id"]] = CaseFacts(**row)
    _attach_people(cases, investigations)
    for investigation_id, reviewed_on in SupervisorReview.objects.filter(investigation__in=investigations).values_list(
        "investigation_id", "reviewed_on"
    ):
        cases[investigation_id].reviews.append(reviewed_on)
    return list(cases.values()), owners


EVENT_FIELDS = ["id", "suspect_id", "kind", "occurred_on", "authorising_rank", "s46a_rearrest"]


def suspect_facts(suspect: Suspect) -> SuspectFacts:
    """One suspect's custody history as the rules read it."""
    events = suspect.custody_events.order_by("occurred_on", "id").values_list(*EVENT_FIELDS)
    return SuspectFacts(suspect.id, suspect.name or suspect.reference, [EventFacts(e[0], *e[2:]) for e in events])


def _attach_people(cases: dict[int, CaseFacts], investigations: QuerySet) -> None:
    suspects, victims = {}, {}
    for sid, iid, name, ref in Suspect.objects.filter(investigation__in=investigations).values_list(
        "id", "investigation_id", "name", "reference"
    ):
        suspects[sid] = SuspectFacts(sid, name or ref)
        cases[iid].suspects.append(suspects[sid])
    events = CustodyEvent.objects.filter(investigation__in=investigations).order_by("occurred_on", "id")
    for eid, sid, *fields in events.values_list(*EVENT_FIELDS):
        suspects[sid].events.append(EventFacts(eid, *fields))
    for vid, iid, name, ref, enhanced, statement in Victim.objects.filter(investigation__in=investigations).values_list(
        "id", "investigation_id", "name", "reference", "enhanced_rights", "statement_received_on"
    ):
        victims[vid] = VictimFacts(vid, name or ref, enhanced, statement)
        cases[iid].victims.append(victims[vid])
    for vid, on in VictimContact.objects.filter(investigation__in=investigations).values_list(
        "victim_id", "contacted_on"
    ):
        victims[vid].contacts.append(on)
