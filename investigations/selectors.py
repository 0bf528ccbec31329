"""Reads. Every query starts from what the user may see (accounts.scoping)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
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
    SupervisorReview,
    Suspect,
    Victim,
    VictimContact,
)
from investigations.rules.facts import CaseFacts, EventFacts, SuspectFacts, VictimFacts

ACTIVE_DAYS = 90  # closed or cancelled investigations still checked (victim updates, data integrity)


def local_today() -> date:
    return timezone.localdate()


def _scoped(
    queryset: QuerySet, *, user: User, officer_field: str, team_field: str, team_ids: list[int] | None = None
) -> QuerySet:
    """The rows `user` may see: their own, their units' (`team_ids` when the caller has read them already, the whole
    force when that is None) or every row."""
    if not user.is_authenticated:  # schema generation asks for querysets without a user
        return queryset.none()
    scope = scope_of(user=user)
    if scope == OWN:
        return queryset.filter(**{officer_field: user})
    if team_ids is None:
        if scope == FORCE:
            return queryset
        team_ids = visible_unit_ids(user=user)
    return queryset.filter(**{f"{team_field}_id__in": team_ids})


def visible_unit_ids(*, user: User) -> list[int]:
    """The ids of the units whose rows the user sees: a literal id list (a handful of teams) plans far better than a
    path subquery on large tables. Remembered on the user object, so for one request only (a page scopes several
    reads), under what decides it."""
    basis = (scope_of(user=user), getattr(user, "unit_id", None))
    memo = getattr(user, "_visible_unit_ids", None)
    if memo is None or memo[0] != basis:
        memo = user._visible_unit_ids = (basis, list(units_visible_to(user=user).values_list("id", flat=True)))
    return memo[1]


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


def kind_flag_counts(queryset: QuerySet, *, today: date) -> dict[str, dict[str, int]]:
    """Open actions per kind and flag, in one read of the open actions' index (counting a column of the index, not
    the id, so the index alone answers): the flag badges, the kind tabs, the page count and the reviews due are all
    added up from it."""
    flags = {flag: Count("due_on", filter=flag_filter(flag, today)) for flag in FLAG_ORDER}
    return {row.pop("kind"): row for row in queryset.values("kind").annotate(**flags).order_by()}


def counted(grid: dict[str, dict[str, int]], *, kinds=None, flags=FLAG_ORDER) -> int:
    """How many of `grid`'s actions are of `kinds` (default all) and `flags`."""
    return sum(row[flag] for kind, row in grid.items() if kinds is None or kind in kinds for flag in flags)


PAGE_FIELDS = ["id", "investigation_id", "team_id", "officer_id", "kind", "title", "due_on", "warning_days", "key"]


def action_page(queryset: QuerySet, *, kind: str = "", flag: str = "", today: date | None = None) -> QuerySet:
    """Open actions, most urgent first, optionally narrowed to one kind or one flag: only the columns a row shows."""
    if kind:
        queryset = queryset.filter(kind=kind)
    if flag in FLAG_ORDER:
        queryset = queryset.filter(flag_filter(flag, today))
    people = ["officer__username", "officer__first_name", "officer__last_name"]
    return (
        queryset.select_related("investigation", "officer")
        .only(*PAGE_FIELDS, "investigation__crime_reference", "investigation__offence", "investigation__team", *people)
        .order_by("due_on", "id")
    )


UPCOMING_HORIZONS = [7, 28, 90]


def upcoming_actions(queryset: QuerySet, *, today: date, days: int) -> QuerySet:
    """Open actions falling due from today to `days` ahead: the advance warning of the coming weeks and months."""
    return queryset.filter(due_on__gte=today, due_on__lte=today + timedelta(days=days))


def upcoming_counts(queryset: QuerySet, *, today: date) -> dict[int, int]:
    counts = queryset.aggregate(
        **{
            f"d{days}": Count("due_on", filter=Q(due_on__gte=today, due_on__lte=today + timedelta(days=days)))
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


def with_flags(rows: list[Action], *, user: User, today: date) -> list[Action]:
    """The rows with their flag and, in one query each for all the rows, the linked crimes the user may see and, for
    a time-limit action, the suspects its completion form asks to choose from; for a data-integrity action, which
    check failed."""
    ids = {action.investigation_id for action in rows}
    linked, suspects = defaultdict(list), defaultdict(list)
    links = _scoped(
        Investigation.linked_crimes.through.objects.filter(from_investigation_id__in=ids),
        user=user,
        officer_field="to_investigation__officer",
        team_field="to_investigation__team",
    )
    for investigation_id, reference in links.order_by("to_investigation__crime_reference").values_list(
        "from_investigation_id", "to_investigation__crime_reference"
    ):
        linked[investigation_id].append(reference)
    timed = {action.investigation_id for action in rows if action.kind == Action.Kind.TIME_LIMIT}
    for suspect_id, investigation_id, name, reference in Suspect.objects.filter(investigation_id__in=timed).values_list(
        "id", "investigation_id", "name", "reference"
    ):
        suspects[investigation_id].append((suspect_id, name or reference))
    for action in rows:
        action.flag = flag_for(due_on=action.due_on, warning_days=action.warning_days, today=today)
        action.linked = linked[action.investigation_id]
        action.suspects = suspects[action.investigation_id]
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


@dataclass(frozen=True)
class RollupScope:
    """What a roll-up covers, from one read of the org units the user sees: the units its rows come from (None: the
    whole force, unfiltered), the teams it lists, every visible unit's name, and the BCUs and departments to drill
    into."""

    unit_ids: list[int] | None
    teams: dict[int, dict]
    names: dict[int, str]
    drill_units: list[dict]


def rollup_scope(*, user: User, unit: OrgUnit | None) -> RollupScope:
    units = list(units_visible_to(user=user).values("id", "name", "code", "kind", "path"))
    under = [row for row in units if unit is None or row["path"].startswith(unit.path)]
    whole = unit is None and scope_of(user=user) == FORCE
    return RollupScope(
        unit_ids=None if whole else [row["id"] for row in under],
        teams={row["id"]: row for row in under if row["kind"] == OrgUnit.Kind.TEAM},
        names={row["id"]: row["name"] for row in units},
        drill_units=[row for row in units if row["kind"] in (OrgUnit.Kind.BCU, OrgUnit.Kind.DEPARTMENT)],
    )


def rollup_cached(*, user: User, today: date, scope: RollupScope, days: int) -> dict:
    """Team, officer and trend roll-ups for the user's scope, cached until the actions next change. Cold, it is four
    queries whatever the number of actions, teams or officers."""
    key = cache_key(
        "investigations:rollup",
        [today, scope_of(user=user), scope.unit_ids, sorted(scope.teams), days],
        versions=(ACTIONS_VERSION,),
    )

    def compute() -> dict:
        counts = open_action_counts(user=user, today=today, scope=scope)  # one scan feeds both tables
        surge = team_surge(user=user, today=today, scope=scope)
        officers = rollup_by_officer(counts)
        people = rollup_people(team_ids=[t["team_id"] for t in surge], officer_ids=[o["officer_id"] for o in officers])
        return {
            "teams": rollup_by_team(counts, scope=scope),
            "officers": [
                {**row, "officer": people[row["officer_id"]], "capacity": people[row["officer_id"]].own_capacity}
                for row in officers
            ],
            "surge": with_team_capacity(surge, people=people.values()),
            "trend": action_trend(days=days, today=today, team_ids=list(scope.teams)),
        }

    return cached(key, compute, timeout=ROLLUP_TTL)


def rollup_units(*, user: User) -> QuerySet:
    """Teams the user may roll up (the visible subtree's teams)."""
    return units_visible_to(user=user).filter(kind=OrgUnit.Kind.TEAM)


def open_action_counts(*, user: User, today: date, scope: RollupScope) -> list[dict]:
    """Outstanding and overdue open actions per team, officer and kind in the roll-up's scope: one index-only read
    of the open actions (counting columns of the index, not the id) that the team and officer roll-ups both add
    up."""
    queryset = _scoped(
        Action.objects.filter(state=Action.State.OPEN),
        user=user,
        officer_field="officer",
        team_field="team",
        team_ids=scope.unit_ids,
    )
    return list(
        queryset.values("team_id", "officer_id", "kind")
        .annotate(outstanding=Count("*"), overdue=Count("due_on", filter=Q(due_on__lt=today)))
        .order_by()
    )


def _add_up(counts: list[dict], key) -> dict:
    totals = defaultdict(lambda: {"outstanding": 0, "overdue": 0})
    for row in counts:
        total = totals[key(row)]
        total["outstanding"] += row["outstanding"]
        total["overdue"] += row["overdue"]
    return totals


def rollup_by_team(counts: list[dict], *, scope: RollupScope) -> list[dict]:
    """Outstanding and overdue open actions per team and kind, with team totals, most overdue first."""
    teams = defaultdict(lambda: {"kinds": {}, "outstanding": 0, "overdue": 0})
    for (team_id, kind), total in _add_up(counts, lambda row: (row["team_id"], row["kind"])).items():
        team = teams[team_id]
        team["kinds"][kind] = {"team_id": team_id, "kind": kind, **total}
        team["outstanding"] += total["outstanding"]
        team["overdue"] += total["overdue"]
    unknown = {"name": "?", "code": ""}
    return sorted(
        (
            {"team_id": team_id, "name": scope.teams.get(team_id, unknown)["name"]}
            | {"code": scope.teams.get(team_id, unknown)["code"]}
            | data
            for team_id, data in teams.items()
        ),
        key=lambda team: (-team["overdue"], team["name"]),
    )


def rollup_by_officer(counts: list[dict], *, limit: int = 40) -> list[dict]:
    """Open actions per officer, heaviest load first (demand against capacity)."""
    totals = _add_up([row for row in counts if row["officer_id"] is not None], lambda row: row["officer_id"])
    rows = [{"officer_id": officer_id, **total} for officer_id, total in totals.items()]
    return sorted(rows, key=lambda row: -row["outstanding"])[:limit]


TEAM_MEMBER_ROLES = ["officer", "supervisor"]  # whose capacities make a team's


def rollup_people(*, team_ids: list[int], officer_ids: list[int]) -> dict[int, User]:
    """In one query: the officers of the roll-up and the teams' members, each with the capacity the force set for
    them in the admin (`own_capacity`, None when not set: INV_OFFICER_CAPACITY applies)."""
    members = Q(unit_id__in=team_ids, role__in=TEAM_MEMBER_ROLES) | Q(id__in=officer_ids)
    people = (
        User.objects.filter(members)
        .only("id", "username", "first_name", "last_name", "unit_id", "role")
        .annotate(own_capacity=F("action_capacity__capacity"))
    )
    return {person.pk: person for person in people}


WEEK = 7


def team_surge(*, user: User, today: date, scope: RollupScope) -> list[dict]:
    """Per team: investigations newly allocated in the last 7 days against the 7 before; `surge` when this week's
    intake jumps."""
    conf = RuleSettings()
    scoped = _scoped(
        Investigation.objects.filter(allocated_date__gt=today - timedelta(days=2 * WEEK)),
        user=user,
        officer_field="officer",
        team_field="team",
        team_ids=scope.unit_ids,
    )
    this_week = Q(allocated_date__gt=today - timedelta(days=WEEK), allocated_date__lte=today)
    rows = scoped.values("team_id").annotate(
        this_week=Count("allocated_date", filter=this_week), last_week=Count("allocated_date", filter=~this_week)
    )
    return sorted(
        (
            {
                **row,
                "name": scope.names.get(row["team_id"], "?"),
                "surge": is_surge(this_week=row["this_week"], last_week=row["last_week"], conf=conf),
            }
            for row in rows.order_by()
        ),
        key=lambda team: (not team["surge"], -team["this_week"], team["name"]),
    )


def is_surge(*, this_week: int, last_week: int, conf: RuleSettings) -> bool:
    rise = this_week - last_week
    return rise >= conf.surge_min_increase and this_week * 100 >= last_week * conf.surge_ratio_percent


def with_team_capacity(teams: list[dict], *, people) -> list[dict]:
    """Each team's capacity: its officers' and supervisors' own capacities, or the default, added up."""
    default = RuleSettings().officer_capacity
    totals = defaultdict(int)
    for person in people:
        if person.role in TEAM_MEMBER_ROLES:
            totals[person.unit_id] += person.own_capacity or default
    return [{**team, "capacity": totals.get(team["team_id"], 0)} for team in teams]


def action_trend(*, days: int, today: date, team_ids: list[int]) -> dict[str, list]:
    """Daily outstanding and overdue counts per kind from the snapshots, for the teams in view."""
    rows = list(
        ActionCountSnapshot.objects.filter(day__gt=today - timedelta(days=days), team_id__in=team_ids)
        .values("day", "kind")
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
