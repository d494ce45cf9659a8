"""Writes for articles. Every import, from the admin, the command or a test, comes through here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles import sources
from articles.importing import ArticleFileError, CleanedArticle, Cleaner
from articles.models import Article


class Outcome(StrEnum):
    IMPORTED = "imported"
    ALREADY = "already imported"
    CONFLICT = "conflict"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class FileReport:
    name: str
    outcome: Outcome
    message: str = ""
    article_id: int | None = None
    removed: tuple[str, ...] = field(default_factory=tuple)  # "line 4: Advertisement (boilerplate)"

    @property
    def ok(self) -> bool:
        return self.outcome not in (Outcome.FAILED, Outcome.CONFLICT)


def import_limits() -> sources.Limits:
    return sources.Limits(
        max_bytes=settings.NEWSDESK_IMPORT_MAX_BYTES,
        zip_max_members=settings.NEWSDESK_ZIP_MAX_MEMBERS,
        zip_max_bytes=settings.NEWSDESK_ZIP_MAX_BYTES,
    )


def make_cleaner() -> Cleaner:
    return Cleaner(
        boilerplate_patterns=settings.NEWSDESK_BOILERPLATE_PATTERNS,
        max_bytes=settings.NEWSDESK_IMPORT_MAX_BYTES,
    )


def article_import(
    *, name: str, data: bytes, imported_by=None, cleaner: Cleaner | None = None
) -> FileReport:
    """Clean one file and store it as an article, whole or not at all.

    Raises ValidationError (code "invalid" or "conflict") when the file cannot be imported.
    """
    try:
        cleaned = (cleaner or make_cleaner()).clean(data)
    except ArticleFileError as error:
        raise ValidationError(str(error), code="invalid") from None

    existing = Article.objects.filter(content_hash=cleaned.content_hash).only("id").first()
    if existing:
        return FileReport(
            name, Outcome.ALREADY, f"same content as article {existing.id}", existing.id
        )
    if name and Article.objects.filter(source_file=name).exists():
        raise ValidationError(
            f"An article from a file named “{name}” exists with other content; "
            "nothing was changed. Rename the file to import it as a new article.",
            code="conflict",
        )
    try:
        with transaction.atomic():
            article = Article.objects.create(
                title=cleaned.title,
                body=cleaned.body,
                original=cleaned.original,
                source_file=name,
                content_hash=cleaned.content_hash,
                word_count=cleaned.word_count,
                import_report=_report_json(cleaned),
                imported_by=imported_by,
            )
    except IntegrityError:
        # Someone imported the same file between our check and our insert.
        existing = Article.objects.filter(content_hash=cleaned.content_hash).only("id").first()
        if existing:
            return FileReport(
                name, Outcome.ALREADY, f"same content as article {existing.id}", existing.id
            )
        raise ValidationError(
            f"An article from a file named “{name}” was imported meanwhile; nothing was changed.",
            code="conflict",
        ) from None
    return FileReport(
        name, Outcome.IMPORTED, _summary(cleaned), article.id, _removed_lines(cleaned)
    )


def articles_import(*, files: Iterable[sources.SourceFile], imported_by=None) -> list[FileReport]:
    """Import a batch: each file lands whole or not at all, and a bad one blocks no other."""
    cleaner = make_cleaner()
    reports = []
    for item in files:
        if item.skipped:
            reports.append(FileReport(item.name, Outcome.SKIPPED, item.skipped))
        elif item.error or item.data is None:
            reports.append(FileReport(item.name, Outcome.FAILED, item.error))
        else:
            try:
                reports.append(
                    article_import(
                        name=item.name, data=item.data, imported_by=imported_by, cleaner=cleaner
                    )
                )
            except ValidationError as error:
                outcome = Outcome.CONFLICT if error.code == "conflict" else Outcome.FAILED
                reports.append(FileReport(item.name, outcome, " ".join(error.messages)))
    return reports


def _report_json(cleaned: CleanedArticle) -> dict:
    return {
        "removed": [{"line": r.line, "text": r.text, "reason": r.reason} for r in cleaned.removals],
    }


def _removed_lines(cleaned: CleanedArticle) -> tuple[str, ...]:
    return tuple(f"line {r.line}: {r.text[:80]} ({r.reason})" for r in cleaned.removals)


def _summary(cleaned: CleanedArticle) -> str:
    removed = len(cleaned.removals)
    return f"“{cleaned.title[:70]}”, {cleaned.word_count} words, {removed} lines removed"
