"""Gatekeeping for pages and the API, both driven by accounts.roles.

A view declares the permission it needs; a user without it gets 403 with the
reason; objects outside the user's scope are filtered out by selectors (404).
"""

from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from accounts.roles import PERMISSIONS


def _deny_reason(permission: str) -> str:
    return f"Your role does not allow this page: it needs the permission “{PERMISSIONS.get(permission, permission)}”."


def check_permission(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(_deny_reason(permission))


class RoleRequiredMixin(LoginRequiredMixin):
    """Class-based views: set `required_permission`. Anonymous users go to login; others without it get 403."""

    required_permission: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.required_permission:
            raise PermissionDenied("This page declares no permission, so nobody may open it.")
        check_permission(request.user, self.required_permission)
        return super().dispatch(request, *args, **kwargs)


def role_required(permission: str):
    """Function views: the same rule as RoleRequiredMixin."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check_permission(request.user, permission)
            return view(request, *args, **kwargs)

        wrapped.required_permission = permission  # read by accounts.selectors.next_url_for
        return wrapped

    return decorator


class RolePermission(BasePermission):
    """DRF default: authenticated, and holding the view's `required_permission`
    (a string, or a dict from action/method to string). A view that declares none refuses everyone."""

    message = "Your role does not allow this operation."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        permission = required_permission_for(view, request)
        return bool(permission) and request.user.has_perm(permission)


def required_permission_for(view, request) -> str:
    required = getattr(view, "required_permission", "")
    if isinstance(required, dict):
        action = getattr(view, "action", None) or request.method.lower()
        return required.get(action) or required.get("default", "")
    return required
