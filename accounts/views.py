from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts import services
from accounts.selectors import home_url_for


@login_required
def home(request):
    target = home_url_for(user=request.user)
    if target is None:
        return render(request, "accounts/no_dashboards.html", status=200)
    return redirect(target)


class CrimedashLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def two_factor(request):
    """Enrol in TOTP (scan the QR code, confirm a token) or verify this session with a token."""
    if request.method == "POST":
        if services.two_factor_verify(request=request, token=request.POST.get("token", "")):
            messages.success(request, "Two-factor verified.")
            return redirect(request.GET.get("next") or reverse("home"))
        messages.error(request, "That code is not valid. Check the time on your device and try again.")
    device, enrolling = services.two_factor_device_for(user=request.user)
    context = {"enrolling": enrolling, "qr_svg": services.totp_qr_svg(device=device) if enrolling else ""}
    return render(request, "accounts/two_factor.html", context)


@require_GET
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
