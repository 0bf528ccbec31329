"""API tokens that obey the same rules as a sign-in: they expire, and an account that must use two-factor cannot
use one (a token carries no second factor). Service accounts (the dispatch role) are the accounts tokens are for."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts.middleware import two_factor_required


def token_expired(token) -> bool:
    return token.created < timezone.now() - timedelta(days=settings.API_TOKEN_TTL_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed("Token expired: ask an administrator for a new one.")
        if two_factor_required(user):
            raise AuthenticationFailed(
                "This account must sign in with two-factor authentication, so API tokens are refused for it."
            )
        return user, token
