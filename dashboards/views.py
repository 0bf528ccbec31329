"""Dashboard pages. Each page reads its filters from the URL, asks dashboards.pages for its panels (built from stored
analytics results) and renders them; a request with `X-Dashboard-Partial` gets only the page body, which the
browser swaps in when a filter changes."""

from functools import lru_cache
from pathlib import Path

import plotly
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView

from accounts.audit import audit_event
from accounts.permissions import RoleRequiredMixin, check_permission, role_required
from accounts.selectors import next_url_for
from analytics.deployment.pilot import deployment_plan_accept_pilot
from analytics.forecasting.selectors import deployment_plan_queryset
from analytics.models import Alert
from analytics.services import alert_act
from crimedash.caching import cached
from crimedash.response_cache import (
    BODY_PLACEHOLDER,
    csrf_placeholder,
    personal_page,
    response_key,
    with_csrf_token,
)
from dashboards import briefing, deployment, exports, pages
from dashboards.filters import filters_as_params, filters_from_query, filters_to_query
from dashboards.glossary import glossary_entries
from dashboards.selectors import incident_get

PARTIAL_HEADER = "HTTP_X_DASHBOARD_PARTIAL"
PLOTLY_VERSION = plotly.__version__
ALERT_STATES = {"acknowledge": Alert.State.ACKNOWLEDGED, "dismiss": Alert.State.DISMISSED}
# Tiles only when MAP_TILES_URL is set: otherwise the map draws its layers on a plain background, with no internet.
MAP_CONFIG = {
    "tiles": [[name, url, options] for name, url, options in settings.LEAFLET_CONFIG.get("TILES", [])],
    "center": settings.LEAFLET_CONFIG.get("DEFAULT_CENTER"),
    "zoom": settings.LEAFLET_CONFIG.get("DEFAULT_ZOOM"),
}


class CachedPageMixin:
    """GET answers with the page kept rendered per user and URL (crimedash.response_cache); `page_body()` is what
    goes into its body, already kept per scope by dashboards.pages."""

    def get(self, request, *args, **kwargs):
        return personal_page(request, render=lambda: self.render_page(**kwargs), body=self.page_body())

    def page_body(self) -> str:
        return ""

    def render_page(self, **kwargs) -> str:
        context = self.get_context_data(**csrf_placeholder(), **kwargs)
        return render_to_string(self.template_name, context, request=self.request)


class DashboardPage(RoleRequiredMixin, CachedPageMixin, TemplateView):
    template_name = "dashboards/page.html"
    page = ""
    page_title = ""

    def get(self, request, *args, **kwargs):
        if request.META.get(PARTIAL_HEADER):
            return with_csrf_token(request, self.page_body())
        return super().get(request, *args, **kwargs)

    def page_body(self) -> str:
        filters = filters_from_query(self.request.GET)
        return pages.page_body(page=self.page, user=self.request.user, filters=filters, request=self.request)

    def get_context_data(self, **kwargs):
        filters = filters_from_query(self.request.GET)
        context = {
            "page": self.page,
            "page_title": self.page_title,
            "filters": filters,
            "query": filters_to_query(filters),
            "filters_html": pages.filter_form_html(
                user=self.request.user, filters=pages.page_filters(page=self.page, filters=filters)
            ),
            "map_config": MAP_CONFIG,
            "body_html": BODY_PLACEHOLDER,
        }
        return super().get_context_data(**context, **kwargs)


class StrategicView(DashboardPage):
    required_permission = "dashboards.view_strategic"
    page = "strategic"
    page_title = "Strategic dashboard"


class TacticalView(DashboardPage):
    required_permission = "dashboards.view_tactical"
    page = "tactical"
    page_title = "Tactical dashboard"


class AnalyticalView(DashboardPage):
    required_permission = "dashboards.view_analytical"
    page = "analytical"
    page_title = "Analytical dashboard"


class IncidentListView(DashboardPage):
    """Incidents matching the dashboard filters, newest first; read from Incident on its indexes (dashboards.pages
    keeps each page of the list under the live version, which every dispatch update and finished import bumps)."""

    required_permission = "dashboards.view_incidents"
    page = "incidents"
    page_title = "Incidents"


class IncidentDetailView(RoleRequiredMixin, TemplateView):
    required_permission = "dashboards.view_incidents"
    template_name = "dashboards/incident_detail.html"

    def get_context_data(self, **kwargs):
        incident = incident_get(user=self.request.user, pk=kwargs["pk"])
        if incident is None:
            raise Http404("No such incident in your area.")
        return super().get_context_data(incident=incident, **kwargs)


@login_required
@require_GET
def help_page(request):
    """What every figure and term on the dashboards means (tiles and titles link to their entry)."""
    return render(request, "dashboards/help.html", {"entries": glossary_entries()})


@lru_cache(maxsize=1)
def _plotly_bundle() -> bytes:
    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


@login_required
@require_GET
def plotly_js(request):
    """plotly.js from the installed plotly package (no CDN); its URL carries the version, so it caches for a
    year. Signed-in users only: every page that uses it is."""
    response = HttpResponse(_plotly_bundle(), content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response


class BriefingView(RoleRequiredMixin, CachedPageMixin, TemplateView):
    """The executive briefing as a printable page: the strategic numbers in plain language."""

    required_permission = "dashboards.download_briefing"
    template_name = "dashboards/briefing.html"

    def get_context_data(self, **kwargs):
        filters = filters_from_query(self.request.GET)
        content = briefing.briefing_cached(user=self.request.user, filters=filters)
        context = {"filters": filters, "query": filters_to_query(filters), "briefing": content}
        return super().get_context_data(**context, **kwargs)


@role_required("dashboards.download_briefing")
@require_GET
def briefing_pdf(request):
    filters = filters_from_query(request.GET)
    content = briefing.briefing_cached(user=request.user, filters=filters)
    audit_event(action="export", request=request, target="briefing.pdf", params=filters_as_params(filters))
    response = HttpResponse(briefing.briefing_pdf(content=content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{content["filename"]}"'
    return response


@role_required("dashboards.export_data")
@require_GET
def export(request, page: str, fmt: str):
    """What the page shows, as CSV (every chart's data table) or GeoJSON (its map layers). Audited."""
    if page not in exports.EXPORTABLE_PAGES or fmt not in exports.FORMATS:
        raise Http404("Nothing to export here.")
    check_permission(request.user, f"dashboards.view_{page}")
    filters = filters_from_query(request.GET)
    audit_event(action="export", request=request, target=f"{page}.{fmt}", params=filters_as_params(filters))
    body, content_type = cached(
        response_key(request, part="export", live=False),
        lambda: exports.export_body(page=page, user=request.user, filters=filters, fmt=fmt),
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="crimedash-{page}.{fmt}"'
    return response


@role_required("analytics.acknowledge_alert")
@require_POST
def alert_action(request, pk: int):
    """Acknowledge or dismiss an alert through analytics' service, then back to the tactical page."""
    action = request.POST.get("action")
    if action not in ALERT_STATES:
        return HttpResponseBadRequest("action must be acknowledge or dismiss")
    alert_act(user=request.user, alert_id=pk, state=ALERT_STATES[action], request=request)
    messages.success(request, f"Alert {action}d.")
    return redirect(next_url_for(request=request, url=request.POST.get("next") or reverse("dashboards:tactical")))


@role_required("analytics.accept_deployment")
@require_POST
def deployment_accept(request, pk: int):
    """A commander accepts the proposed plan of their BCU through analytics' service (audited there)."""
    plan = deployment_plan_queryset(user=request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan in your area.")
    try:
        pilot = deployment.pilot_choice(request.POST)
        deployment_plan_accept_pilot(plan=plan, user=request.user, request=request, **pilot)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Deployment plan accepted.")
    return redirect("dashboards:tactical")
