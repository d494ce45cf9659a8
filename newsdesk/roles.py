"""The two roles: members of `editors` write, members of `viewers` (and editors) read."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

EDITORS = "editors"
VIEWERS = "viewers"


def with_roles(queryset: QuerySet, *, user_ref: str = "pk") -> QuerySet:
    """The queryset with each row's user's roles as two annotations (``_newsdesk_editor``,
    ``_newsdesk_viewer``), so whoever loads a user also learns its roles in the same query;
    hand them to ``remember_roles``. ``user_ref`` names the user's id in the row."""
    through = get_user_model().groups.through

    def member(name: str) -> Exists:
        return Exists(through.objects.filter(user_id=OuterRef(user_ref), group__name=name))

    return queryset.annotate(_newsdesk_editor=member(EDITORS), _newsdesk_viewer=member(VIEWERS))


def remember_roles(user, *, editor: bool, viewer: bool) -> None:
    """Cache roles read with ``with_roles`` on the user: is_editor and can_read then ask
    nothing more for this user object (one request's)."""
    user._newsdesk_roles = frozenset(
        name for name, member in ((EDITORS, editor), (VIEWERS, viewer)) if member
    )


def _roles(user) -> frozenset[str]:
    """The user's role groups, read in one query and cached on the user object: templates
    and permission checks ask many times a request (and the API asks on every request)."""
    cached = getattr(user, "_newsdesk_roles", None)
    if cached is None:
        cached = frozenset(
            user.groups.filter(name__in=(EDITORS, VIEWERS)).values_list("name", flat=True)
        )
        user._newsdesk_roles = cached
    return cached


def is_editor(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return EDITORS in _roles(user)


def can_read(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(_roles(user))
