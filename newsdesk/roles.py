"""The roles, as Django groups: members of `editors` write, members of `viewers` (and
editors) read, members of `reviewers` review. Checked through the user's `groups` relation
(Django's API); the sign-in paths (newsdesk.auth) read them in the query that loads the user."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

EDITORS = "editors"
VIEWERS = "viewers"
REVIEWERS = "reviewers"  # approve or send back other people's spans (teams)
ROLES = (EDITORS, VIEWERS, REVIEWERS)


def role_flags(user_id: str = "pk") -> dict:
    """Annotations for a query that loads a user (its id in the field `user_id`): one
    membership flag per role, so the roles come with the user instead of a query of their own."""
    memberships = get_user_model().groups.through.objects
    return {
        f"in_{name}": Exists(memberships.filter(user_id=OuterRef(user_id), group__name=name))
        for name in ROLES
    }


def keep_roles(user, row) -> None:
    """Keep on `user` the roles read through role_flags() on `row` (the user or its token)."""
    user.newsdesk_roles = frozenset(name for name in ROLES if getattr(row, f"in_{name}"))


def roles(user) -> frozenset[str]:
    """The names of the user's role groups. Read once per user object and kept on it as
    ``user.newsdesk_roles``: a request's user object lives for that request only, and its
    templates and permission checks ask several times (one query, not one per check)."""
    cached = getattr(user, "newsdesk_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user.newsdesk_roles = cached
    return cached


def is_editor(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or EDITORS in roles(user)


def can_read(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(roles(user))


def is_reviewer(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or REVIEWERS in roles(user)
