"""Exceptions the services of every app raise and the HTTP layers (newsdesk.api, the views)
map to responses. Here, below the apps, so that mapping them imports no app."""


class StaleVersion(Exception):
    """The row changed since the client read it; `current` is how it is now, and
    `changed_by` names who changed it last ("someone else" when nobody is known)."""

    def __init__(self, current, message: str, changed_by: str = "someone else"):
        super().__init__(message)
        self.current = current
        self.message = message
        self.changed_by = changed_by
