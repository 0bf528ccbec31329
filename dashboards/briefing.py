"""The executive briefing: the strategic picture for a chosen period in plain language, as a page and as a PDF
(reportlab, charts drawn with reportlab.graphics so no browser or plotting stack is needed)."""

import io
from collections import defaultdict
from datetime import date
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analytics import selectors as analytics_selectors
from crimedash.caching import cached
from dashboards import pages, selectors
from dashboards.filters import DashboardFilters, filters_with

HOTSPOT_MONTHS = 6
HOTSPOT_TOP = 10
BLUE, ORANGE = colors.HexColor("#0072B2"), colors.HexColor("#E69F00")


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _period(filters: DashboardFilters) -> tuple[date | None, date | None]:
    end = filters.date_to or analytics_selectors.latest_month(kinds=filters.kinds)
    return filters.date_from, end


def category_changes(*, user, filters: DashboardFilters, end: date) -> list[dict]:
    """Each category's count in the 12 months to `end` against the 12 before, largest relative change first."""
    start = _shift_months(end.replace(day=1), -23)
    window = filters_with(filters, date_from=start, date_to=end)
    rows = analytics_selectors.rollup_totals(user=user, filters=window, by=("month", "category"))
    split = _shift_months(end.replace(day=1), -11)
    before, after = defaultdict(int), defaultdict(int)
    for row in rows:
        (after if row["month"] >= split else before)[row["category"]] += row["total"] or 0
    changes = [
        {"category": c, "before": before[c], "after": after[c], "change": (after[c] - before[c]) / before[c] * 100}
        for c in set(before) | set(after)
        if before[c] >= 10
    ]
    return sorted(changes, key=lambda item: item["change"], reverse=True)


def persistent_hotspots(*, user, filters: DashboardFilters, end: date) -> list[dict]:
    """LSOAs in the top ten every month of the last six: the places that stay hot."""
    start = _shift_months(end.replace(day=1), 1 - HOTSPOT_MONTHS)
    window = filters_with(filters, date_from=start, date_to=end)
    rows = analytics_selectors.rollup_totals(user=user, filters=window, by=("month", "area_code"), level="lsoa")
    by_month = defaultdict(list)
    for row in rows:
        by_month[row["month"]].append(row)
    tops = [
        {row["area_code"] for row in sorted(month_rows, key=lambda r: r["total"] or 0, reverse=True)[:HOTSPOT_TOP]}
        for month_rows in by_month.values()
    ]
    if len(tops) < 2:
        return []
    codes = set.intersection(*tops)
    totals = defaultdict(int)
    for row in rows:
        if row["area_code"] in codes:
            totals[row["area_code"]] += row["total"] or 0
    names = analytics_selectors.area_names(codes)
    ordered = sorted(codes, key=totals.get, reverse=True)
    return [{"code": code, "name": names.get(code, code), "total": totals[code]} for code in ordered]


def outcome_changes(metric_rows) -> list[dict]:
    by_area = defaultdict(dict)
    for row in metric_rows:
        if row.outcome_rate is not None:
            by_area[row.area_code][row.year] = row.outcome_rate
    names = analytics_selectors.area_names(by_area)
    changes = []
    for code, years in by_area.items():
        if len(years) >= 2:
            last, previous = sorted(years)[-1], sorted(years)[-2]
            change = (years[last] - years[previous]) * 100
            changes.append({"name": names.get(code, code), "year": last, "rate": years[last] * 100, "change": change})
    return sorted(changes, key=lambda item: item["change"])


def findings(*, changes, hotspots, outcomes, efficiency) -> list[str]:
    """Plain-language sentences, each naming the number it rests on."""
    lines = []
    rises = [c for c in changes if c["change"] > 0][:3]
    falls = [c for c in reversed(changes) if c["change"] < 0][:3]
    for label, group in (("Largest rises", rises), ("Largest falls", falls)):
        if group:
            parts = [f"{c['category']} {c['change']:+.0f}% ({c['before']:,} to {c['after']:,})" for c in group]
            lines.append(f"{label} over the last 12 months against the 12 before: " + "; ".join(parts) + ".")
    if hotspots:
        names = ", ".join(f"{h['name']} ({h['total']:,})" for h in hotspots[:5])
        lines.append(
            f"Persistent hotspots, in the top {HOTSPOT_TOP} areas every month for {HOTSPOT_MONTHS} months: {names}."
        )
    if outcomes:
        worst, best = outcomes[0], outcomes[-1]
        lines.append(
            f"Outcome rates: {best['name']} changed most for the better ({best['change']:+.1f} points to "
            f"{best['rate']:.1f}% in {best['year']}); {worst['name']} most for the worse "
            f"({worst['change']:+.1f} points)."
        )
    ranked = sorted((area for area in efficiency if area.per_officer), key=lambda area: area.per_officer)
    if ranked:
        low, high = ranked[0], ranked[-1]
        lines.append(
            f"Resource efficiency: crimes per officer range from {low.per_officer:.1f} in {low.name} "
            f"to {high.per_officer:.1f} in {high.name}."
        )
    return lines or ["There is not enough data in this period for findings: import data and refresh analytics."]


def briefing_content(*, user, filters: DashboardFilters) -> dict:
    filters = pages.strategic_filters(filters)
    start, end = _period(filters)
    metrics = selectors.strategic_metric_rows(user=user, filters=filters)
    period_filters = filters_with(filters, date_from=start, date_to=end)
    summary = pages.strategic_summary(user=user, filters=period_filters)
    changes = category_changes(user=user, filters=filters, end=end) if end else []
    hotspots = persistent_hotspots(user=user, filters=filters, end=end) if end else []
    monthly = analytics_selectors.rollup_totals(user=user, filters=period_filters, by=("month",)) if end else []
    return {
        "period": f"{start:%B %Y} to {end:%B %Y}" if start and end else "all data",
        "filename": f"crimedash-briefing-{end:%Y-%m}.pdf" if end else "crimedash-briefing.pdf",
        "kpis": summary["kpis"],
        "findings": findings(
            changes=changes, hotspots=hotspots, outcomes=outcome_changes(metrics), efficiency=summary["areas"]
        ),
        "areas": pages.area_comparison_chart(user=user, filters=period_filters),
        "monthly": [(row["month"].strftime("%Y-%m"), row["total"] or 0) for row in monthly],
        "changes": changes,
        "hotspots": hotspots,
    }


def briefing_cached(*, user, filters: DashboardFilters) -> dict:
    key = pages.page_key("briefing", page="strategic", user=user, filters=filters)
    return cached(key, lambda: briefing_content(user=user, filters=filters))


# --- PDF -----------------------------------------------------------------------------------------------------------


def _bar_drawing(labels: list[str], values: list[float], title: str) -> Drawing:
    height = 40 + 16 * max(len(labels), 1)
    drawing = Drawing(16 * cm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 4 * cm, 10, 11 * cm, height - 40
    chart.data = [list(reversed(values)) or [0]]
    chart.categoryAxis.categoryNames = list(reversed(labels)) or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BLUE
    drawing.add(chart)
    drawing.add(String(0, height - 12, title, fontSize=10, fillColor=colors.black))
    return drawing


def _line_drawing(points: list[tuple[str, float]], title: str) -> Drawing:
    drawing = Drawing(16 * cm, 6 * cm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 1.2 * cm, 1 * cm, 14 * cm, 4.2 * cm
    chart.data = [[value for _label, value in points] or [0]]
    step = max(1, len(points) // 8)
    chart.categoryAxis.categoryNames = [label if i % step == 0 else "" for i, (label, _v) in enumerate(points)] or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.lines[0].strokeColor = ORANGE
    chart.lines[0].strokeWidth = 2
    drawing.add(chart)
    drawing.add(String(0, 5.6 * cm, title, fontSize=10, fillColor=colors.black))
    return drawing


def briefing_pdf(*, content: dict) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title="crimedash executive briefing", author="crimedash")
    kpi_rows = [[tile["label"], tile["value"], tile["period"]] for tile in content["kpis"]]
    kpi_table = Table([["Measure", "Value", "Period"], *kpi_rows], hAlign="LEFT")
    kpi_table.setStyle(
        TableStyle([("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey)])
    )
    areas = content["areas"]["table"]["rows"][:15]
    story = [
        Paragraph("Executive briefing", styles["Title"]),
        Paragraph(f"Period: {escape(content['period'])}", styles["Normal"]),
        Spacer(1, 0.4 * cm),
        Paragraph("Findings", styles["Heading2"]),
        ListFlowable(
            # Paragraph reads its text as markup: an area named "<img ...>" would break the PDF, so it is escaped
            [ListItem(Paragraph(escape(line), styles["Normal"])) for line in content["findings"]],
            bulletType="bullet",
        ),
        Paragraph("Key figures", styles["Heading2"]),
        kpi_table,
        Spacer(1, 0.4 * cm),
        _line_drawing(content["monthly"], "Recorded incidents per month"),
        Spacer(1, 0.4 * cm),
        _bar_drawing([str(r[0]) for r in areas], [r[1] for r in areas], "Incidents by borough / BCU"),
    ]
    document.build(story)
    return buffer.getvalue()
