from django.urls import reverse

from accounts.roles import NAVIGATION


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"label": label, "url": reverse(url_name), "active": request.path.startswith(reverse(url_name))}
        for label, url_name, permission in NAVIGATION
        if user.has_perm(permission)
    ]
    return {"nav_items": items}
