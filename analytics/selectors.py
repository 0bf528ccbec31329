"""Reads for the dashboards and the API: rollups and stored results only, never the Incident table.

Every selector is keyword-only, scoped to the user (a commander sees their BCU's rows), passes counts through the
privacy guard (small counts hidden from roles without analyst access), and returns plain dicts/lists ready for
Plotly. Results are cached under the analytics generation, so a refresh makes them stale at once.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from functools import wraps

from django.db import connection
from django.db.models import Max, Min, Q, Sum
from django.db.models.functions import ExtractIsoWeekDay

from accounts.scoping import area_codes_visible_to
from analytics.correlation import (
    category_matrix,
    co_occurrence_level,
    deprivation_results,
    is_unstable,
    rate_per_1000,
)
from analytics.filters import AnalyticsFilters, month_end
from analytics.metrics import CHARGED, RESOLVED, outcome_class
from analytics.models import (
    Alert,
    AreaMonthTotal,
    CalendarEffect,
    ContextSeries,
    CorrelationResult,
    DailyCount,
    H3MonthlyCount,
    H3MonthTotal,
    H3YearlyCount,
    H3YearTotal,
    HourWeekdayCount,
    HourWeekdayTotal,
    Level,
    MonthlyCount,
    OutcomeCount,
    PriorityMonthTotal,
    SeasonalDecomposition,
    StrategicMetric,
)
from analytics.privacy import small_count_guard, suppress_rows, total_of, with_shares
from analytics.temporal import month_range
from analytics.trends import alerts_visible_to
from crimedash.caching import cache_key, cached
from crimedash.distinct import distinct_values
from crimedash.request_memo import per_request
from ingestion.models import Area, Incident
from ingestion.selectors import area_column, area_kinds

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
NO_FILTERS = AnalyticsFilters()


# --- shared pieces -------------------------------------------------------------------------------------------


def _per_user_cache(function):
    """Cache a selector's result per generation, viewer and arguments."""

    @wraps(function)
    def wrapper(*, user, **kwargs):
        arguments = {
            name: value.key() if isinstance(value, AnalyticsFilters) else value for name, value in kwargs.items()
        }
        key = cache_key(f"analytics:{function.__name__}", arguments, user=user)
        return cached(key, lambda: function(user=user, **kwargs))

    return wrapper


def monthly_rollup(filters, *, by: tuple[str, ...] = ()) -> type:
    """The monthly table to read: AreaMonthTotal (summed over category and origin, far fewer rows at LSOA,
    neighborhood and H3 level) unless a category or the origin is filtered on or grouped by."""
    if filters.categories or filters.reported_only or {"category", "origin"} & set(by):
        return MonthlyCount
    return AreaMonthTotal


def priority_rollup(filters, *, by: tuple[str, ...] = ("priority",)) -> type:
    """The day-level table to read: PriorityMonthTotal (DailyCount summed over day and category) for a priority mix
    with no category chosen, DailyCount otherwise."""
    if filters.categories or set(by) - {"priority"}:
        return DailyCount
    return PriorityMonthTotal


def hour_weekday_rollup(filters) -> type:
    """The hour-by-weekday table to read: HourWeekdayTotal (summed over category) unless a category is chosen."""
    return HourWeekdayCount if filters.categories else HourWeekdayTotal


def visible_rollups(model, *, user, filters: AnalyticsFilters = NO_FILTERS, level: str | None = None):
    """The one scoping of every rollup read (pages and API alike): the user's boroughs, then the filters."""
    model = rollup_table(model, level=level)
    codes = area_codes_visible_to(user=user)
    rows = model.objects.all() if codes is None else model.objects.filter(borough_code__in=codes)
    if level:
        rows = rows.filter(level=level)
    return rows.filter(_filter_q(model, filters))


H3_TABLES = {MonthlyCount: H3MonthlyCount, AreaMonthTotal: H3MonthTotal}


def rollup_table(model, *, level: str | None):
    """The table holding a monthly rollup's rows at this level: the H3 level of MonthlyCount, and of its sum over
    category and origin (AreaMonthTotal), is a table of its own."""
    return H3_TABLES.get(model, model) if level == Level.H3 else model


def _filter_q(model, filters: AnalyticsFilters) -> Q:
    """Dates match days where the rollup keeps days, else whole months; a chosen force is its own force-level rows
    and, below them, its boroughs' rows; a filter a rollup has no column for (the source of outcomes) does not apply
    to it."""
    columns = {field.name for field in model._meta.get_fields()}
    day = "day" if "day" in columns else None
    where = Q()
    if filters.date_from:
        where &= Q(**{f"{day}__gte": filters.date_from}) if day else Q(month__gte=filters.date_from.replace(day=1))
    if filters.date_to:
        where &= Q(**{f"{day or 'month'}__lte": filters.date_to})
    if filters.areas:
        where &= _area_q(filters.areas, levels="level" in columns)
    for field, values in (("category", filters.categories), ("kind", filters.kinds), ("source", filters.sources)):
        if values and field in columns:
            where &= Q(**{f"{field}__in": values})
    if filters.reported_only and "origin" in columns:
        where &= Q(origin=Incident.Origin.PUBLIC_REPORT)
    return where


# Area kinds no row names as its borough (Incident.borough is a borough, BCU or district).
FINER_THAN_BOROUGH = (Area.Kind.LSOA, Area.Kind.NEIGHBORHOOD, Area.Kind.POST, Area.Kind.ZIP, Area.Kind.H3)


def _area_q(codes: tuple[str, ...], *, levels: bool = True) -> Q:
    """Rollup rows of these areas at any level. Rows carry their area and borough but not their force, so a force is
    its force-level rows and, below that level, the rows of the boroughs its force-level rows name: every crime in
    its boroughs (a neighbouring force's few recorded there included), never another force's or a US agency's
    elsewhere."""
    kinds = area_kinds(codes)
    forces = {code for code, kind in kinds.items() if kind == Area.Kind.FORCE}
    others = [code for code in codes if code not in forces]
    where = Q(area_code__in=others) if others else Q(pk__in=[])
    # a row's borough is a borough, BCU or district: asking for a finer area's code there would only keep the
    # planner off the index that leads with the area (an LSOA's or a post's days read in 13 ms, not 80-560)
    if boroughs := [code for code in others if kinds.get(code) not in FINER_THAN_BOROUGH]:
        where |= Q(borough_code__in=boroughs)
    if forces:
        force_rows = AreaMonthTotal.objects.filter(level=Level.FORCE, area_code__in=forces)
        # a subquery, not a read of its own: a page's every rollup read asks it
        below = Q(borough_code__in=force_rows.exclude(borough_code="").values("borough_code"))
        where |= Q(area_code__in=forces) | ((~Q(level=Level.FORCE) & below) if levels else below)
    return where


def rollup_totals(*, user, filters: AnalyticsFilters, by: tuple[str, ...], level: str = "borough", model=None,
                  top: int = 0, where: Q | None = None) -> list[dict]:  # fmt: skip
    """Summed counts grouped by the given rollup columns, e.g. by=("month", "category"), suppressed as one table;
    top=N keeps the N largest; `where` narrows the rows further. Without a model, the smallest monthly table that
    can answer."""
    rows = rollup_counts(user=user, filters=filters, by=by, level=level, model=model, top=top, where=where)
    return suppress_rows(rows, user=user, count_field="total")


def rollup_counts(*, user, filters: AnalyticsFilters, by: tuple[str, ...], level: str = "borough", model=None,
                  top: int = 0, where: Q | None = None) -> list[dict]:  # fmt: skip
    """rollup_totals before suppression: for a caller that derives its own table from them and suppresses that."""
    model = model or monthly_rollup(filters, by=by)
    yearly = YEARLY_TABLES.get(rollup_table(model, level=level)) if "month" not in by else None
    if yearly and (years := whole_years(filters)):
        return _counts_by_years(model, yearly, years, user=user, filters=filters, by=by, level=level, top=top,
                                where=where or Q())  # fmt: skip
    queryset = visible_rollups(model, user=user, filters=filters, level=level).filter(where or Q())
    grouped = queryset.values(*by).annotate(total=Sum("count"))
    return list(grouped.order_by("-total", *by)[:top] if top else grouped.order_by(*by))


# The yearly sums of a monthly table (analytics.rollups.YEARLY; `month` holds the year's first day).
YEARLY_TABLES = {H3MonthlyCount: H3YearlyCount, H3MonthTotal: H3YearTotal}


def _months_of(filters) -> tuple[dt.date | None, dt.date | None]:
    """The first and last months a monthly table reads for the filters (None where the period is open)."""
    return filters.date_from and filters.date_from.replace(day=1), filters.date_to and filters.date_to.replace(day=1)


def whole_years(filters) -> tuple[dt.date | None, dt.date | None] | None:
    """The first and last months of the whole calendar years within the filters' months (open where the period
    is); None when they hold no whole year."""
    first, last = _months_of(filters)
    start = first and (first if first.month == 1 else dt.date(first.year + 1, 1, 1))
    end = last and (last if last.month == 12 else dt.date(last.year - 1, 12, 1))
    return None if start and end and start > end else (start, end)


def _counts_by_years(model, yearly, years, *, user, filters, by, level, top, where) -> list[dict]:
    """rollup_counts over a period holding whole years: those years from their yearly rows (a fraction of their
    months' rows), the months either side from the monthly table, summed together in one query."""
    start, end = years
    in_years = replace(filters, date_from=start, date_to=end)
    parts = [visible_rollups(yearly, user=user, filters=in_years, level=level).filter(where)]
    if (start, end) != _months_of(filters):  # the months outside the whole years
        outside = ~Q(**{name: bound for name, bound in (("month__gte", start), ("month__lte", end)) if bound})
        parts.append(visible_rollups(model, user=user, filters=filters, level=level).filter(where & outside))
    return _summed_together(parts, by=by, top=top)


def _summed_together(querysets, *, by: tuple[str, ...], top: int) -> list[dict]:
    """The querysets' counts summed by `by` as one table: largest first when top=N keeps the N largest."""
    selects = [qs.values(*by).annotate(total=Sum("count")).order_by().query.sql_with_params() for qs in querysets]
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) AS part{n}" for n, (sql, _) in enumerate(selects))
    columns = ", ".join(connection.ops.quote_name(column) for column in by)
    order = f"total DESC, {columns} LIMIT {int(top)}" if top else columns
    sql = f"SELECT {columns}, CAST(SUM(total) AS BIGINT) AS total FROM ({union}) AS parts GROUP BY {columns}"
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY {order}", [param for _, params in selects for param in params])
        return [dict(zip((*by, "total"), row, strict=True)) for row in cursor.fetchall()]


def daily_totals(*, user, filters: AnalyticsFilters, by: tuple[str, ...], level: str = "borough") -> list[dict]:
    """Day- or minute-precision counts; by priority alone with no category chosen, from the monthly priority
    totals (whole months, a fraction of the rows)."""
    return rollup_totals(user=user, filters=filters, by=by, level=level, model=priority_rollup(filters, by=by))


@per_request  # several panels of a page ask it
def latest_month(*, model=None, kinds: tuple[str, ...] = (), sources: tuple[str, ...] = ()) -> dt.date | None:
    """The latest month with data, of the given kinds and sources when any are given (calls and crimes end at
    different months: a CAD export may stop years before the monthly police.uk file). Asked of the monthly totals a
    rollup is summed into (a tenth of its rows: a kind with no rows no longer walks the whole rollup); the hour table,
    which keeps minute-precision rows only, confirms the month in one month's rows."""
    summed_into = {None: AreaMonthTotal, MonthlyCount: AreaMonthTotal, DailyCount: PriorityMonthTotal}
    month = _latest_month(summed_into.get(model, PriorityMonthTotal), kinds=kinds, sources=sources)
    if month is None or model in summed_into or _holds(model, month=month, kinds=kinds, sources=sources):
        return month
    return _latest_month(model, kinds=kinds, sources=sources)


def _of_kinds_and_sources(model, *, kinds: tuple[str, ...], sources: tuple[str, ...]):
    queryset = model.objects.filter(level="force")
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    return queryset.filter(source__in=sources) if sources else queryset


def _latest_month(model, *, kinds: tuple[str, ...], sources: tuple[str, ...]) -> dt.date | None:
    queryset = _of_kinds_and_sources(model, kinds=kinds, sources=sources)
    return queryset.order_by("-month").values_list("month", flat=True).first()


def _holds(model, *, month: dt.date, kinds: tuple[str, ...], sources: tuple[str, ...]) -> bool:
    return _of_kinds_and_sources(model, kinds=kinds, sources=sources).filter(month=month).exists()


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _window(rows, filters: AnalyticsFilters) -> tuple[dt.date, dt.date] | None:
    """(first, last) month: the filters' range, or the latest 12 months of data."""
    last = filters.date_to.replace(day=1) if filters.date_to else rows.aggregate(last=Max("month"))["last"]
    if last is None:
        return None
    first = filters.date_from.replace(day=1) if filters.date_from else add_months(last, -11)
    return first, last


def _totals(rows, *keys) -> dict:
    """Sum of count per key tuple (or per single key)."""
    result = rows.values_list(*keys).annotate(total=Sum("count")).order_by()
    return {tuple(row[:-1]) if len(keys) > 1 else row[0]: row[-1] for row in result}


def _change_pct(current: int | None, previous: int | None) -> float | None:
    if current is None or not previous:
        return None
    return round(100 * (current - previous) / previous, 1)


def area_names(codes) -> dict[str, str]:
    return area_column(codes, "name")


def ancestry(codes) -> dict[str, set[str]]:
    """Each code with the codes of every area above it (LSOA -> borough -> force): one query per level."""
    lines = {code: {code} for code in codes}
    parents = {code: code for code in codes}  # each code's topmost area found so far
    while parents:
        found = dict(
            Area.objects.filter(code__in=set(parents.values()), parent__isnull=False).values_list("code", "parent_id")
        )
        parents = {code: found[top] for code, top in parents.items() if top in found and found[top] not in lines[code]}
        for code, parent in parents.items():
            lines[code].add(parent)
    return lines


def _populations(codes) -> dict[str, int]:
    return dict(Area.objects.filter(code__in=set(codes), population__isnull=False).values_list("code", "population"))


def _isoformat(months) -> list[str]:
    return [month.isoformat() for month in months]


def _dense(totals: dict, months: list, guard) -> list:
    return [guard(totals.get(month, 0)) for month in months]


# --- counts over time ----------------------------------------------------------------------------------------


@_per_user_cache
def monthly_series(*, user, filters: AnalyticsFilters) -> dict:
    """Monthly totals, one trace per category, and year-on-year change per month."""
    rows = visible_rollups(MonthlyCount, user=user, filters=filters, level=Level.FORCE)
    by_month_category = _totals(rows, "month", "category")
    totals = defaultdict(int)
    for (month, _category), count in by_month_category.items():
        totals[month] += count
    if not totals:
        return {"x": [], "y": [], "by_category": [], "yoy": []}
    months = month_range(min(totals), max(totals))
    guard = small_count_guard(user=user)
    categories = sorted({category for _month, category in by_month_category})
    return {
        "x": _isoformat(months),
        "y": _dense(totals, months, guard),
        "by_category": [
            {
                "name": category,
                "x": _isoformat(months),
                "y": [guard(by_month_category.get((m, category), 0)) for m in months],
            }
            for category in categories
        ],
        "yoy": [_yoy(month, totals, guard) for month in months],
    }


def _yoy(month: dt.date, totals: dict, guard) -> dict:
    count, previous = guard(totals.get(month, 0)), guard(totals.get(add_months(month, -12)))
    return {
        "month": month.isoformat(),
        "count": count,
        "previous": previous,
        "change_pct": _change_pct(count, previous),
    }


@_per_user_cache
def kpi_summary(*, user, filters: AnalyticsFilters) -> dict:
    """Headline KPIs for the window (default: latest 12 months) against the year before, with monthly sparklines:
    recorded crime, rate per 1,000 residents, change on last year, resolution (outcome) rate."""
    crime = filters if filters.kinds else AnalyticsFilters(**{**filters.key(), "kinds": (Incident.Kind.CRIME,)})
    rows = visible_rollups(monthly_rollup(crime), user=user, filters=_undated(crime), level=Level.FORCE)
    window = _window(rows, filters)
    if window is None:
        return {"period": None, "kpis": []}
    months = month_range(*window)
    monthly = _totals(rows.filter(month__gte=add_months(months[0], -12), month__lte=months[-1]), "month")
    current, previous = (sum(monthly.get(add_months(m, shift), 0) for m in months) for shift in (0, -12))
    if not _comparable(months, monthly):
        previous = None  # no change on last year unless both periods are whole and apart
    population = _scope_population(user=user, filters=filters)
    resolved = _resolution(user=user, filters=_undated(crime), months=months)
    guard = small_count_guard(user=user)
    kpis = [
        _kpi("recorded", "Recorded crime", guard(current), guard(previous), [guard(monthly.get(m, 0)) for m in months]),
        _kpi(
            "rate_per_1000",
            "Crimes per 1,000 residents",
            rate_per_1000(guard(current), population),
            rate_per_1000(guard(previous), population),
            [rate_per_1000(guard(monthly.get(m, 0)), population) for m in months],
        ),  # fmt: skip
        _kpi(
            "change_on_last_year",
            "Change on last year (%)",
            _change_pct(guard(current), guard(previous)),
            None,
            [_change_pct(guard(monthly.get(m, 0)), guard(monthly.get(add_months(m, -12)))) for m in months],
        ),  # fmt: skip
        _kpi("resolution_rate", "Resolution rate", resolved["rate"], None, resolved["series"]),
    ]
    return {
        "period": {"from": months[0].isoformat(), "to": months[-1].isoformat()},
        "months": _isoformat(months),
        "kpis": kpis,
    }


def _comparable(months: list[dt.date], monthly: dict) -> bool:
    """A year-on-year change only over two whole periods that do not overlap: every month of the window and of the
    same months a year before has data, and the window is 12 months or fewer."""
    before = [add_months(month, -12) for month in months]
    return len(months) <= 12 and all(monthly.get(month) for month in months + before)


def _undated(filters: AnalyticsFilters) -> AnalyticsFilters:
    return AnalyticsFilters(**{**filters.key(), "date_from": None, "date_to": None})


def _kpi(key: str, label: str, value, previous, series: list) -> dict:
    change = _change_pct(value, previous) if key != "change_on_last_year" else None
    return {"key": key, "label": label, "value": value, "previous": previous, "change_pct": change, "series": series}


def _scope_population(*, user, filters: AnalyticsFilters) -> int | None:
    """Residents of what the user sees: the chosen or visible boroughs, else the whole force."""
    codes = area_codes_visible_to(user=user)
    wanted = set(filters.areas) & set(codes) if codes is not None and filters.areas else set(filters.areas) or codes
    if wanted:
        return sum(_populations(wanted).values()) or None
    forces = Area.objects.filter(kind=Area.Kind.FORCE, population__isnull=False)
    force_total = forces.aggregate(total=Sum("population"))["total"]
    if force_total is not None:
        return force_total
    # no force-level figure imported: the residents of the boroughs the census gave us
    boroughs = Area.objects.filter(kind=Area.Kind.BOROUGH, population__isnull=False)
    return boroughs.aggregate(total=Sum("population"))["total"]


def _resolution(*, user, filters: AnalyticsFilters, months: list) -> dict:
    rows = visible_rollups(OutcomeCount, user=user, filters=filters, level=Level.FORCE)
    by_month = defaultdict(lambda: [0, 0])
    for (month, outcome), count in _totals(
        rows.filter(month__range=(months[0], months[-1])), "month", "outcome"
    ).items():
        by_month[month][0] += count
        by_month[month][1] += count if outcome_class(outcome) in (CHARGED, RESOLVED) else 0
    total, resolved = (sum(values[i] for values in by_month.values()) for i in (0, 1))
    share = lambda part, whole: round(part / whole, 4) if whole else None  # noqa: E731
    return {"rate": share(resolved, total), "series": [share(by_month[m][1], by_month[m][0]) for m in months]}


@_per_user_cache
def area_comparison(*, user, filters: AnalyticsFilters, limit: int | None = None) -> list[dict]:
    """Areas at filters.level ranked by count in the window, with the year before, residents and rate per 1,000
    (None below the minimum population; 'unstable' when based on few events)."""
    rows = visible_rollups(monthly_rollup(filters), user=user, filters=_undated(filters), level=filters.level)
    window = _window(rows, filters)
    if window is None:
        return []
    current = _totals(rows.filter(month__range=window), "area_code")
    previous = _totals(rows.filter(month__range=[add_months(month, -12) for month in window]), "area_code")
    names, populations = area_names(current), _populations(current)
    ranked = sorted(current.items(), key=lambda item: (-item[1], item[0]))[:limit]
    result = [
        {
            "area_code": code,
            "name": names.get(code, code),
            "count": count,
            "previous": previous.get(code, 0),
            "change_pct": _change_pct(count, previous.get(code, 0)),
            "population": populations.get(code),
            "rate_per_1000": rate_per_1000(count, populations.get(code)),
            "unstable": is_unstable(count),
        }
        for code, count in ranked
    ]
    return suppress_rows(result, user=user, derived=("change_pct", "rate_per_1000", "previous"))


@_per_user_cache
def category_trends(*, user, filters: AnalyticsFilters) -> list[dict]:
    """Each category's count in the window against the year before, with its monthly series."""
    rows = visible_rollups(MonthlyCount, user=user, filters=_undated(filters), level=Level.FORCE)
    window = _window(rows, filters)
    if window is None:
        return []
    months = month_range(*window)
    monthly = _totals(rows.filter(month__range=(add_months(window[0], -12), window[1])), "category", "month")
    guard = small_count_guard(user=user)
    result = []
    for category in sorted({category for category, _month in monthly}):
        count = sum(monthly.get((category, m), 0) for m in months)
        previous = sum(monthly.get((category, add_months(m, -12)), 0) for m in months)
        series = {"x": _isoformat(months), "y": [guard(monthly.get((category, m), 0)) for m in months]}
        result.append({"category": category, "count": count, "previous": previous,
                       "change_pct": _change_pct(count, previous), "series": series})  # fmt: skip
    result.sort(key=lambda row: -row["count"])
    return suppress_rows(result, user=user, derived=("change_pct", "previous"))


@_per_user_cache
def hour_weekday_matrix(*, user, filters: AnalyticsFilters) -> dict:
    """A 7 x 24 heatmap (Monday first) of minute-precision incidents; monthly-precision data cannot take part."""
    rows = visible_rollups(hour_weekday_rollup(filters), user=user, filters=filters, level=Level.FORCE)
    cells = _totals(rows, "weekday", "hour")
    guard = small_count_guard(user=user)
    z = [[guard(cells.get((weekday, hour), 0)) for hour in range(24)] for weekday in range(1, 8)]
    return {"x": list(range(24)), "y": WEEKDAYS, "z": z, "total": sum(cells.values())}


@_per_user_cache
def calendar_effects(*, user, area_code: str | None = None) -> list[dict]:
    """Weekend and bank-holiday effects (mean daily count on vs off) for the force and visible boroughs."""
    codes = area_codes_visible_to(user=user)
    rows = CalendarEffect.objects.all() if codes is None else CalendarEffect.objects.filter(borough_code__in=codes)
    if area_code:
        rows = rows.filter(area_code=area_code)
    fields = ("area_code", "category", "effect", "days_on", "days_off", "mean_on", "mean_off", "ratio")
    return list(rows.order_by("area_code", "effect").values(*fields))


@_per_user_cache
def seasonal_decomposition(*, user, area_code: str, category: str = "") -> dict | None:
    """The stored STL decomposition (observed, trend, seasonal, residual by month); None if absent or not visible."""
    codes = area_codes_visible_to(user=user)
    rows = SeasonalDecomposition.objects.filter(area_code=area_code, category=category)
    found = (rows if codes is None else rows.filter(borough_code__in=codes)).first()
    if found is None:
        return None
    guard = small_count_guard(user=user)
    return {
        "area_code": found.area_code,
        "category": found.category,
        "x": found.months,
        "observed": [guard(value) for value in found.observed],
        "trend": found.trend,
        "seasonal": found.seasonal,
        "resid": found.resid,
        "seasonal_strength": found.seasonal_strength,
    }


def alert_list(*, user, state: str | None = "open") -> list[dict]:
    """Emerging-trend alerts in the user's area (state None: every state), newest first. Not cached: a commander's
    acknowledgement must show at once."""
    alerts = alerts_visible_to(user=user).select_related("acted_by")
    if state:
        alerts = alerts.filter(state=state)
    names = area_names(alerts.values_list("area_code", flat=True))
    rows = [_alert_row(alert, names) for alert in alerts.order_by("-period_start", "p_value")[:500]]
    return suppress_rows(rows, user=user, count_field="observed")


def _alert_row(alert: Alert, names: dict) -> dict:
    return {
        "id": alert.pk,
        "area_code": alert.area_code,
        "area_name": names.get(alert.area_code, alert.area_code or "Unknown force"),
        "level": alert.level,
        "category": alert.category,
        "period": alert.period,
        "period_start": alert.period_start.isoformat(),
        "observed": alert.observed,
        "expected": alert.expected,
        "lower": alert.lower,
        "upper": alert.upper,
        "p_value": alert.p_value,
        "direction": alert.direction,
        "state": alert.state,
        "acted_by": str(alert.acted_by) if alert.acted_by else "",
        "acted_at": alert.acted_at.isoformat() if alert.acted_at else None,
        "note": alert.note,
    }


# --- correlations and strategic metrics ----------------------------------------------------------------------


@_per_user_cache
def deprivation_correlation(*, user, filters: AnalyticsFilters = NO_FILTERS) -> dict:
    """Spearman's rho (95 % CI) of LSOA crime rate against each IMD 2019 domain, and the scatter points the user may
    see (a commander: their borough's LSOAs). meta counts LSOA codes that matched across the 2011/2021 change.
    Unfiltered: the stored result of the latest 12 months; filtered (area, period, category, source): computed from
    the LSOA rollups the filters select."""
    if filters != NO_FILTERS:
        return _deprivation_filtered(user=user, filters=filters)
    codes = area_codes_visible_to(user=user)
    results = CorrelationResult.objects.filter(kind=CorrelationResult.Kind.DEPRIVATION).order_by("key")
    domains, points, meta = [], {}, {}
    for result in results:
        domains.append({"domain": result.key, "n": result.n, "rho": result.rho, "ci_low": result.ci_low,
                        "ci_high": result.ci_high, "p_value": result.p_value})  # fmt: skip
        visible = [p for p in result.data.get("points", []) if codes is None or p["borough_code"] in codes]
        points[result.key] = suppress_rows(visible, user=user, derived=("y",))
        meta = result.meta
    return {"domains": domains, "points": points, "meta": meta}


def _crime_filters(filters: AnalyticsFilters, **changes) -> AnalyticsFilters:
    kinds = filters.kinds or (Incident.Kind.CRIME,)
    return AnalyticsFilters(**{**filters.key(), "kinds": kinds, **changes})


def _deprivation_filtered(*, user, filters: AnalyticsFilters) -> dict:
    crime = _crime_filters(filters)
    rows = visible_rollups(monthly_rollup(crime), user=user, filters=crime, level=Level.LSOA)
    results, meta = deprivation_results(_totals(rows, "area_code", "borough_code"))
    domains = [{"domain": domain, **{k: v for k, v in result.items() if k != "points"}}
               for domain, result in results.items()]  # fmt: skip
    points = {domain: suppress_rows(result["points"], user=user, derived=("y",)) for domain, result in results.items()}
    return {"domains": domains, "points": points, "meta": meta}


@_per_user_cache
def category_correlation(*, user, filters: AnalyticsFilters = NO_FILTERS) -> dict:
    """Spearman correlation matrix of category counts across LSOAs (neighborhoods for Baltimore): unfiltered the
    stored force-wide result, filtered computed for the filters' areas and period (every category: a relationship
    between categories needs them all)."""
    if filters != NO_FILTERS:
        level = co_occurrence_level()
        crime = _crime_filters(filters, categories=())
        rows = visible_rollups(MonthlyCount, user=user, filters=crime, level=level)
        return {**category_matrix(_totals(rows, "area_code", "borough_code", "category")), "level": level}
    result = CorrelationResult.objects.filter(kind=CorrelationResult.Kind.CATEGORY, key="matrix").first()
    if result is None:
        return {"categories": [], "matrix": [], "n_areas": 0, "level": None}
    return {**result.data, "level": result.meta.get("level")}


@_per_user_cache
def strategic_metrics(*, user) -> list[dict]:
    """Per visible borough: its latest year's metrics and each metric's trend by year."""
    codes = area_codes_visible_to(user=user)
    rows = StrategicMetric.objects.all() if codes is None else StrategicMetric.objects.filter(area_code__in=codes)
    by_area = defaultdict(list)
    for row in rows.order_by("area_code", "year").values():
        row["budget_gbp"] = float(row["budget_gbp"]) if row["budget_gbp"] is not None else None
        by_area[row["area_code"]].append(row)
    names = area_names(by_area)
    return [_metric_summary(code, names.get(code, code), years, user) for code, years in sorted(by_area.items())]


METRIC_FIELDS = ("recorded", "outcome_rate", "resolution_rate", "charge_rate", "crimes_per_officer",
                 "officers_per_1000", "budget_per_crime", "rate_per_1000")  # fmt: skip


def _metric_summary(code: str, name: str, years: list[dict], user) -> dict:
    guard = small_count_guard(user=user)
    latest = {field: years[-1][field] for field in ("year", "officers", "population", "budget_gbp", *METRIC_FIELDS)}
    latest["recorded"] = guard(latest["recorded"])
    trend = {field: [row[field] for row in years] for field in METRIC_FIELDS}
    trend["recorded"] = [guard(value) for value in trend["recorded"]]
    return {"area_code": code, "name": name, "latest": latest, "years": [row["year"] for row in years], "trend": trend}


# --- calls for service -----------------------------------------------------------------------------------------


CALL_LEVELS = ("neighborhood", "zip", "borough")  # the borough level of a calls source holds its districts
OVERDOSE = "overdose"
DEFAULT_MONTHS = 36


def period_in_force(filters: AnalyticsFilters, *, months: int = DEFAULT_MONTHS) -> AnalyticsFilters:
    """The period a page or the API shows, both ends filled in so every title can state it: the dates chosen, else
    the `months` up to the latest month with data of the filters' kinds and sources (each source ends at its own
    month: a CAD export may stop years before the monthly police.uk file)."""
    if filters.date_from and filters.date_to:
        return filters
    last = filters.date_to or _latest_month_cached(kinds=filters.kinds, sources=filters.sources)
    if last is None:
        return filters
    start = filters.date_from or add_months(last.replace(day=1), 1 - months)
    return replace(filters, date_from=start, date_to=month_end(last))


def _latest_month_cached(*, kinds: tuple[str, ...], sources: tuple[str, ...]) -> dt.date | None:
    # every page's filter bar asks for it
    key = cache_key("analytics:latest-month", [kinds, sources])
    return cached(key, lambda: latest_month(kinds=kinds, sources=sources) or "") or None


def sources_of(*, user, filters: AnalyticsFilters) -> list[str]:
    """Sources with rollups of the filters' kinds in the user's and the filters' areas, at any date."""
    undated = replace(filters, date_from=None, date_to=None, categories=())
    queryset = visible_rollups(monthly_rollup(undated), user=user, filters=undated, level=Level.BOROUGH)
    return sorted(set(queryset.values_list("source", flat=True).distinct()))


@_per_user_cache
def calls_sections(*, user, filters: AnalyticsFilters) -> list[dict]:
    """Calls for service, one section per source, each over its own latest 36 months unless dates are chosen: two
    dispatch systems' periods, call types and priority codes are never added together or compared. The tactical and
    analytical pages draw these sections and /api/analytics/calls/ returns them."""
    calls = replace(filters, kinds=(Incident.Kind.CALL,))
    sources = filters.sources or sources_of(user=user, filters=calls)
    sections = [_calls_section(user=user, filters=replace(calls, sources=(source,))) for source in sources]
    return [section for section in sections if section["by_type"]]


def _calls_section(*, user, filters: AnalyticsFilters) -> dict:
    calls = period_in_force(filters)
    # every month to the period's end, read once: the year-on-year shift sums the years before the period from them
    counts = rollup_counts(user=user, filters=replace(calls, date_from=None), by=("month", "category"))
    history = suppress_rows(counts, user=user, count_field="total")
    if history and not filters.date_from:  # a source holding fewer months than the window starts at its first
        calls = replace(calls, date_from=max(calls.date_from, min(row["month"] for row in history)))
    start = calls.date_from.replace(day=1) if calls.date_from else None
    by_type = [row for row in history if start is None or row["month"] >= start]
    if not by_type:  # no calls of this source in the period: no section (its other reads would find none either)
        return {"source": filters.sources[0], "by_type": []}
    return {
        "source": filters.sources[0],
        "period": {"from": calls.date_from, "to": calls.date_to},
        "by_type": by_type,
        "by_area": _top_areas(user=user, filters=calls, levels=CALL_LEVELS),
        "overdose": _overdose(user=user, filters=replace(calls, categories=(OVERDOSE,))),
        "year_shift": _year_shift(counts, user=user),
        "priority_mix": with_shares(_raw_priorities(calls, user=user), user=user, count_field="total"),
    }


def _top_areas(*, user, filters: AnalyticsFilters, levels: tuple[str, ...], limit: int = 15) -> dict[str, list[dict]]:
    """The `limit` busiest areas at each of these levels, with their names: one read of the rollups and one of the
    names for every level. Each level's counts are suppressed as one table, before the cut."""
    rows = rollup_counts(user=user, filters=filters, by=("level", "area_code"), level=None, where=Q(level__in=levels))
    by_level = {level: [] for level in levels}
    for row in rows:
        by_level[row["level"]].append({"area_code": row["area_code"], "total": row["total"]})
    top = {
        level: sorted(suppress_rows(counts, user=user, count_field="total"), key=lambda row: row["total"] or 0,
                      reverse=True)[:limit]
        for level, counts in by_level.items()
    }  # fmt: skip
    names = area_names(row["area_code"] for rows in top.values() for row in rows)
    return {
        level: [{**row, "name": names.get(row["area_code"], row["area_code"])} for row in rows]
        for level, rows in top.items()
    }


def _overdose(*, user, filters: AnalyticsFilters) -> dict:
    monthly = rollup_totals(user=user, filters=filters, by=("month",))
    years = defaultdict(list)
    for row in monthly:  # the months are on the page: a year with a hidden month is hidden
        years[row["month"].year].append(row["total"])
    by_weekday = _weekday_totals(filters, user=user)
    return {
        "by_month": monthly,
        "by_year": [{"year": year, "total": total_of(parts)} for year, parts in sorted(years.items())],
        "by_weekday": suppress_rows(by_weekday, user=user, count_field="total"),
        "top_neighborhoods": _top_areas(user=user, filters=filters, levels=("neighborhood",), limit=10)["neighborhood"],
    }


def _weekday_totals(filters: AnalyticsFilters, *, user) -> list[dict]:
    rows = visible_rollups(DailyCount, user=user, filters=filters, level=Level.BOROUGH)
    # DailyCount keeps days: each one's ISO weekday (Monday 1), summed by the database (7 rows, not a row a day)
    totals = _totals(rows.annotate(iso_weekday=ExtractIsoWeekDay("day")), "iso_weekday")
    return [{"weekday": day, "total": totals.get(day, 0)} for day in range(1, 8)] if totals else []


def _raw_priorities(filters: AnalyticsFilters, *, user) -> list[dict]:
    rows = visible_rollups(priority_rollup(filters), user=user, filters=filters, level=Level.BOROUGH)
    totals = _totals(rows, "priority")
    return [{"priority": key or "", "total": total} for key, total in sorted(totals.items(), key=lambda i: -i[1])]


def _year_shift(monthly: list[dict], *, user) -> dict:
    """Each call type's share of calls in the latest year of the period against the year before, from the unsuppressed
    counts by month and category up to the period's end, summed by year; each year's counts are suppressed as one
    table (a hidden count loses its share)."""
    counts = defaultdict(int)
    for row in monthly:
        counts[row["month"].year, row["category"]] += row["total"]
    years = sorted({year for year, _category in counts})[-2:]
    if len(years) < 2:
        return {"years": years, "rows": []}
    share = {}
    for year in years:
        table = [{"category": c, "total": n} for (y, c), n in counts.items() if y == year]
        share[year] = {row["category"]: row["share"] for row in with_shares(table, user=user, count_field="total")}
    categories = sorted(set(share[years[0]]) | set(share[years[1]]))
    result = [{"category": c, "previous_share": share[years[0]].get(c, 0.0), "share": share[years[1]].get(c, 0.0)}
              for c in categories]  # fmt: skip
    for row in result:
        known = row["share"] is not None and row["previous_share"] is not None
        row["change_pp"] = round(100 * (row["share"] - row["previous_share"]), 2) if known else None
    return {"years": years, "rows": sorted(result, key=lambda row: row["change_pp"] or 0)}


# --- context and filter options -------------------------------------------------------------------------------


@_per_user_cache
def context_series(*, user, filters: AnalyticsFilters, names: tuple[str, ...] = ()) -> dict:
    """Daily demand (day/minute-precision incidents) with the contextual series (weather, events, school terms)."""
    rows = visible_rollups(DailyCount, user=user, filters=filters, level=Level.FORCE)
    if filters.date_from:
        rows = rows.filter(day__gte=filters.date_from)
    demand = _totals(rows, "day")
    days = sorted(demand)
    context = ContextSeries.objects.filter(name__in=names) if names else ContextSeries.objects.all()
    if days:
        context = context.filter(date__range=(days[0], days[-1]))
    series = defaultdict(lambda: {"x": [], "y": []})
    for name, date, value in context.order_by("name", "date").values_list("name", "date", "value"):
        series[name]["x"].append(date.isoformat())
        series[name]["y"].append(value)
    guard = small_count_guard(user=user)
    return {
        "demand": {"x": [day.isoformat() for day in days], "y": [guard(demand[day]) for day in days]},
        "context": [{"name": name, **values} for name, values in series.items()],
    }


@_per_user_cache
def filter_options(*, user) -> dict:
    """What the filter bar can offer this user: month range, categories, sources, kinds and visible boroughs."""
    # AreaMonthTotal has every month, area, kind and source MonthlyCount has, in a fifth of the rows; only the
    # categories need MonthlyCount
    rows = visible_rollups(AreaMonthTotal, user=user, level=Level.FORCE)
    span = rows.aggregate(first=Min("month"), last=Max("month"))
    distinct = lambda rows, field: sorted(set(rows.values_list(field, flat=True).distinct()))  # noqa: E731
    codes = distinct(visible_rollups(AreaMonthTotal, user=user, level=Level.BOROUGH), "area_code")
    names = area_names(codes)
    return {
        "months": [span["first"].isoformat(), span["last"].isoformat()] if span["first"] else [],
        "categories": distinct_values(visible_rollups(MonthlyCount, user=user, level=Level.FORCE), "category"),
        "sources": distinct(rows, "source"),
        "kinds": distinct(rows, "kind"),
        "areas": [{"code": code, "name": names.get(code, code)} for code in codes],
        "levels": [{"code": level.value, "name": level.label} for level in Level],
    }
