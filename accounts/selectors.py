from django.urls import reverse

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
