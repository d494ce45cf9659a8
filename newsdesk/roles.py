"""The two roles: members of `editors` write, members of `viewers` (and editors) read."""

EDITORS = "editors"
VIEWERS = "viewers"


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
