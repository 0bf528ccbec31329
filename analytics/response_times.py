"""Reads of response times: medians and 90th percentiles against the force's targets, from the histograms.

Every function is keyword-only and scoped to the user (a commander sees their BCU's calls); the number of calls
behind each figure passes the small-count guard, and a percentile or share derived from a hidden count is hidden
with it. Percentiles are read from the minute buckets (analytics.response_rollups): within one bucket's width of the
percentile of the calls themselves (1 minute up to an hour). Only the slowest-calls list reads Incident rows: a few,
scoped, on the occurred_at index, and only when the figures they belong to may be shown.
"""

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

from django.db.models import Case, DurationField, ExpressionWrapper, F, Max, Min, Q, Sum, Value, When

from accounts.scoping import restrict_to_areas
from analytics.filters import AnalyticsFilters, month_end
from analytics.models import AreaMonthTotal, Level, Measure, ResponseHourCount, ResponseTarget, ResponseTimeCount
from analytics.privacy import small_count_guard, suppress_rows
from analytics.response_rollups import bucket_width
from analytics.selectors import visible_rollups
from ingestion.lifecycle import NO_RESPONSE_TIMES
from ingestion.localtime import local_days, source_zones, zone_info
from ingestion.models import Area, Incident
from ingestion.selectors import area_kinds
from ingestion.taxonomy import category_label

DEFINITIONS = {
    Measure.RESPONSE: "Response time: on scene minus received (the call's time), per call.",
    Measure.DISPATCH: "Dispatch delay: dispatched minus received.",
    Measure.ON_SCENE: "Time on scene: cleared minus on scene.",
}
RESOLUTION = (
    "Read from minute buckets: a median or 90th percentile is within 1 minute of a call's own time up to an hour, "
    "5 minutes up to two hours, 15 minutes up to four hours, an hour beyond; shares within whole-minute targets up "
    "to an hour are exact."
)
DERIVED = ("p50", "p90", "within_target")
SLOWEST_LIMIT = 15
RECENT_MONTHS = 3
# Area kinds finer than a borough that the histograms are kept at
FINER_KINDS = {Area.Kind.NEIGHBORHOOD: Level.NEIGHBORHOOD, Area.Kind.POST: Level.POST}
FINER_LEVELS = tuple(FINER_KINDS.values())


# --- histograms ------------------------------------------------------------------------------------------------


def percentile(histogram: dict[int, int], q: float) -> float | None:
    """The q-quantile (0 < q <= 1) of the minutes counted in `histogram` {bucket: calls}, interpolated within its
    bucket; a quantile in the open last bucket reads as its lower edge ("more than a day")."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = q * total, 0
    for bucket in sorted(histogram):
        count = histogram[bucket]
        if count and seen + count >= rank:
            width = bucket_width(bucket)
            return float(bucket) if width is None else round(bucket + width * (rank - seen) / count, 1)
        seen += count
    return float(max(histogram))


def share_within(histogram: dict[int, int], target_minutes: float) -> float | None:
    """Share (0-1) of the counted calls on scene within `target_minutes` (interpolated when the target is not on a
    bucket edge)."""
    total = sum(histogram.values())
    if not total:
        return None
    within = 0.0
    for bucket, count in histogram.items():
        width = bucket_width(bucket)
        if width is not None and bucket + width <= target_minutes:
            within += count
        elif width is not None and bucket < target_minutes:
            within += count * (target_minutes - bucket) / width
    return within / total


def _histograms(rows, key) -> dict:
    grouped = defaultdict(lambda: defaultdict(int))
    for row in rows:
        grouped[key(row)][row["bucket"]] += row["n"]
    return grouped


# --- scoped rollup reads ----------------------------------------------------------------------------------------


def _area_level(areas: tuple[str, ...]) -> str:
    """The histogram level the chosen areas are kept at: neighborhoods or posts at theirs, anything else by
    borough."""
    kinds = set(area_kinds(areas).values())
    if not areas or (kinds and kinds <= {Area.Kind.FORCE}):
        return Level.FORCE
    return FINER_KINDS.get(kinds.pop(), Level.BOROUGH) if len(kinds) == 1 else Level.BOROUGH


def _rollup(model, *, user, filters: AnalyticsFilters, priorities: tuple[str, ...], level: str | None = None):
    """The histogram rows the filters select, scoped like every rollup read (analytics.selectors.visible_rollups)."""
    areas = tuple(code for code in filters.areas if code)
    rows = visible_rollups(model, user=user, filters=filters, level=level or _area_level(areas))
    return rows.filter(priority__in=priorities) if priorities else rows


def _grouped(model, *, user, filters, priorities, by: tuple[str, ...], measure=Measure.RESPONSE, level=None):
    rows = _rollup(model, user=user, filters=filters, priorities=priorities, level=level)
    if model is ResponseTimeCount:
        rows = rows.filter(measure=measure)
    return rows.values(*by, "bucket").annotate(n=Sum("count")).order_by()


def targets() -> dict[str, ResponseTarget]:
    return {target.priority: target for target in ResponseTarget.objects.all()}


def _figures(histogram: dict[int, int], target: ResponseTarget | None) -> dict:
    return {
        "count": sum(histogram.values()),
        "p50": percentile(histogram, 0.5),
        "p90": percentile(histogram, 0.9),
        "within_target": share_within(histogram, target.target_minutes) if target else None,
    }


def _rows(grouped: dict, *, user, target_of=lambda key: None, key_name: str) -> list[dict]:
    rows = [{key_name: key, **_figures(histogram, target_of(key))} for key, histogram in grouped.items()]
    return suppress_rows(rows, user=user, derived=DERIVED)


# --- the figures ------------------------------------------------------------------------------------------------


def response_time_summary(*, user, filters: AnalyticsFilters, priorities: tuple[str, ...] = ()) -> dict:
    """Response times of the calls the filters select: overall, by priority against its target, by area, by
    category, by month, by local hour x weekday, plus dispatch delay and time on scene. `has_times` is False when
    none of those calls records when it was attended (the source records no response times)."""
    read = dict(user=user, filters=filters, priorities=priorities)
    by_priority = _histograms(_grouped(ResponseTimeCount, **read, by=("priority",)), lambda r: r["priority"])
    goals = targets()
    overall = _merged(by_priority.values())
    overall_row = {**_figures(overall, None), "within_target": _overall_share(by_priority, goals)}
    return {
        "definition": DEFINITIONS[Measure.RESPONSE],
        "resolution": RESOLUTION,
        "has_times": bool(overall),
        "empty_reason": "" if overall else _empty_reason(user=user, filters=filters),
        "overall": suppress_rows([overall_row], user=user, derived=DERIVED)[0],
        "by_priority": _priority_rows(by_priority, goals, user=user),
        "by_area": _area_rows(**read),
        "by_category": _category_rows(**read),
        "by_month": _month_rows(**read, goals=goals),
        "hour_weekday": hour_weekday_medians(**read),
        "stages": _stage_rows(**read),
    }


def _empty_reason(*, user, filters: AnalyticsFilters) -> str:
    """Why no figure: the sources record no response times at all, or none match the other filters."""
    sources_only = AnalyticsFilters(sources=filters.sources)
    if _rollup(ResponseTimeCount, user=user, filters=sources_only, priorities=(), level=Level.FORCE).exists():
        return "No calls with response times match these dates, areas, categories and priorities in your areas."
    return f"No response times: {NO_RESPONSE_TIMES}."


def _merged(histograms) -> dict[int, int]:
    merged = defaultdict(int)
    for histogram in histograms:
        for bucket, count in histogram.items():
            merged[bucket] += count
    return dict(merged)


def _overall_share(by_priority: dict, goals: dict) -> float | None:
    """Share within target of the calls whose priority has a target (calls of other priorities have none)."""
    parts = [(sum(h.values()), share_within(h, goals[p].target_minutes)) for p, h in by_priority.items() if p in goals]
    total = sum(count for count, _share in parts)
    return sum(count * share for count, share in parts) / total if total else None


def _priority_rows(by_priority: dict, goals: dict, *, user) -> list[dict]:
    rows = _rows(by_priority, user=user, target_of=goals.get, key_name="priority")
    for row in rows:
        goal = goals.get(row["priority"])
        row.update(target_minutes=goal.target_minutes if goal else None, target_label=goal.label if goal else "")
    order = {priority: index for index, priority in enumerate(goals)}
    return sorted(rows, key=lambda row: (order.get(row["priority"], len(order)), row["priority"]))


def _area_rows(*, user, filters, priorities) -> dict:
    """Figures by borough or district; where that is one area (a commander's BCU, one borough chosen), by its
    neighborhoods or police posts, whichever the calls name."""
    chosen = _area_level(filters.areas)
    levels = [chosen] if chosen in FINER_LEVELS else [Level.BOROUGH, *FINER_LEVELS]
    read = dict(user=user, filters=filters, priorities=priorities, by=("area_code",))
    level, histograms = levels[0], _histograms(_grouped(ResponseTimeCount, **read, level=levels[0]), _area_key)
    for finer in levels[1:]:
        found = _histograms(_grouped(ResponseTimeCount, **read, level=finer), _area_key) if len(histograms) < 2 else {}
        if len(found) > 1:
            level, histograms = finer, found
    return {"level": Level(level).label, "rows": _named(_rows(histograms, user=user, key_name="area_code"))}


def _area_key(row: dict) -> str:
    return row["area_code"]


def _named(rows: list[dict]) -> list[dict]:
    names = dict(Area.objects.filter(code__in=[row["area_code"] for row in rows]).values_list("code", "name"))
    for row in rows:
        row["name"] = names.get(row["area_code"], row["area_code"])
    return sorted(rows, key=lambda row: row["name"])


def _category_rows(*, user, filters, priorities) -> list[dict]:
    grouped = _grouped(ResponseTimeCount, user=user, filters=filters, priorities=priorities, by=("category",))
    rows = _rows(_histograms(grouped, lambda r: r["category"]), user=user, key_name="category")
    for row in rows:
        row["label"] = category_label(row["category"])
    return sorted(rows, key=lambda row: -(row["count"] or 0))


def _month_rows(*, user, filters, priorities, goals: dict) -> list[dict]:
    grouped = _grouped(ResponseTimeCount, user=user, filters=filters, priorities=priorities, by=("month", "priority"))
    months = _histograms(grouped, lambda r: r["month"])
    per_priority = _histograms(grouped, lambda r: (r["month"], r["priority"]))
    rows = []
    for month in sorted(months):
        shares = {p: h for (m, p), h in per_priority.items() if m == month}
        rows.append({"month": month, **_figures(months[month], None), "within_target": _overall_share(shares, goals)})
    return suppress_rows(rows, user=user, derived=DERIVED)


def hour_weekday_medians(*, user, filters, priorities) -> dict:
    """Median response by local ISO weekday (1 = Monday) x hour: a 7 x 24 matrix, None where no call or hidden."""
    level = Level.FORCE if _area_level(filters.areas) == Level.FORCE else Level.BOROUGH
    grouped = _grouped(ResponseHourCount, user=user, filters=filters, priorities=priorities,
                       by=("weekday", "hour"), level=level)  # fmt: skip
    cells = _histograms(grouped, lambda r: (r["weekday"], r["hour"]))
    guard = small_count_guard(user=user)
    matrix, hidden = [[None] * 24 for _ in range(7)], 0
    for (weekday, hour), histogram in cells.items():
        if guard(sum(histogram.values())) is None:
            hidden += 1
            continue
        matrix[weekday - 1][hour] = percentile(histogram, 0.5)
    counted = _area_level(filters.areas) not in FINER_LEVELS
    return {"median": matrix, "hidden_cells": hidden, "kept_at_this_level": counted}


def _stage_rows(*, user, filters, priorities) -> list[dict]:
    """Dispatch delay, response time and time on scene of the same calls: median and 90th percentile of each."""
    rows = []
    for measure in (Measure.DISPATCH, Measure.RESPONSE, Measure.ON_SCENE):
        grouped = _grouped(ResponseTimeCount, user=user, filters=filters, priorities=priorities, by=(),
                           measure=measure)  # fmt: skip
        histogram = _merged(_histograms(grouped, lambda r: "").values())
        rows.append({"measure": measure.value, "label": measure.label, "definition": DEFINITIONS[measure],
                     **_figures(histogram, None)})  # fmt: skip
    return suppress_rows(rows, user=user, derived=DERIVED)


# --- the slowest calls ------------------------------------------------------------------------------------------


def slowest_calls(
    *, user, filters: AnalyticsFilters, priorities: tuple[str, ...] = (), limit: int = SLOWEST_LIMIT
) -> list[dict]:
    """The calls furthest over their priority's target in the period's latest RECENT_MONTHS months, worst first
    (the longest to attend when no priority chosen has a target); empty when the count of those calls is hidden
    from the user (a list would reveal it)."""
    recent = recent_period(filters, user=user, priorities=priorities)
    goals = targets()
    targeted = tuple(p for p in (priorities or goals) if p in goals)
    chosen = targeted or priorities
    grouped = _grouped(ResponseTimeCount, user=user, filters=recent, priorities=chosen, by=("priority",))
    by_priority = _histograms(grouped, lambda r: r["priority"])
    total = sum(sum(histogram.values()) for histogram in by_priority.values())
    if not total or small_count_guard(user=user)(total) is None:
        return []
    allowance = {p: goals[p].target_minutes if targeted else 0 for p in by_priority}
    floor = _over_floor(by_priority, allowance, limit)
    calls = _slowest_queryset(user=user, filters=recent, priorities=chosen, allowance=allowance, floor=floor)
    return [_slow_row(call, goals) for call in calls[:limit]]


def recent_period(filters: AnalyticsFilters, *, user, priorities: tuple[str, ...] = ()) -> AnalyticsFilters:
    """The last RECENT_MONTHS months of the filters' period (up to the latest month with response times when no end
    is chosen): the slowest calls are about now."""
    end = filters.date_to
    if end is None:
        rows = _rollup(ResponseTimeCount, user=user, filters=filters, priorities=priorities, level=Level.FORCE)
        end = month_end(rows.aggregate(last=Max("month"))["last"])
    if end is None:
        return filters
    start = month_shift(end, 1 - RECENT_MONTHS)
    return replace(filters, date_from=max(start, filters.date_from or start), date_to=end)


def month_shift(month: date, count: int) -> date:
    """The first day of the month `count` months after `month`'s (before it when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _over_floor(by_priority: dict, allowance: dict, limit: int) -> timedelta:
    """Minutes over target that the `limit` worst calls reach at least (from the buckets' lower edges): the query
    need not look at calls below it."""
    excess = sorted(((bucket - allowance[p], count) for p, h in by_priority.items() for bucket, count in h.items()),
                    reverse=True)  # fmt: skip
    seen = 0
    for over, count in excess:
        seen += count
        if seen >= limit:
            return timedelta(minutes=over)
    return timedelta(minutes=min(over for over, _count in excess))


def _slowest_queryset(*, user, filters, priorities, allowance: dict, floor: timedelta):
    target = Case(*(When(priority=p, then=Value(timedelta(minutes=m))) for p, m in allowance.items()),
                  default=Value(timedelta(0)), output_field=DurationField())  # fmt: skip
    response = ExpressionWrapper(F("on_scene_at") - F("occurred_at"), output_field=DurationField())
    end = filters.date_to + timedelta(days=1) if filters.date_to else None
    calls = restrict_to_areas(Incident.objects.filter(local_days(filters.date_from, end)), user=user)
    calls = calls.filter(on_scene_at__isnull=False, time_precision="minute")
    areas = [code for code in filters.areas if code]
    kinds = area_kinds(areas)
    if any(kind != Area.Kind.FORCE for kind in kinds.values()):
        calls = calls.filter(Q(borough_id__in=areas) | Q(neighborhood_id__in=areas) | Q(post_id__in=areas))
    for column, values in (("category", filters.categories), ("source", filters.sources), ("priority", priorities)):
        if values:
            calls = calls.filter(**{f"{column}__in": values})
    calls = calls.annotate(response=response).annotate(over=ExpressionWrapper(response - target,
                                                                            output_field=DurationField()))  # fmt: skip
    return calls.filter(over__gte=floor).order_by("-over", "pk")


def _slow_row(call: Incident, goals: dict) -> dict:
    minutes = round(call.response.total_seconds() / 60, 1)
    goal = goals.get(call.priority)
    local = call.occurred_at.astimezone(zone_info(call.time_zone))
    return {
        "pk": call.pk,
        "source_key": call.source_key,
        "received": local.strftime("%d %b %Y %H:%M %Z"),
        "category": call.category,
        "label": category_label(call.category),
        "priority": call.priority,
        "area_code": call.borough_id or "",
        "response_minutes": minutes,
        "target_minutes": goal.target_minutes if goal else None,
        "over_target": bool(goal and minutes > goal.target_minutes),
        "over_minutes": round(minutes - goal.target_minutes, 1) if goal else None,
    }


# --- the whole report -------------------------------------------------------------------------------------------


def response_times_report(*, user, filters: AnalyticsFilters, priorities: tuple[str, ...] = ()) -> dict:
    """What the response-times panel and its API endpoint show: the summary, the slowest calls, the targets in
    force, and what the figures cover (period, areas, sources and the zones their hours are read in)."""
    summary = response_time_summary(user=user, filters=filters, priorities=priorities)
    sources = _sources_with_times(user=user, filters=filters, priorities=priorities)
    return {
        **summary,
        "slowest": slowest_calls(user=user, filters=filters, priorities=priorities),
        "slowest_period": _dates(recent_period(filters, user=user, priorities=priorities)),
        "targets": [
            {"priority": t.priority, "target_minutes": t.target_minutes, "label": t.label} for t in targets().values()
        ],  # fmt: skip
        "covers": {
            "date_from": filters.date_from,
            "date_to": filters.date_to,
            "areas": list(filters.areas),
            "area_names": _named([{"area_code": code} for code in filters.areas]),
            "categories": list(filters.categories),
            "priorities": list(priorities),
            "sources": sources,
            "time_zones": source_zones(sources),
        },
    }


def _dates(filters: AnalyticsFilters) -> dict:
    return {"date_from": filters.date_from, "date_to": filters.date_to}


def _sources_with_times(*, user, filters, priorities) -> list[str]:
    rows = _rollup(ResponseTimeCount, user=user, filters=filters, priorities=priorities, level=Level.FORCE)
    return sorted(set(rows.values_list("source", flat=True).distinct()))


def response_sources(*, user, filters: AnalyticsFilters) -> list[dict]:
    """The sources of calls in the user's areas (with sources chosen: those, calls or not), each with whether it
    records response times and the first and latest months it has them for."""
    # the monthly totals: every source MonthlyCount holds, in a fraction of its rows
    calls = restrict_to_areas(AreaMonthTotal.objects.filter(level=Level.FORCE, kind=Incident.Kind.CALL), user=user,
                              field="borough_code")  # fmt: skip
    timed = restrict_to_areas(ResponseTimeCount.objects.filter(level=Level.FORCE), user=user, field="borough_code")
    spans = {row[0]: row[1:] for row in timed.values("source").annotate(first=Min("month"), last=Max("month"))
             .values_list("source", "first", "last")}  # fmt: skip
    sources = sorted(set(filters.sources) or set(calls.values_list("source", flat=True).distinct()))
    return [{"source": source, "has_times": source in spans, "first_month": spans.get(source, (None, None))[0],
             "latest_month": spans.get(source, (None, None))[1]} for source in sources]  # fmt: skip
