"""Login lockout, done by django-axes (settings: AXES_*, NEWSDESK_LOGIN_*).

Every path that checks a password goes through ``django.contrib.auth.authenticate(request=…)``:
the site login (Django's LoginView), the admin login and ``POST /api/auth/token/``. axes'
backend, first in AUTHENTICATION_BACKENDS, refuses a locked username or address before any
password check; its signal handlers count failures in its database tables, so all workers
and machines count together.

What this module adds to axes:
- ``LockoutHandler``: axes compares one count with one limit; we keep two (10 failures per
  username, 50 per address, by default), and a successful sign-in clears only that
  username's failures (not the address's: an attacker signing in to their own account must
  not wipe the count of the addresses they guess from).
- ``client_ip``: the address DRF's throttles use (settings.NUM_PROXIES), so both agree.
- ``lockout_response``: 429 with Retry-After, as JSON under /api/ and as a page elsewhere.
- ``token_signed_in``: a token obtained with the right password clears the username's
  failures as a login does (axes only hears of logins that start a session).

And the two ways a request's user is loaded, as Django and DRF do it, with the user's roles
read in the same query (newsdesk.roles.with_groups): ``SessionUserBackend`` and
``TokenAuthentication``.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token
from rest_framework.throttling import BaseThrottle

from newsdesk.roles import keep_roles, with_groups

LOCKED_MESSAGE = (
    "Too many failed sign-ins for this account or from this address. "
    "Please wait {minutes} minutes and try again."
)


def lockout_seconds() -> int:
    return settings.NEWSDESK_LOGIN_LOCKOUT_SECONDS


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=max(1, lockout_seconds() // 60))


def client_ip(request) -> str:
    """The client's address as DRF's throttles see it: REMOTE_ADDR, or behind NUM_PROXIES
    reverse proxies the entry the last of them appended to X-Forwarded-For."""
    return BaseThrottle().get_ident(request)


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per lockout parameter (username, ip_address)."""

    def get_failures(self, request, credentials=None) -> int:
        # AXES_LOCKOUT_PARAMETERS is ["username", "ip_address"]: one queryset each, in order.
        by_username, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        per_user = settings.NEWSDESK_LOGIN_FAILURES_PER_USER
        per_address = settings.NEWSDESK_LOGIN_FAILURES_PER_ADDRESS
        # axes locks when this reaches AXES_FAILURE_LIMIT (= per_user): the address count is
        # scaled to it, so it reaches per_user exactly when the address reaches per_address.
        return max(by_username, by_address * per_user // per_address)

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        return self.reset_attempts(username=username)


def token_signed_in(username: str) -> None:
    """POST /api/auth/token/ succeeded: clear the username's failures (not the address's), as
    a successful login does (AXES_RESET_ON_SUCCESS). A token request starts no session, so
    axes' user_logged_in handler, which does it for the login form, never runs."""
    if settings.AXES_RESET_ON_SUCCESS and username:
        reset(username=username)


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in gets (settings.AXES_LOCKOUT_CALLABLE)."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": locked_message(), "code": "locked_out"}, status=429)
    else:
        response = render(
            request, "registration/locked_out.html", {"message": locked_message()}, status=429
        )
    response["Retry-After"] = str(lockout_seconds())
    return response


class SessionUserBackend(ModelBackend):
    """Django's ModelBackend; a signed-in session's user comes with its roles in one query."""

    def get_user(self, user_id):
        rows = list(with_groups(get_user_model().objects.filter(pk=user_id)))
        if not rows or not self.user_can_authenticate(rows[0]):
            return None
        user = rows[0]
        keep_roles(user, rows)
        return user


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check; the token's user comes with its roles in the same query."""

    def authenticate_credentials(self, key):
        rows = list(with_groups(Token.objects.select_related("user").filter(key=key), "user__"))
        if not rows:
            raise exceptions.AuthenticationFailed("Invalid token.")
        token = rows[0]
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        keep_roles(token.user, rows)
        return token.user, token
