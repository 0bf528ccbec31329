"""Daily actions pages. Thin: selectors read, services write; the role decides which view /actions/ shows."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from accounts.models import OrgUnit
from accounts.permissions import RoleRequiredMixin
from investigations import selectors, services
from investigations.charts import trend_svg, trend_table
from investigations.conf import rule_settings
from investigations.controls import RowControls
from investigations.flags import FLAG_LABELS, FLAG_ORDER, OVERDUE
from investigations.models import Action

PAGE_SIZE = 25
TREND_DAYS = 120


def queue_context(request, *, team_view: bool, team: OrgUnit | None = None) -> dict:
    """The queue of the user's scope, or of one `team` in it (a commander following the roll-up into a team): one
    count per kind and flag feeds the badges, the tabs and the pager; the rows read only what they show."""
    user, today = request.user, selectors.local_today()
    base = selectors.open_actions_visible_to(user=user)
    if team is not None:
        base = base.filter(team=team)
    kind, flag = request.GET.get("kind", ""), request.GET.get("flag", "")
    grid = selectors.kind_flag_counts(base, today=today)
    paginator = Paginator(selectors.action_page(base, kind=kind, flag=flag, today=today), PAGE_SIZE)
    paginator.count = selectors.counted(
        grid, kinds={kind} if kind else None, flags=[flag] if flag in FLAG_ORDER else FLAG_ORDER
    )
    page = paginator.get_page(request.GET.get("page"))
    actions = list(page.object_list)
    context = {
        "today": today,
        "team_view": team_view,
        "queue_unit": team or user.unit,
        "counts": [
            {"flag": f, "label": FLAG_LABELS[f], "count": selectors.counted(grid, flags=[f])} for f in FLAG_ORDER
        ],
        "kinds": [
            {"kind": k, "label": label, "overdue": grid.get(k, {}).get(OVERDUE, 0), "selected": k == kind}
            for k, label in Action.Kind.choices
        ],
        "flags": [(f, FLAG_LABELS[f]) for f in FLAG_ORDER],
        "selected_kind": kind,
        "selected_flag": flag,
        "page": page,
        "actions": actions,
        "reviews": [],
    }
    if team_view:  # the reviews due today, soon or overdue: all but the upcoming ones
        context["reviews"] = list(
            selectors.action_page(base, kind=Action.Kind.REVIEW).filter(warn_from__lte=today)[:PAGE_SIZE]
        )
        context["reviews_total"] = selectors.counted(grid, kinds={Action.Kind.REVIEW}, flags=FLAG_ORDER[:-1])
    rows(request, actions + context["reviews"], today=today)
    return context


def rows(request, actions: list[Action], *, today) -> list[Action]:
    """The action table's rows, flagged, with their linked crimes and ready-made forms."""
    selectors.with_flags(actions, user=request.user, today=today)
    return RowControls(request, today=today).attach(actions)


def rollup_context(request, unit: OrgUnit | None) -> dict:
    user, today = request.user, selectors.local_today()
    scope = selectors.rollup_scope(user=user, unit=unit)
    data = selectors.rollup_cached(user=user, today=today, scope=scope, days=TREND_DAYS)
    conf = rule_settings()
    capacity = conf.officer_capacity
    teams = [{**team, "cells": [team["kinds"].get(kind) for kind in Action.Kind.values]} for team in data["teams"]]
    officers = [_with_load(officer, default=capacity) for officer in data["officers"]]
    return {
        "today": today,
        "unit": unit,
        "drill_units": scope.drill_units,
        "teams": teams,
        "kinds": Action.Kind.choices,
        "totals": {
            "outstanding": sum(t["outstanding"] for t in teams),
            "overdue": sum(t["overdue"] for t in teams),
        },
        "officers": officers,
        "capacity": capacity,
        "surge": data["surge"],
        "surging": sum(team["surge"] for team in data["surge"]),
        "surge_ratio": conf.surge_ratio_percent,
        "surge_min": conf.surge_min_increase,
        "trend_chart": trend_svg(data["trend"], measure="overdue"),
        "trend_outstanding": trend_svg(data["trend"], measure="outstanding"),
        "trend_table": trend_table(data["trend"]["rows"][-len(Action.Kind.values) * 30 :]),
    }


def _with_load(officer: dict, *, default: int) -> dict:
    capacity = officer["capacity"] or default
    return {**officer, "capacity": capacity, "load": round(100 * officer["outstanding"] / capacity) if capacity else 0}


class ActionsView(RoleRequiredMixin, TemplateView):
    """/actions/: the BCU roll-up for commanders and admins, the team queue for supervisors, else my actions."""

    required_permission = "investigations.view_actions"

    def get(self, request, *args, **kwargs):
        if request.user.has_perm("investigations.view_rollup"):
            if team_code := request.GET.get("team", ""):
                team = get_object_or_404(selectors.rollup_units(user=request.user), code=team_code)
                return render(request, "investigations/queue.html", queue_context(request, team_view=True, team=team))
            return render(request, "investigations/rollup.html", rollup_context(request, None))
        team_view = request.user.has_perm("investigations.view_team_queue")
        return render(request, "investigations/queue.html", queue_context(request, team_view=team_view))


class RollupView(RoleRequiredMixin, TemplateView):
    required_permission = "investigations.view_rollup"

    def get(self, request, *args, **kwargs):
        code = request.GET.get("unit", "")
        unit = get_object_or_404(selectors.units_visible_to(user=request.user), code=code) if code else None
        return render(request, "investigations/rollup.html", rollup_context(request, unit))


class UpcomingView(RoleRequiredMixin, TemplateView):
    """/actions/upcoming/: what falls due in the next 7, 28 or 90 days, in the user's scope (own, team, BCU)."""

    required_permission = "investigations.view_actions"
    template_name = "investigations/upcoming.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, selectors.local_today()
        asked = self.request.GET.get("days", "")
        days = int(asked) if asked in {str(d) for d in selectors.UPCOMING_HORIZONS} else 28
        base = selectors.open_actions_visible_to(user=user)
        queryset = selectors.action_page(selectors.upcoming_actions(base, today=today, days=days))
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        counts = selectors.upcoming_counts(base, today=today)
        return {
            **super().get_context_data(**kwargs),
            "today": today,
            "days": days,
            "horizons": [{"days": d, "count": counts[d], "selected": d == days} for d in selectors.UPCOMING_HORIZONS],
            "page": page,
            "actions": rows(self.request, list(page.object_list), today=today),
            "team_view": user.has_perm("investigations.view_team_queue") or user.has_perm("investigations.view_rollup"),
        }


class InvestigationView(RoleRequiredMixin, TemplateView):
    required_permission = "investigations.view_actions"
    template_name = "investigations/investigation.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, selectors.local_today()
        investigation = get_object_or_404(
            selectors.investigations_visible_to(user=user).select_related("team", "officer"), pk=kwargs["pk"]
        )
        actions = selectors.action_page(investigation.actions.filter(state=Action.State.OPEN))
        return {
            **super().get_context_data(**kwargs),
            "investigation": investigation,
            "actions": rows(self.request, list(actions), today=today),
            "history": investigation.actions.exclude(state=Action.State.OPEN).select_related("completed_by")[:50],
            "linked": selectors.investigations_visible_to(user=user).filter(linked_crimes=investigation),
            "linked_total": investigation.linked_crimes.count(),
            "wanted": selectors.wanted_suspects(investigation=investigation),
            "can_reassign": user.has_perm("investigations.reassign_investigation"),
            "officers": selectors.team_officers(team=investigation.team),
            "today": today,
        }


def _back(request, default: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


class ActionCompleteView(RoleRequiredMixin, View):
    required_permission = "investigations.view_actions"

    def post(self, request, pk: int):
        action = get_object_or_404(selectors.open_actions_visible_to(user=request.user), pk=pk)
        try:
            done = services.action_complete(
                action=action,
                user=request.user,
                note=request.POST.get("note", "").strip(),
                evidence=evidence_from(request.POST),
                request=request,
            )
        except ValidationError as error:
            messages.error(request, f"{action.investigation}: {' '.join(error.messages)}")
        else:
            if done.state == Action.State.OPEN:
                messages.warning(request, f"{action.investigation}: recorded, but the task is still open: {done.title}")
            else:
                messages.success(request, f"Done: {action.get_kind_display()} on {action.investigation}.")
        return _back(request, "investigations:actions")


def evidence_from(data) -> services.Evidence:
    """The record a completion form carries; a malformed date or time reads as missing (the service says so)."""
    recorded = _parsed(parse_datetime, data.get("recorded_at", ""))
    suspect = data.get("suspect", "")
    return services.Evidence(
        kind=data.get("evidence", ""),
        on=_parsed(parse_date, data.get("on", "")),
        suspect_id=int(suspect) if suspect.isdigit() else None,
        authority=data.get("authority", ""),
        recorded_at=timezone.make_aware(recorded) if recorded and timezone.is_naive(recorded) else recorded,
        text=data.get("avi", ""),
    )


def _parsed(parser, value: str):
    """The local date or date-time a form field holds (browsers send local wall time), else None."""
    try:
        return parser(value.strip()) if value.strip() else None
    except ValueError:
        return None


class ActionCloseView(RoleRequiredMixin, View):
    """A supervisor closes an action without the record that does it, giving the reason."""

    required_permission = services.SUPERVISOR_CLOSE_PERMISSION

    def post(self, request, pk: int):
        action = get_object_or_404(selectors.open_actions_visible_to(user=request.user), pk=pk)
        try:
            services.action_close_with_reason(
                action=action, user=request.user, reason=request.POST.get("reason", ""), request=request
            )
        except ValidationError as error:
            messages.error(request, f"{action.investigation}: {' '.join(error.messages)}")
        else:
            messages.success(
                request, f"Closed with your reason: {action.get_kind_display()} on {action.investigation}."
            )
        return _back(request, "investigations:actions")


class ReassignView(RoleRequiredMixin, View):
    required_permission = "investigations.reassign_investigation"

    def post(self, request, pk: int):
        investigation = get_object_or_404(selectors.investigations_visible_to(user=request.user), pk=pk)
        officer = selectors.team_officers(team=investigation.team).filter(pk=request.POST.get("officer")).first()
        if officer is None:
            raise Http404("No such officer in this team.")
        services.investigation_reassign(
            investigation=investigation, officer=officer, user=request.user, request=request
        )
        messages.success(request, f"{investigation} reassigned to {officer}.")
        return _back(request, "investigations:actions")
