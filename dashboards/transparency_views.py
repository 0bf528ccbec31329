"""/about-the-models/: open to every signed-in role (it explains the system; its figures are scoped like the
dashboards'), anonymous visitors go to sign in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards.transparency import transparency_context


@login_required
@require_GET
def about_the_models(request):
    return render(request, "dashboards/about_the_models.html", transparency_context(user=request.user))
