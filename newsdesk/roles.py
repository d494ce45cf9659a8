"""The two roles, as Django groups: members of `editors` write, members of `viewers` (and
editors) read. Checked through the user's `groups` relation (Django's API)."""

EDITORS = "editors"
VIEWERS = "viewers"
REVIEWERS = "reviewers"  # approve or send back other people's spans (teams)


def roles(user) -> frozenset[str]:
    """The names of the user's role groups. Read once per user object and kept on it as
    ``user.newsdesk_roles``: a request's user object lives for that request only, and its
    templates and permission checks ask several times (one query, not one per check)."""
    cached = getattr(user, "newsdesk_roles", None)
    if cached is None:
        cached = frozenset(
            user.groups.filter(name__in=(EDITORS, VIEWERS, REVIEWERS)).values_list(
                "name", flat=True
            )
        )
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
