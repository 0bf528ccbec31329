from urllib.parse import urlsplit

from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User
from accounts.roles import NAVIGATION, ROLE_HOME


def home_url_for(*, user: User) -> str | None:
    """The first dashboard the user's role opens: its role's home if held, else the first navigation entry."""
    preferred = ROLE_HOME.get(user.role)
    candidates = ([preferred] if preferred else []) + [url_name for _label, url_name, _perm in NAVIGATION]
    permission_of = {url_name: permission for _label, url_name, permission in NAVIGATION}
    for url_name in candidates:
        if user.has_perm(permission_of[url_name]):
            return reverse(url_name)
    return None


def next_url_for(*, request, url: str | None) -> str:
    """Where to go after a sign-in, a two-factor check or a form: `url` when it is on this site and the user's role
    may open it, otherwise the role's home page."""
    allowed = url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if allowed and _may_open(user=request.user, path=urlsplit(url).path):
        return url
    return home_url_for(user=request.user) or reverse("home")


def _may_open(*, user: User, path: str) -> bool:
    if path.startswith(reverse("admin:index")):
        return user.is_staff
    try:
        view = resolve(path).func
    except Resolver404:
        return False
    required = getattr(view, "required_permission", None) or getattr(
        getattr(view, "view_class", None), "required_permission", None
    )
    if isinstance(required, dict):
        required = required.get("default") or required.get("list") or required.get("get")
    return not required or user.has_perm(required)
