"""Deprivation and category correlations over LSOAs, stored by the refresh.

Crime counts carry whatever LSOA codes the source used (2011 codes before 2022 on police.uk), IMD 2019 uses 2011
codes and Census 2021 population uses 2021 codes. Most codes are the same in both; an LSOA whose code matches all
three is a point. Crimes, residents and deprivation of codes that do not match everywhere (split or merged LSOAs) are
pooled per borough into one aggregate point, shown but kept out of the coefficient, and counted in `meta`.
"""

import math
from collections import defaultdict

import numpy as np
from django.db import transaction
from django.db.models import Max, Sum
from scipy import special, stats

from analytics import conf
from analytics.models import CorrelationResult, Level, MonthlyCount
from ingestion.models import Area, Deprivation, Incident, Population

OVERALL = "imd"
MIN_POINTS = 4
CO_OCCURRENCE_MIN_TOTAL = 10


def correlations_refresh() -> None:
    with transaction.atomic():
        deprivation_correlations_refresh()
        category_correlation_refresh()


# --- helpers shared with the selectors ------------------------------------------------------------------


def rate_per_1000(count: int | None, population: int | None) -> float | None:
    """Crimes per 1,000 residents; None when the population is unknown or too small to give a meaningful rate."""
    if count is None or not population or population < conf.MIN_POPULATION:
        return None
    return round(count * 1000 / population, 3)


def is_unstable(count: int | None) -> bool:
    return count is not None and count < conf.UNSTABLE_COUNT


def spearman_with_ci(x, y, *, confidence: float = 0.95) -> dict:
    """Spearman's rho with a Fisher-z interval (standard error 1.06 / sqrt(n - 3), Fieller et al. 1957)."""
    n = len(x)
    if n < MIN_POINTS:
        return {"n": n, "rho": None, "ci_low": None, "ci_high": None, "p_value": None}
    rho, p_value = spearman(x, y)
    if math.isnan(rho):
        return {"n": n, "rho": None, "ci_low": None, "ci_high": None, "p_value": None}
    z, half = (
        np.arctanh(np.clip(rho, -0.999999, 0.999999)),
        stats.norm.ppf(0.5 + confidence / 2) * 1.06 / math.sqrt(n - 3),
    )
    return {
        "n": n,
        "rho": round(float(rho), 4),
        "ci_low": round(float(np.tanh(z - half)), 4),
        "ci_high": round(float(np.tanh(z + half)), 4),
        "p_value": float(p_value),
    }


def spearman(x, y) -> tuple[float, float]:
    """Spearman's rho and its two-sided p-value as scipy.stats.spearmanr gives them (Pearson's r of the ranks, ties
    given their mean rank; Student's t with n - 2 degrees of freedom), without its checks of every call: a page's
    deprivation panel asks it once per IMD domain, and spearmanr's own checks were 8 ms of the panel's 23. NaN for
    a constant input."""
    ranks = stats.rankdata(np.column_stack((x, y)), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = float(np.corrcoef(ranks, rowvar=False)[0, 1])
    if math.isnan(rho):
        return math.nan, math.nan
    if abs(rho) >= 1.0:
        return rho, 0.0
    freedom = len(ranks) - 2
    t = rho * math.sqrt(freedom / ((rho + 1.0) * (1.0 - rho)))
    return rho, float(2 * special.stdtr(freedom, -abs(t)))


def recent_months(level: str) -> list:
    """(exclusive start, last month) of the year of data the correlations use."""
    latest = MonthlyCount.objects.filter(level=level).aggregate(latest=Max("month"))["latest"]
    if latest is None:
        return []
    return [latest.replace(year=latest.year - 1), latest]


def area_counts(level: str, *, by_category: bool = False) -> dict:
    """Crime counts per (area, borough[, category]) over the window."""
    window = recent_months(level)
    if not window:
        return {}
    rows = MonthlyCount.objects.filter(level=level, kind=Incident.Kind.CRIME, month__gt=window[0], month__lte=window[1])
    keys = ["area_code", "borough_code"] + (["category"] if by_category else [])
    return {tuple(row[:-1]): row[-1] for row in rows.values_list(*keys).annotate(n=Sum("count")).order_by()}


# --- deprivation ---------------------------------------------------------------------------------------------


def populations() -> dict[str, int]:
    """Residents per LSOA code: the latest Population row, else Area.population."""
    known = dict(Area.objects.filter(kind=Area.Kind.LSOA, population__isnull=False).values_list("code", "population"))
    latest = dict(Population.objects.order_by("year").values_list("area_code", "population"))
    return {**known, **latest}


def deprivation_points(
    counts: dict, population: dict[str, int], deprivation: dict, borough_of: dict[str, str]
) -> tuple[list, list, dict]:
    """(matched points, pooled points per borough, matching counts)."""
    crimes = defaultdict(int)
    boroughs = {}
    for (code, borough), count in counts.items():
        crimes[code] += count
        boroughs[code] = borough
    matched = [code for code in crimes if code in population and code in deprivation]
    points = [_point(code, boroughs[code], crimes[code], population[code], deprivation[code]) for code in matched]
    pooled = _pooled(crimes, boroughs, population, deprivation, borough_of, set(matched))
    meta = {
        "lsoas_matched": len(matched),
        "crime_codes_unmatched": len(set(crimes) - set(matched)),
        "crimes_unmatched": sum(count for code, count in crimes.items() if code not in matched),
        "population_codes_unmatched": len(set(population) - set(matched)),
        "deprivation_codes_unmatched": len(set(deprivation) - set(matched)),
    }
    return points, pooled, meta


def _point(code: str, borough: str, count: int, population: int, scores: dict) -> dict:
    return {
        "lsoa": code,
        "borough_code": borough,
        "count": count,
        "population": population,
        "rate": rate_per_1000(count, population),
        "unstable": is_unstable(count),
        "scores": scores,
    }


def _pooled(crimes, boroughs, population, deprivation, borough_of, matched: set) -> list[dict]:
    """One point per borough holding the codes that do not match everywhere."""
    pools = defaultdict(lambda: {"count": 0, "population": 0, "scores": defaultdict(list)})
    for code, count in crimes.items():
        if code not in matched:
            pools[boroughs[code]]["count"] += count
    for code, scores in deprivation.items():
        if code not in matched and code not in population:
            for name, value in scores.items():
                pools[borough_of[code]]["scores"][name].append(value)
    for code, residents in population.items():
        if code not in matched and code in borough_of:
            pools[borough_of[code]]["population"] += residents
    return [
        {
            **_point(f"pooled:{borough}", borough, pool["count"], pool["population"], _means(pool["scores"])),
            "pooled": True,
        }
        for borough, pool in pools.items()
        if pool["count"] and pool["population"]
    ]


def _means(scores: dict) -> dict:
    return {name: round(float(np.mean(values)), 3) for name, values in scores.items() if values}


def deprivation_scores() -> tuple[dict[str, dict], dict[str, str]]:
    """({2011 code: {'imd': score, domain: score, ...}}, {2011 code: borough code})."""
    scores, borough_of = {}, {}
    rows = Deprivation.objects.values_list("lsoa_code", "imd_score", "domains", "borough_code")
    for code, imd_score, domain_scores, borough in rows:
        domains = {name: values.get("score") for name, values in (domain_scores or {}).items()}
        scores[code] = {k: v for k, v in {OVERALL: imd_score, **domains}.items() if v is not None}
        borough_of[code] = borough
    return scores, borough_of


def deprivation_results(counts: dict) -> tuple[dict[str, dict], dict]:
    """Per IMD domain, Spearman's rho of crime rate against it (with its interval) and the scatter points, from
    crime counts per (LSOA, borough); and the matching counts. The refresh stores it for the latest year; a page
    filtered by area, period or category computes it from the rollups it reads."""
    scores, borough_of = deprivation_scores()
    # 2021 codes get their borough from the Area table (the IMD file only knows 2011 codes).
    parents = Area.objects.filter(kind=Area.Kind.LSOA, parent__isnull=False).values_list("code", "parent_id")
    borough_of = {**dict(parents), **borough_of}
    points, pooled, meta = deprivation_points(counts, populations(), scores, borough_of)
    results = {}
    for domain in sorted({name for point in points for name in point["scores"]}):
        usable = [p for p in points if p["rate"] is not None and domain in p["scores"]]
        result = spearman_with_ci([p["scores"][domain] for p in usable], [p["rate"] for p in usable])
        scatter = [_scatter(p, domain) for p in usable + [p for p in pooled if domain in p["scores"]]]
        results[domain] = {**result, "points": scatter}
    return results, meta


def deprivation_correlations_refresh() -> None:
    results, meta = deprivation_results(area_counts(Level.LSOA))
    CorrelationResult.objects.filter(kind=CorrelationResult.Kind.DEPRIVATION).exclude(key__in=results).delete()
    for domain, result in results.items():
        scatter = result.pop("points")
        CorrelationResult.objects.update_or_create(
            kind=CorrelationResult.Kind.DEPRIVATION,
            key=domain,
            defaults={**result, "data": {"points": scatter}, "meta": {**meta, "window": _window(Level.LSOA)}},
        )


def _scatter(point: dict, domain: str) -> dict:
    return {
        "lsoa": point["lsoa"],
        "borough_code": point["borough_code"],
        "x": point["scores"][domain],
        "y": point["rate"],
        "count": point["count"],
        "population": point["population"],
        "unstable": point["unstable"],
        "pooled": point.get("pooled", False),
    }


def _window(level: str) -> list[str]:
    return [month.isoformat() for month in recent_months(level)]


# --- category co-occurrence ----------------------------------------------------------------------------------


def co_occurrence_level() -> str:
    """LSOAs where the data have them (police.uk), else neighborhoods (Baltimore)."""
    has_lsoa = MonthlyCount.objects.filter(level=Level.LSOA, kind=Incident.Kind.CRIME).exists()
    return Level.LSOA if has_lsoa else Level.NEIGHBORHOOD


def category_matrix(counts: dict) -> dict:
    """Spearman correlation of category counts across areas (zero where a category was not recorded)."""
    areas = sorted({area for area, _borough, _category in counts})
    totals = defaultdict(int)
    for (_area, _borough, category), count in counts.items():
        totals[category] += count
    categories = sorted(category for category, total in totals.items() if total >= CO_OCCURRENCE_MIN_TOTAL)
    grid = np.zeros((len(areas), len(categories)))
    index = {area: row for row, area in enumerate(areas)}
    column = {category: col for col, category in enumerate(categories)}
    for (area, _borough, category), count in counts.items():
        if category in column:
            grid[index[area], column[category]] += count
    matrix = _spearman_matrix(grid) if len(areas) >= MIN_POINTS and len(categories) >= 2 else []
    return {"categories": categories, "matrix": matrix, "n_areas": len(areas)}


def _spearman_matrix(grid: np.ndarray) -> list[list[float | None]]:
    ranks = stats.rankdata(grid, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.corrcoef(ranks, rowvar=False)
    return [[None if math.isnan(value) else round(float(value), 4) for value in row] for row in np.atleast_2d(matrix)]


def category_correlation_refresh() -> None:
    level = co_occurrence_level()
    data = category_matrix(area_counts(level, by_category=True))
    CorrelationResult.objects.update_or_create(
        kind=CorrelationResult.Kind.CATEGORY,
        key="matrix",
        defaults={"n": data["n_areas"], "data": data, "meta": {"level": level, "window": _window(level)}},
    )
