"""Reads for the dashboards. Charts read the analytics results; only the incident list, a single incident and the
latest-incidents feed read Incident rows, always scoped, filtered and limited on an index."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from operator import attrgetter, itemgetter

from django.db.models import Max, Q, QuerySet, Sum

from accounts.scoping import area_codes_visible_to, restrict_to_areas
from analytics.filters import month_end
from analytics.metrics import CHARGED, RESOLVED, outcome_class
from analytics.models import (
    Alert,
    AreaMonthTotal,
    DailyCount,
    MonthlyCount,
    OutcomeCount,
    PriorityMonthTotal,
    StrategicMetric,
)
from analytics.privacy import suppress_rows
from analytics.refresh import rollups_hold_every_incident
from analytics.rollups import PLACE_LEVELS
from analytics.selectors import add_months, area_names, latest_month, rollup_totals, visible_rollups
from analytics.trends import alerts_visible_to
from crimedash.distinct import distinct_values
from crimedash.request_memo import per_request
from dashboards.efficiency import AreaFigures, financial_year, period_resources
from dashboards.filters import AREA_FIELD, DashboardFilters, filters_with
from ingestion.localtime import local_days_on_time_index, source_zones, zone_of_sources
from ingestion.models import Area, BoroughResources, Incident
from ingestion.selectors import area_kinds

PAGE_SIZE = 50
# What a list row or a feed item shows (incidents_body.html, _feed_item.html): not the JSON columns, whose decoding
# was a third of the list's time
ROW_FIELDS = ("id", "occurred_at", "time_precision", "time_zone", "local_date", "kind", "category", "priority",
              "status", "outcome", "source", "borough__name")  # fmt: skip
TOP_AREA_KINDS = (Area.Kind.FORCE, Area.Kind.BOROUGH, Area.Kind.BCU, Area.Kind.DISTRICT)


def incidents_visible_to(*, user) -> QuerySet:
    return restrict_to_areas(Incident.objects.all(), user=user)


def _area_condition(codes: tuple[str, ...]) -> Q:
    kinds = area_kinds(codes)
    condition = Q()
    for code in codes:
        # An unknown code is most likely an H3 cell from a hotspot map (cells are not all stored as Areas).
        column = AREA_FIELD.get(kinds.get(code, Area.Kind.H3), "borough_id")
        condition |= Q(**{column: code})
    return condition


def incidents_filtered(queryset: QuerySet, *, filters: DashboardFilters) -> QuerySet:
    # dates are calendar days where each incident happened, in its source's zone
    end = filters.date_to + timedelta(days=1) if filters.date_to else None
    zone = zone_of_sources(tuple(sorted(filters.sources))) if filters.date_from or end else ""
    queryset = queryset.filter(local_days_on_time_index(filters.date_from, end, zone=zone))
    if filters.areas:
        queryset = queryset.filter(_area_condition(filters.areas))
    for column, values in (("category", filters.categories), ("source", filters.sources), ("kind", filters.kinds)):
        if values:
            queryset = queryset.filter(**{f"{column}__in": values})
    return queryset


def _cursor_parse(cursor: str) -> tuple[datetime, int] | None:
    try:
        stamp, pk = cursor.rsplit("_", 1)
        return datetime.fromisoformat(stamp), int(pk)
    except ValueError:
        return None


def incident_page(*, user, filters: DashboardFilters, cursor: str = "", size: int = PAGE_SIZE) -> dict:
    """One page of incidents, newest first, by keyset on (occurred_at, id): deep pages cost what the first does."""
    position = _cursor_parse(cursor) if cursor else None

    def newest(window: DashboardFilters) -> list[Incident]:
        queryset = incidents_filtered(incidents_visible_to(user=user), filters=window)
        if position:
            stamp, pk = position
            # the bound on occurred_at alone lets the index scan start at the cursor instead of filtering its way there
            older = Q(occurred_at__lt=stamp) | Q(occurred_at=stamp, id__lt=pk)
            queryset = queryset.filter(older, occurred_at__lte=stamp)
        rows = queryset.select_related("borough").only(*ROW_FIELDS).order_by("-occurred_at", "-id")
        return list(rows[: size + 1])

    before = position[0].date() if position else None
    rows = _newest_guided(newest, user=user, filters=filters, needed=size + 1, before=before)
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = f"{rows[-1].occurred_at.isoformat()}_{rows[-1].pk}" if more else ""
    return {"rows": rows, "next_cursor": next_cursor}


def incident_get(*, user, pk: int) -> Incident | None:
    incident = incidents_visible_to(user=user).filter(pk=pk).first()
    if incident is not None:
        links = (incident.force_id, incident.borough_id, incident.lsoa_id, incident.neighborhood_id)
        links += (incident.zip_code_id,)
        names = {area.code: area for area in Area.objects.filter(code__in=[code for code in links if code])}
        incident.named_areas = [names[code] for code in links if code in names]
    return incident


# Which rollup level counts incidents of an area of each kind (the incident list's total).
LEVEL_OF_KIND = {Area.Kind.LSOA: "lsoa", Area.Kind.NEIGHBORHOOD: "neighborhood", Area.Kind.POST: "post",
                 Area.Kind.ZIP: "zip", Area.Kind.H3: "h3"}  # fmt: skip


def _count_level(codes: tuple[str, ...]) -> str:
    """The rollup level counting what the Incident reads match for these area codes: a force by its own force-level
    rows, an LSOA, neighborhood, post, ZIP or H3 cell by its level, anything else (or a mix) by boroughs."""
    if not codes:
        return "force"
    # codes not stored as areas are H3 cells from a hotspot map
    kinds = set(area_kinds(codes).values()) or {Area.Kind.H3}
    if kinds == {Area.Kind.FORCE}:
        return "force"
    return LEVEL_OF_KIND.get(kinds.pop(), "borough") if len(kinds) == 1 else "borough"


def incident_total(*, user, filters: DashboardFilters) -> int | None:
    """How many incidents match the filters, from the monthly rollups (never a count over Incident): None when the
    dates are not whole months, which the rollups cannot count exactly."""
    whole = (not filters.date_from or filters.date_from.day == 1) and (
        not filters.date_to or filters.date_to == month_end(filters.date_to)
    )
    if not whole:
        return None
    rows = rollup_totals(user=user, filters=filters, by=("level",), level=_count_level(filters.areas))
    return sum(row["total"] or 0 for row in rows)


def incidents_latest(*, user, filters: DashboardFilters, limit: int = 20) -> list[Incident]:
    """The live feed: the newest incidents of minute-precision sources (a police.uk crime dated only by its month
    is not live news, and would show as happening at midnight on the 1st)."""

    def newest(window: DashboardFilters) -> list[Incident]:
        queryset = incidents_filtered(incidents_visible_to(user=user), filters=window)
        queryset = queryset.filter(time_precision=Incident.Precision.MINUTE)
        return list(queryset.select_related("borough").only(*ROW_FIELDS).order_by("-occurred_at", "-id")[:limit])

    return _newest_guided(newest, user=user, filters=filters, needed=limit, timed=True)


def incident_points(*, user, filters: DashboardFilters, limit: int = 500) -> list[dict]:
    """The newest incidents with coordinates, for the tactical map's clustered markers."""
    fields = ("id", "latitude", "longitude", "category", "occurred_at", "status")

    def newest(window: DashboardFilters) -> list[dict]:
        queryset = incidents_filtered(incidents_visible_to(user=user), filters=window)
        return list(queryset.filter(latitude__isnull=False).order_by("-occurred_at", "-id").values(*fields)[:limit])

    return _newest_guided(newest, user=user, filters=filters, needed=limit, order=itemgetter("occurred_at", "id"))


# --- newest-first reads guided by the rollups -----------------------------------------------------------------
# "The newest N incidents matching these filters" walks an index backwards in time until it has N. When the filters
# match few rows of the index it walks (a kind or a source over three years, a quiet area with a busy category), that
# walk can cover most of the table. The rollups know how many incidents match per month (per day for timed
# sources), so each read first finds the newest months (days) that hold N matches and reads only from there on.
# Rows imported since the last refresh are newer than its rollups or are caught by the fallback: when the window
# yields fewer than N rows (a stale rollup, or a precision the rollup does not separate), the read runs on the whole
# period as before.


# (occurred_at, id) of a newest-first read's row, to merge two parts of it: Incidents by default, dicts of values
INCIDENT_ORDER = attrgetter("occurred_at", "pk")


def _newest_guided(
    read, *, user, filters: DashboardFilters, needed: int, before=None, timed: bool = False, order=INCIDENT_ORDER
) -> list:
    window = newest_window(user=user, filters=filters, needed=needed, before=before, timed=timed)
    if window is None:
        return read(filters)
    start, expected, last = window
    bounds = {"date_from": max(filter(None, (start, filters.date_from)), default=None)}
    if last and rollups_hold_every_incident():
        # no row newer than the newest period with a match can match: the read need not walk past them
        bounds["date_to"] = min(filter(None, (last, filters.date_to)))
    rows = read(filters_with(filters, **bounds))
    if len(rows) >= min(expected, needed):
        return rows
    if "date_to" in bounds and bounds["date_from"] and bounds["date_from"] != filters.date_from:
        # the rollups hold every incident, so the window's rows are all its matches (the rollups also count rows the
        # read drops, such as those without a location): the rest are older, read from where the window starts, not
        # from the period's end again past every newer row of the index the read walks
        older = read(filters_with(filters, date_to=bounds["date_from"] - timedelta(days=1)))
        return sorted(rows + older, key=order, reverse=True)[:needed]
    return read(filters)


# How far back each try looks: the newest week (month), then six weeks (four months), then the whole period.
DAY_SPANS, MONTH_SPANS = (7, 42, None), (1, 4, None)


def newest_window(*, user, filters: DashboardFilters, needed: int, before=None, timed: bool = False):
    """(first day, rollup matches from it, last day of the newest period with a match) of the newest period (before
    `before`, when paging) holding at least `needed` incidents matching the filters by the rollups: days of timed
    incidents (the live feed), else months; with fewer matches than needed, the period's first day. With no match at
    all, the day after the rollups' last period (only rows newer than the last refresh can match), 0 and None. None
    when the rollups cannot narrow the read: none refreshed yet, or a chosen period they end before."""
    level = _count_level(filters.areas)
    use_days = timed and level in PLACE_LEVELS
    model, period = (DailyCount, "day") if use_days else (MonthlyCount, "month")
    last = _rollups_last(model, period)
    if last is None:
        return None
    end = min(filter(None, (filters.date_to, before and before + timedelta(days=1), _period_end(last, period))))
    # the spans count back from the newest match, not from the rollups' end: a CAD export that stopped years before
    # the police.uk months would otherwise find nothing in them and sum every day of its history
    whole = _whole_period_table(use_days, filters)
    latest_match = _newest_match(whole, user=user, filters=filters_with(filters, date_to=end), level=level)
    end = min(end, _period_end(latest_match, _period_of(whole))) if latest_match else end
    held = 0
    for span in (DAY_SPANS if use_days else MONTH_SPANS) if latest_match else ():
        since = max(filter(None, (_span_start(end, span, period), filters.date_from)), default=None)
        table = model if span else whole
        scoped = filters_with(filters, date_from=since, date_to=end)
        start, held, newest = _newest_periods(table, user=user, filters=scoped, level=level, needed=needed)
        if start:
            return start, held, _period_end(newest, _period_of(table))
    if held:  # fewer than needed: the whole period, up to the newest match
        return filters.date_from, held, _period_end(newest, _period_of(table))
    if filters.date_from and _period_end(last, period) < filters.date_from:
        return None
    return _period_end(last, period) + timedelta(days=1), 0, None


def _newest_match(model, *, user, filters: DashboardFilters, level: str):
    """The newest period holding a match for the filters (a walk back along an index to the first), None without
    one."""
    period = _period_of(model)
    return visible_rollups(model, user=user, filters=filters, level=level).aggregate(newest=Max(period))["newest"]


@per_request  # the live feed and the map's points ask it on the same page
def _rollups_last(model, period: str):
    return model.objects.filter(level="force").aggregate(last=Max(period))["last"]


def _whole_period_table(timed: bool, filters: DashboardFilters):
    """The smallest monthly table with the filters' columns: timed rows only for the live feed (a month-precision
    crime cannot be in it)."""
    if timed:
        return DailyCount if filters.categories else PriorityMonthTotal
    return MonthlyCount if filters.categories else AreaMonthTotal


def _newest_periods(model, *, user, filters: DashboardFilters, level: str, needed: int):
    """(first period of the newest ones holding `needed` matches or None, matches counted, newest period with one)."""
    period = _period_of(model)
    counts = visible_rollups(model, user=user, filters=filters, level=level).values(period)
    held, newest = 0, None
    for row in counts.annotate(matches=Sum("count")).order_by(f"-{period}"):
        held += row["matches"]
        newest = newest or (row[period] if row["matches"] else None)
        if held >= needed:
            return row[period], held, newest
    return None, held, newest


def _period_of(model) -> str:
    return "day" if "day" in {field.name for field in model._meta.get_fields()} else "month"


def _period_end(first: date, period: str) -> date:
    return first if period == "day" else month_end(first)


def _span_start(end: date, span: int | None, period: str) -> date | None:
    if span is None:
        return None
    return end - timedelta(days=span - 1) if period == "day" else add_months(end.replace(day=1), 1 - span)


def area_options(*, user) -> list[dict]:
    """Areas a user may filter by, as an indented tree: force > borough/BCU/district."""
    visible = area_codes_visible_to(user=user)
    areas = Area.objects.filter(kind__in=TOP_AREA_KINDS).only("code", "name", "kind", "parent_id")
    if visible is not None:
        areas = areas.filter(code__in=visible)
    areas = list(areas.order_by("name"))
    by_parent: dict[str | None, list[Area]] = {}
    codes = {area.code for area in areas}
    for area in areas:
        by_parent.setdefault(area.parent_id if area.parent_id in codes else None, []).append(area)
    return _tree(by_parent, None, 0)


def _tree(by_parent: dict, parent: str | None, depth: int) -> list[dict]:
    options = []
    for area in by_parent.get(parent, []):
        options.append({"code": area.code, "name": area.name, "kind": area.get_kind_display(), "depth": depth})
        options.extend(_tree(by_parent, area.code, depth + 1))
    return options


# --- stored analytics results --------------------------------------------------------------------------------
# Small readers of analytics' stored models (rollups, metrics, alerts, decompositions, correlations). They filter
# and sum precomputed rows, which are orders of magnitude fewer than incidents; none touches Incident.


def recent_window(filters: DashboardFilters, months: int, *, model=None) -> DashboardFilters:
    """The last `months` months of the chosen period (with no end chosen, up to the latest month of `model`'s data):
    tactical patterns are about now, not three years ago."""
    end = filters.date_to or month_end(latest_month(model=model, kinds=filters.kinds))
    if end is None:
        return filters
    index = end.year * 12 + end.month - months
    start = date(index // 12, index % 12 + 1, 1)
    return filters_with(filters, date_from=max(start, filters.date_from or start), date_to=end)


def hour_weekday_cells(*, user, filters: DashboardFilters, model) -> tuple[list[dict], list[str]]:
    """The hour-by-weekday totals of `model` rows, suppressed as one table, and the sources behind them, from one
    read (asking for the sources apart read the window's rows a second time: 82 ms of a tactical page)."""
    grouped = visible_rollups(model, user=user, filters=filters, level="borough").values("weekday", "hour", "source")
    cells, sources = defaultdict(int), set()
    for row in grouped.annotate(total=Sum("count")):
        cells[row["weekday"], row["hour"]] += row["total"]
        sources.add(row["source"])
    rows = [{"weekday": weekday, "hour": hour, "total": total} for (weekday, hour), total in sorted(cells.items())]
    return suppress_rows(rows, user=user, count_field="total"), sorted(sources)


def chart_zones(sources) -> list[str]:
    """The time zones of the sources behind a chart (each source's hours and days are its own)."""
    return sorted(set(source_zones(sources).values()))


def filter_choices(*, user) -> dict:
    """Categories and sources present in the rollups, for the filter form (sources from the monthly totals: the
    same sources in a fifth of the rows)."""
    categories = distinct_values(visible_rollups(MonthlyCount, user=user, level="borough"), "category")
    sources = visible_rollups(AreaMonthTotal, user=user, level="borough").values_list("source", flat=True)
    return {"categories": categories, "sources": sorted(set(sources.distinct()))}


def borough_figures(*, user, filters: DashboardFilters, months: list[date]) -> dict:
    """Each borough's figures over `months` (the filters' period); the chosen crimes per month over the period and
    the year before; and the months of those 24 with any crime of the filters' kinds and sources in the user's
    areas (a year-on-year change needs both years whole). Every count is a total at its own level (a borough's
    period, a month of the whole scope) passed through the small-count guard. Read from the borough rollups."""
    period = filters_with(filters, date_to=month_end(months[-1]))
    recorded = _area_totals(user=user, filters=period)
    everything = (
        _area_totals(user=user, filters=filters_with(period, categories=())) if filters.categories else recorded
    )
    codes = sorted(code for code, total in recorded.items() if total)
    names, resources = area_names(codes), _resources(codes=codes, months=months)
    populations = dict(Area.objects.filter(code__in=codes).values_list("code", "population"))
    resolved = _resolved(user=user, filters=period)
    areas = []
    for code in codes:
        area = AreaFigures(
            code=code, name=names.get(code, code), recorded=recorded[code], all_crime=everything.get(code) or 0
        )
        area.population, area.resolved = populations.get(code), resolved.get(code, 0)
        area.officers, area.budget = period_resources(resources, code=code, months=months)
        areas.append(area)
    two_years = filters_with(period, date_from=add_months(months[0], -12))
    monthly = {row["month"]: row["total"] for row in rollup_totals(user=user, filters=two_years, by=("month",))}
    undated = rollup_totals(user=user, filters=filters_with(two_years, categories=()), by=("month",))
    complete = {row["month"] for row in undated if row["total"] is None or row["total"] > 0}
    return {"areas": sorted(areas, key=lambda area: area.name), "monthly": monthly, "complete": complete}


def _area_totals(*, user, filters: DashboardFilters) -> dict[str, int | None]:
    return {row["area_code"]: row["total"] for row in rollup_totals(user=user, filters=filters, by=("area_code",))}


def _resources(*, codes: list[str], months: list[date]) -> dict:
    years = {financial_year(month) for month in months}
    rows = BoroughResources.objects.filter(area_code__in=codes, year__in=years)
    return {(row.area_code, row.year): (row.officers, row.budget_gbp) for row in rows}


def _resolved(*, user, filters: DashboardFilters) -> dict[str, int]:
    """Crimes of the period charged or resolved out of court (by their last outcome), per borough."""
    rows = visible_rollups(OutcomeCount, user=user, filters=filters, level="borough")
    resolved: dict[str, int] = {}
    for code, outcome, count in rows.values_list("area_code", "outcome").annotate(n=Sum("count")).order_by():
        if outcome_class(outcome) in (CHARGED, RESOLVED):
            resolved[code] = resolved.get(code, 0) + count
    return resolved


def strategic_metric_rows(*, user, filters: DashboardFilters) -> list:
    queryset = StrategicMetric.objects.all()
    visible = area_codes_visible_to(user=user)
    if visible is not None:
        queryset = queryset.filter(area_code__in=visible)
    if filters.date_from:
        queryset = queryset.filter(year__gte=filters.date_from.year - 2)
    if filters.date_to:
        queryset = queryset.filter(year__lte=filters.date_to.year)
    return list(queryset.order_by("area_code", "year"))


def open_alerts(*, user, limit: int = 20) -> list:
    return _named_alerts(
        alerts_visible_to(user=user).filter(state=Alert.State.OPEN).order_by("p_value", "-period_start")[:limit]
    )


def alert_history(*, user, limit: int = 20) -> list:
    """Alerts already acknowledged or dismissed, latest action first: they stay visible with who acted and when."""
    queryset = alerts_visible_to(user=user).exclude(state=Alert.State.OPEN).select_related("acted_by")
    return _named_alerts(queryset.order_by("-acted_at", "-pk")[:limit])


def _named_alerts(queryset) -> list:
    alerts = list(queryset)
    names = area_names({alert.area_code for alert in alerts})
    for alert in alerts:
        alert.area_name = names.get(alert.area_code) or alert.area_code or "Whole force"  # force alerts have no code
    return alerts
