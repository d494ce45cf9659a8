"""Login throttling: after too many failed sign-ins for one username, or from one address,
further attempts are refused for a while — on every path that checks a password.

- ``LoginThrottleBackend`` (Django's ModelBackend, in its place in AUTHENTICATION_BACKENDS)
  refuses to authenticate a locked username or address, so the site login, the admin login and the API token endpoint
  are all covered, whatever their form.
- ``ThrottledLoginView`` (``accounts/login/``) says so plainly, with status 429, instead of
  "wrong password".

Failures are counted in the default cache (settings: NEWSDESK_LOGIN_FAILURES_PER_USER,
NEWSDESK_LOGIN_FAILURES_PER_ADDRESS within NEWSDESK_LOGIN_LOCKOUT_SECONDS; each failure
restarts the window). With several app processes, use a shared cache (NEWSDESK_CACHE=database)
so they count together. A successful sign-in clears the username's count.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver

from newsdesk.roles import session_user

THROTTLED_MESSAGE = (
    "Too many failed sign-ins for this account or from this address. "
    "Please wait {minutes} minutes and try again."
)


def _limits() -> tuple[int, int, int]:
    return (
        settings.NEWSDESK_LOGIN_FAILURES_PER_USER,
        settings.NEWSDESK_LOGIN_FAILURES_PER_ADDRESS,
        settings.NEWSDESK_LOGIN_LOCKOUT_SECONDS,
    )


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind NUM_PROXIES reverse proxies the entry they
    appended to X-Forwarded-For (earlier entries are whatever the client chose to send)."""
    if request is None:
        return ""
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def _keys(request, username: str | None) -> list[tuple[str, int]]:
    per_user, per_address, _ = _limits()
    keys = []
    if username:
        digest = hashlib.sha256(username.casefold().encode()).hexdigest()[:32]
        keys.append((f"login-failures:user:{digest}", per_user))
    address = client_address(request)
    if address:
        keys.append((f"login-failures:addr:{address}", per_address))
    return keys


def is_locked(request, username: str | None) -> bool:
    keys = _keys(request, username)
    counts = cache.get_many([key for key, _ in keys])
    return any(counts.get(key, 0) >= limit for key, limit in keys)


def record_failure(request, username: str | None) -> None:
    _, _, window = _limits()
    for key, _ in _keys(request, username):
        cache.set(key, cache.get(key, 0) + 1, timeout=window)


def clear_failures(username: str) -> None:
    for key, _ in _keys(None, username):
        cache.delete(key)


@receiver(user_login_failed, dispatch_uid="newsdesk.auth.failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    record_failure(request, credentials.get("username"))


@receiver(user_logged_in, dispatch_uid="newsdesk.auth.logged_in")
def _on_logged_in(sender, request, user, **kwargs):
    clear_failures(user.get_username())


class LoginThrottleBackend(ModelBackend):
    """Django's ModelBackend, refusing (before any password check) a locked username or
    address. PermissionDenied also stops any backend listed after this one."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if is_locked(request, username):
            raise PermissionDenied(THROTTLED_MESSAGE)
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """ModelBackend's, with the user's roles read in the same query (roles.session_user)."""
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = session_user(pk)
        return user if user is not None and self.user_can_authenticate(user) else None


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        if is_locked(self.request, self.cleaned_data.get("username")):
            minutes = max(1, _limits()[2] // 60)
            raise forms.ValidationError(THROTTLED_MESSAGE.format(minutes=minutes), code="throttled")
        return super().clean()


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", code="throttled"):
            response.status_code = 429
            response["Retry-After"] = str(_limits()[2])
        return response
