"""Writes for articles. Every import, from the admin, the command or a test, comes through here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotations.services import ReanchorReport, spans_reanchor
from articles import sources
from articles.importing import ArticleFileError, CleanedArticle, Cleaner
from articles.models import Article, ArticleRevision


class Outcome(StrEnum):
    IMPORTED = "imported"
    ALREADY = "already imported"
    REVISED = "revised"
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

    A file named like a known article's file, with other content, is a new revision of that
    article (its spans are re-anchored, nothing is lost). Raises ValidationError (code
    "invalid" or "conflict") when the file cannot be imported.
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
    known = Article.objects.filter(source_file=name).only("id").first() if name else None
    if known:
        revised = _revise(article=known, cleaned=cleaned, user=imported_by)
        return FileReport(
            name, Outcome.REVISED, revised.summary(), known.id, _removed_lines(cleaned)
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
            if settings.NEWSDESK_SUGGEST_ON_IMPORT:
                from annotations.suggesting import article_suggest

                article_suggest(article=article, user=imported_by)
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


# Files per database commit in a batch import. Each file still lands whole or not at all (its
# own savepoint); sharing the commit saves a WAL flush per file, which bounded a bulk import
# to ~110 articles/s (manage.py bench).
IMPORT_COMMIT_EVERY = 100


def articles_import(*, files: Iterable[sources.SourceFile], imported_by=None) -> list[FileReport]:
    """Import a batch: each file lands whole or not at all, and a bad one blocks no other."""
    cleaner = make_cleaner()
    reports = []
    files = iter(files)
    while chunk := list(islice(files, IMPORT_COMMIT_EVERY)):
        with transaction.atomic():
            for item in chunk:
                reports.append(_file_import(item, imported_by=imported_by, cleaner=cleaner))
    return reports


def _file_import(item: sources.SourceFile, *, imported_by, cleaner: Cleaner) -> FileReport:
    if item.skipped:
        return FileReport(item.name, Outcome.SKIPPED, item.skipped)
    if item.error or item.data is None:
        return FileReport(item.name, Outcome.FAILED, item.error)
    try:
        # article_import's own atomic blocks are savepoints here: a failed file rolls back
        # alone.
        return article_import(
            name=item.name, data=item.data, imported_by=imported_by, cleaner=cleaner
        )
    except ValidationError as error:
        outcome = Outcome.CONFLICT if error.code == "conflict" else Outcome.FAILED
        return FileReport(item.name, outcome, " ".join(error.messages))


def _report_json(cleaned: CleanedArticle) -> dict:
    return {
        "removed": [{"line": r.line, "text": r.text, "reason": r.reason} for r in cleaned.removals],
    }


def _removed_lines(cleaned: CleanedArticle) -> tuple[str, ...]:
    return tuple(f"line {r.line}: {r.text[:80]} ({r.reason})" for r in cleaned.removals)


def _summary(cleaned: CleanedArticle) -> str:
    removed = len(cleaned.removals)
    return f"“{cleaned.title[:70]}”, {cleaned.word_count} words, {removed} lines removed"


# --- revisions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revised:
    article: Article
    revision: ArticleRevision | None  # the text that was replaced; None when nothing changed
    spans: ReanchorReport

    def summary(self) -> str:
        if self.revision is None:
            return "the text is unchanged"
        counts = self.spans
        text = (
            f"revision {self.article.revision}: {counts.kept} annotations kept, "
            f"{counts.moved} moved, {counts.orphaned} orphaned"
        )
        if counts.orphaned:
            text += " (see the article's orphans)"
        return text


def article_revise(
    *, article: Article, data: bytes | None = None, text: str | None = None, user=None
) -> Revised:
    """Replace an article's text with a corrected version: a new revision.

    `data` is a file's bytes, `text` the same as a string (first line the title); both are
    cleaned like an import. The old text is kept as an ArticleRevision, and every span is
    re-anchored: kept, moved (new offsets and text) or orphaned (kept with its old text).
    Raises ValidationError when the text is not usable or is another article's text.
    """
    if (data is None) == (text is None):
        raise ValidationError("Send the new text, as a file or as text.", code="invalid")
    try:
        cleaned = make_cleaner().clean(data if data is not None else text.encode("utf-8"))
    except ArticleFileError as error:
        raise ValidationError(str(error), code="invalid") from None
    return _revise(article=article, cleaned=cleaned, user=user)


@transaction.atomic
def _revise(*, article: Article, cleaned: CleanedArticle, user) -> Revised:
    # FOR UPDATE: span writes lock the article row too (annotations.services._locked_body),
    # so no span can be placed against the old text while this one replaces it.
    article = Article.objects.select_for_update().get(pk=article.pk)
    if cleaned.content_hash == article.content_hash:
        return Revised(article, None, ReanchorReport(kept=article.spans.count()))
    other = (
        Article.objects.filter(content_hash=cleaned.content_hash)
        .exclude(pk=article.pk)
        .only("id")
        .first()
    )
    if other:
        raise ValidationError(
            f"This text is already article {other.id}; nothing was changed.", code="conflict"
        )
    old_body = article.body
    revision = ArticleRevision.objects.create(
        article=article,
        number=article.revision,
        title=article.title,
        body=article.body,
        original=article.original,
        content_hash=article.content_hash,
        created_by=user if getattr(user, "pk", None) else None,
    )
    article.title = cleaned.title
    article.body = cleaned.body
    article.original = cleaned.original
    article.content_hash = cleaned.content_hash
    article.word_count = cleaned.word_count
    article.import_report = _report_json(cleaned)
    article.revision += 1
    article.save(
        update_fields=[
            "title",
            "body",
            "original",
            "content_hash",
            "word_count",
            "import_report",
            "revision",
            "updated_at",
        ]
    )
    spans = spans_reanchor(article=article, old_body=old_body, user=user)
    revision.report = spans.as_dict()
    revision.save(update_fields=["report"])
    return Revised(article, revision, spans)
