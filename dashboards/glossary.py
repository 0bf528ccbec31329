"""What every figure on the dashboards means, in plain words: the /help/ page lists them, and tiles and panel
titles carry the same text as a tooltip with a link to their entry."""

GLOSSARY = {
    "period": (
        "Period",
        "Every figure covers the months shown in the filter bar (From and To). With no dates chosen a page shows the "
        "latest 12 months of recorded crime (the strategic page) or the latest 36 months of each source. A panel "
        "that uses another window says so in its title.",
    ),
    "recorded": (
        "Recorded crime",
        "Crimes recorded in the period in the areas and categories chosen. Anti-social behaviour, calls for service "
        "and stop and search are not crimes and are not counted unless chosen under Kind.",
    ),
    "rate": (
        "Rate per 1,000 residents",
        "Recorded crime in the period divided by the residents of the same areas (Census 2021), times 1,000. It is "
        "not annualised: a six-month period gives about half a year's rate.",
    ),
    "change": (
        "Change on last year",
        "Recorded crime in the period against the same months one year earlier, as a percentage. Shown only when "
        "both periods are whole (every month has data) and no longer than 12 months; otherwise the tile says "
        "there is not enough comparable data.",
    ),
    "resolution": (
        "Resolution rate",
        "The share of the period's recorded crimes whose last outcome is a charge or summons, or an out-of-court "
        "resolution (caution, penalty notice, community resolution). Crimes still under investigation count as "
        "not resolved, so the latest months always look lower.",
    ),
    "outcome": (
        "Outcome rate",
        "The share of recorded crimes with any final outcome, including 'no suspect identified'. It is not a "
        "measure of success; the resolution rate is.",
    ),
    "per_officer": (
        "Crimes per officer",
        "All recorded crime in the period (every category, even when one is chosen) divided by the average number "
        "of officers of the same areas over the period.",
    ),
    "budget_per_crime": (
        "Budget per crime",
        "The areas' budget for the period divided by all their recorded crime in the period. Budgets are set per "
        "financial year (April to March); a period gets one twelfth of its financial year's budget for each month, "
        "so a period of January to October is set against ten twelfths, never a whole year's budget.",
    ),
    "suppression": (
        "Small-count suppression",
        "Counts from 1 to 4 are hidden (shown as –) from roles without analyst access, because so few incidents "
        "could identify a victim. Totals of hidden counts stay hidden rather than becoming zero.",
    ),
    "force_wide": (
        "Force-wide, not filtered",
        "A panel computed over every area the force holds, which the filters do not change, says so in its title "
        "and gives the reason.",
    ),
    "spearman": (
        "Spearman's rho",
        "How closely two measures rise and fall together by rank, from -1 (opposite) to +1 (together); 0 means no "
        "relation. The 95% interval is the range the true value most likely lies in. p is the chance of a relation "
        "this strong if there were none; below 0.001 it is shown as '< 0.001'.",
    ),
    "imd": (
        "IMD 2019 decile",
        "The English Indices of Deprivation 2019 rank every small area (LSOA); decile 1 is the most deprived tenth "
        "of England, decile 10 the least. Larger areas (beats, districts) take the average of the LSOAs they "
        "overlap, weighted by residents.",
    ),
    "stl": (
        "Seasonal decomposition (STL)",
        "Splits a monthly series into a slow trend, a pattern that repeats every year (seasonal) and what is left "
        "(residual). A large residual is a month that neither the trend nor the season explains.",
    ),
    "mase": (
        "MASE (mean absolute scaled error)",
        "A forecast's average error divided by the error of simply repeating last season's value. Below 1 the "
        "forecast beats that naive guess; above 1 it does worse.",
    ),
    "pai": (
        "PAI (predictive accuracy index)",
        "The share of incidents that fell in the predicted hotspots divided by the share of the area those hotspots "
        "cover. A PAI of 5 means the hotspots caught five times more incidents than their size alone would.",
    ),
    "gi_star": (
        "Gi* hot and cold spots",
        "The Getis-Ord Gi* statistic compares each map cell and its neighbours with the whole area: a high positive "
        "z-score is a hot spot, a low negative one a cold spot. Only cells significant after correcting for testing "
        "many cells at once are drawn.",
    ),
    "gini": (
        "Workload Gini",
        "How unevenly work is shared, from 0 (everyone carries the same load) to 1 (one person carries it all).",
    ),
    "context": (
        "Context effects",
        "How much bank holidays, school terms, weather and events move daily calls for service, each measured by a "
        "regression with weekday and trend terms over the daily forecast's period, with a 90% interval. A factor "
        "enters the forecast only when it cuts the forecast error on the validation weeks, before the test weeks "
        "that score it; a factor that does not is shown but not used.",
    ),
    "priority": (
        "Call priority",
        "Each dispatch system uses its own priority codes, so a priority mix is shown per source and never added "
        "across two systems.",
    ),
    "response_time": (
        "Response time",
        "Minutes from the call being received to the first unit on scene, per call. Only calls whose dispatch system "
        "records when a unit arrived count; a source that records no such time says so instead of showing zeros.",
    ),
    "dispatch_delay": ("Dispatch delay", "Minutes from the call being received to a unit being assigned."),
    "time_on_scene": ("Time on scene", "Minutes from the first unit arriving to the scene being cleared."),
    "response_percentiles": (
        "Median (p50) and 90th percentile (p90)",
        "Half the calls were attended within the median, nine in ten within the 90th percentile: the p90 shows the "
        "long waits an average hides. Both are read from one-minute buckets (five-minute past an hour, wider beyond "
        "two), so they are within one bucket of the calls' own times.",
    ),
    "response_target": (
        "Response target and share within target",
        "The force's target for each priority (set by the force in the administration pages), and the share of that "
        "priority's calls with a unit on scene within it (at the target minute or sooner). Priorities without a "
        "target show none and are left out of the overall share.",
    ),
    "coverage_plan": (
        "Expected coverage and response time of a deployment plan",
        "Model figures for the next shifts, not measured times: coverage is the share of forecast demand whose "
        "nearest staged unit is within the target travel time (straight-line distance x a detour factor at the "
        "area type's speed); expected response time is the demand-weighted travel time plus a dispatch delay. The "
        "demand-share plan and the coverage plan are scored the same way.",
    ),
    "pilot": (
        "Pilot evaluation (difference-in-differences)",
        "Pilot areas against areas of the same BCU with similar calls before the start that kept the old "
        "allocation: each week's gap between the two groups, after the start minus before, with a 95% interval from "
        "resampling weeks. 'No measurable difference' means the interval spans zero; fewer than 4 whole weeks after "
        "the start is 'not yet enough data'.",
    ),
}


def glossary_entries() -> list[dict]:
    return [{"key": key, "term": term, "text": text} for key, (term, text) in GLOSSARY.items()]


def definition(key: str) -> str:
    return GLOSSARY[key][1]
