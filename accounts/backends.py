"""Django's model backend with each user's permissions kept in the cache between requests.

Every page asks for the user's permissions (the view's gate, the navigation, the templates): two queries per
request otherwise. The cached sets are keyed by a version that any change of groups or permissions bumps
(accounts.signals), so a change shows on the next request.
"""

from django.contrib.auth.backends import ModelBackend

from crimedash.caching import CacheVersion, cache_key, cached

PERMISSIONS_VERSION = CacheVersion("accounts:permissions-version")
CACHE_SECONDS = 15 * 60


class CachedPermissionBackend(ModelBackend):
    def _get_permissions(self, user_obj, obj, from_name):
        name = f"_{from_name}_perm_cache"
        if user_obj.is_active and not user_obj.is_anonymous and obj is None and not hasattr(user_obj, name):
            parts = [from_name, user_obj.pk, user_obj.is_superuser]
            key = cache_key("accounts:perms", parts, versions=(PERMISSIONS_VERSION,))
            compute = super()._get_permissions
            permissions = cached(key, lambda: compute(user_obj, obj, from_name), timeout=CACHE_SECONDS)
            setattr(user_obj, name, permissions)
        return super()._get_permissions(user_obj, obj, from_name)
