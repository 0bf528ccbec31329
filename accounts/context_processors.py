from django.urls import reverse

from accounts.roles import NAVIGATION
from crimedash.request_memo import per_request


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": _nav_items(user, request.path)}


@per_request  # every fragment a page renders with its request runs the context processors again
def _nav_items(user, path: str) -> tuple[dict, ...]:
    links = ((label, reverse(url_name)) for label, url_name, permission in NAVIGATION if user.has_perm(permission))
    return tuple({"label": label, "url": url, "active": path.startswith(url)} for label, url in links)
