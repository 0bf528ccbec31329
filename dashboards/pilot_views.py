"""The pilot page: an accepted plan's pilot areas against comparable areas, before and after (commanders of the
plan's BCU, analysts, admins)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import role_required
from analytics.deployment.selectors import pilot_evaluation
from dashboards.deployment import pilot_page


@role_required("dashboards.view_tactical")
@require_GET
def pilot_detail(request, pk: int):
    found = pilot_evaluation(user=request.user, plan_id=pk)
    if found is None:
        raise Http404("No pilot of that plan in your area.")
    return render(request, "dashboards/pilot.html", {"pilot": pilot_page(found)})
