"""The two roles: members of `editors` write, members of `viewers` (and editors) read."""

EDITORS = "editors"
VIEWERS = "viewers"


def is_editor(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Cached on the user object: templates and permission checks ask many times a request.
    cached = getattr(user, "_newsdesk_is_editor", None)
    if cached is None:
        cached = user.groups.filter(name=EDITORS).exists()
        user._newsdesk_is_editor = cached
    return cached


def can_read(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or is_editor(user):
        return True
    return user.groups.filter(name=VIEWERS).exists()
