"""Hooks that apps above `articles` connect to. `articles` imports none of them (the import
contract in pyproject.toml says so); `annotations` connects its receivers in AppConfig.ready.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.dispatch import Signal

# Sent by article_revise inside its transaction, with the article row locked and its new text
# saved: kwargs `article`, `old_body`, `user`. Each receiver carries what it keeps on the
# article over to the new text and returns a ReanchorReport; the revision records their sum.
article_revised = Signal()

# Sent inside an import's transaction for each new article when NEWSDESK_SUGGEST_ON_IMPORT is
# on (the import then takes one file at a time): kwargs `article`, `user`. A receiver that
# raises undoes that article's import.
article_created = Signal()


@dataclass(frozen=True)
class ReanchorReport:
    """What a revision did to the annotations: kept, moved or orphaned."""

    kept: int = 0
    moved: int = 0
    orphaned: int = 0
    already_orphaned: int = 0
    to_review: int = 0  # of the moved: accepted quotes and claims whose words changed

    def __add__(self, other: ReanchorReport) -> ReanchorReport:
        return ReanchorReport(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def as_dict(self) -> dict:
        return {
            "kept": self.kept,
            "moved": self.moved,
            "orphaned": self.orphaned,
            "already_orphaned": self.already_orphaned,
            "to_review": self.to_review,
        }
