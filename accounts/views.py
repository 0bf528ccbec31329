import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, PasswordResetView, redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from accounts import health as health_checks
from accounts import services
from accounts.middleware import SESSION_STARTED_KEY
from accounts.selectors import home_url_for, next_url_for


@login_required
def home(request):
    target = home_url_for(user=request.user)
    if target is None:
        return render(request, "accounts/no_dashboards.html", status=200)
    return redirect(target)


class CrimedashLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if services.address_throttled(ip_address=request.META.get("REMOTE_ADDR")):
            return render(request, "registration/throttled.html", status=429)
        return super().post(request, *args, **kwargs)

    def get_success_url(self):
        return next_url_for(request=self.request, url=self.get_redirect_url())


class AdminLoginView(CrimedashLoginView):
    """The admin's login is the site's (the same per-address throttle and `next` checks); a signed-in member of
    staff goes on to the admin, as with Django's own admin login."""

    redirect_authenticated_user = False

    def get(self, request, *args, **kwargs):
        if request.user.is_active and request.user.is_staff:
            return redirect("admin:index")
        return super().get(request, *args, **kwargs)


class CrimedashPasswordResetView(PasswordResetView):
    """The reset link names this app's namespaced confirm view (Django's default email names a global one)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


@login_required
def two_factor(request):
    """Enrol in TOTP (scan the QR code, confirm a token) or verify this session with a token."""
    device, enrolling = services.two_factor_device_for(user=request.user)
    if enrolling and _sign_in_age(request) > settings.TWO_FACTOR_ENROL_WITHIN_SECONDS:
        # Enrolling binds a phone to the account: only right after the password was given, never on an old session.
        logout(request)
        messages.info(request, "Sign in again to set up two-factor authentication.")
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        if services.two_factor_verify(request=request, token=request.POST.get("token", "")):
            messages.success(request, "Two-factor verified.")
            return redirect(next_url_for(request=request, url=request.GET.get("next")))
        messages.error(request, "That code is not valid. Check the time on your device and try again.")
    context = {"enrolling": enrolling, "qr_svg": services.totp_qr_svg(device=device) if enrolling else ""}
    return render(request, "accounts/two_factor.html", context)


def _sign_in_age(request) -> float:
    return time.time() - request.session.get(SESSION_STARTED_KEY, 0)


@require_GET
def health(request):
    """Each dependency's state; 503 when one the site needs is down (for the load balancer and monitoring)."""
    checks = health_checks.dependency_checks()
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "degraded", "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)
