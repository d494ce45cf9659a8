"""Writes for articles. Every import, from the admin, the command or a test, comes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from articles import sources
from articles.importing import ArticleFileError, CleanedArticle, Cleaner
from articles.models import Article, ArticleRevision
from articles.signals import ReanchorReport, article_created, article_revised


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
        max_title=TITLE_MAX_LENGTH,
    )


# The limits are the model's: the admin, the API and the import check the same numbers.
TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length
NAME_MAX_LENGTH = Article._meta.get_field("source_file").max_length


def _name_problem(name: str) -> str:
    if len(name) > NAME_MAX_LENGTH:
        return (
            f"The file name has {len(name):,} characters; the limit is {NAME_MAX_LENGTH}. "
            "Rename the file and import it again."
        )
    return ""


def article_import(
    *, name: str, data: bytes, imported_by=None, cleaner: Cleaner | None = None
) -> FileReport:
    """Clean one file and store it as an article, whole or not at all.

    A file named like a known article's file, with other content, is a new revision of that
    article (its spans are re-anchored, nothing is lost). Raises ValidationError (code
    "invalid" or "conflict") when the file cannot be imported.
    """
    if problem := _name_problem(name):
        raise ValidationError(problem, code="invalid")
    try:
        cleaned = (cleaner or make_cleaner()).clean(data)
    except ArticleFileError as error:
        raise ValidationError(str(error), code="invalid") from None
    return _cleaned_import(name=name, cleaned=cleaned, imported_by=imported_by)


def _cleaned_import(*, name: str, cleaned: CleanedArticle, imported_by) -> FileReport:
    existing = Article.objects.filter(content_hash=cleaned.content_hash).only("id").first()
    if existing:
        return _already(name, existing.id)
    known = Article.objects.filter(source_file=name).only("id").first() if name else None
    if known:
        revised = _revise(article=known, cleaned=cleaned, user=imported_by)
        return FileReport(
            name, Outcome.REVISED, revised.summary(), known.id, _removed_lines(cleaned)
        )
    try:
        with transaction.atomic():
            article = _article(name, cleaned, imported_by)
            article.save(force_insert=True)
            if settings.NEWSDESK_SUGGEST_ON_IMPORT:
                # annotations runs the suggesters: the article arrives with its suggestions.
                article_created.send(sender=Article, article=article, user=imported_by)
    except IntegrityError:
        # Someone imported the same file between our check and our insert.
        existing = Article.objects.filter(content_hash=cleaned.content_hash).only("id").first()
        if existing:
            return _already(name, existing.id)
        raise ValidationError(
            f"An article from a file named “{name}” was imported meanwhile; nothing was changed.",
            code="conflict",
        ) from None
    return _imported(name, cleaned, article)


# Files per database commit in a batch import. Each file still lands whole or not at all, and
# sharing the commit saves a WAL flush per file, which bounded a bulk import to ~110
# articles/s (manage.py bench).
IMPORT_COMMIT_EVERY = 100


@dataclass(frozen=True)
class _Prepared:
    """A file of a batch, read and cleaned before its transaction opens."""

    name: str
    cleaned: CleanedArticle | None = None
    article: Article | None = None  # the article it would become, not saved
    report: FileReport | None = None  # set: the file is done before the database (failed...)


def articles_import(
    *,
    files: Iterable[sources.SourceFile],
    imported_by=None,
    progress: Callable[[FileReport], None] | None = None,
) -> list[FileReport]:
    """Import a batch: each file lands whole or not at all, and a bad one blocks no other.

    Files are committed IMPORT_COMMIT_EVERY at a time; `progress` hears of each file's
    report once its commit is done. A file named like an earlier file of the same batch,
    with other content (a/report.txt and b/report.txt in one zip), is a conflict: two files
    of one import are two articles, never one article and its revision.
    """
    reports = []
    for prepared in _prepared_chunks(files, make_cleaner(), imported_by):
        with transaction.atomic():
            done = _chunk_import(prepared, imported_by=imported_by)
        reports += done
        if progress is not None:
            for report in done:
                progress(report)
    return reports


def _prepared_chunks(
    files: Iterable[sources.SourceFile], cleaner: Cleaner, imported_by
) -> Iterator[list[_Prepared]]:
    """The files in chunks of IMPORT_COMMIT_EVERY, read and cleaned.

    When there is more than one chunk, a thread reads and cleans the next chunk while the
    caller writes this one: the database does its part (the search vector, the indexes) on
    the other core, and the caller waits for it without holding the GIL.
    """
    files = iter(files)
    # The files of this batch so far, by name: {name: (content hash, where it came from)}.
    # Only the one reading thread (or the caller) touches it, in file order.
    seen: dict[str, tuple[str, str]] = {}

    def read_ahead() -> list[_Prepared]:
        chunk = list(islice(files, IMPORT_COMMIT_EVERY))
        return _prepare_all(chunk, cleaner, imported_by, seen)

    first = list(islice(files, IMPORT_COMMIT_EVERY))
    if len(first) < IMPORT_COMMIT_EVERY:
        if first:
            yield _prepare_all(first, cleaner, imported_by, seen)
        return
    # One worker: it reads the files in order, one chunk after the other.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-read") as pool:
        ahead = pool.submit(_prepare_all, first, cleaner, imported_by, seen)
        while True:
            following = pool.submit(read_ahead)
            chunk = ahead.result()
            if not chunk:
                break
            yield chunk
            ahead = following


def _prepare_all(
    chunk: list[sources.SourceFile], cleaner: Cleaner, imported_by, seen: dict
) -> list[_Prepared]:
    return [_prepare(item, cleaner, imported_by, seen) for item in chunk]


def _prepare(
    item: sources.SourceFile, cleaner: Cleaner, imported_by, seen: dict[str, tuple[str, str]]
) -> _Prepared:
    def failed(message: str, outcome: Outcome = Outcome.FAILED) -> _Prepared:
        return _Prepared(item.name, report=FileReport(item.name, outcome, message))

    if item.skipped:
        return _Prepared(item.name, report=FileReport(item.name, Outcome.SKIPPED, item.skipped))
    if item.error or item.data is None:
        return failed(item.error)
    if problem := _name_problem(item.name):
        return failed(problem)
    try:
        cleaned = cleaner.clean(item.data)
    except ArticleFileError as error:
        return failed(str(error))
    earlier = seen.get(item.name)
    if earlier is not None and earlier[0] != cleaned.content_hash:
        return failed(
            f"{item.where}: another file of this import has the same name ({earlier[1]}); "
            "an article is known by its file name, so rename one and import it again.",
            Outcome.CONFLICT,
        )
    seen.setdefault(item.name, (cleaned.content_hash, item.where))
    return _Prepared(item.name, cleaned, _article(item.name, cleaned, imported_by))


def _chunk_import(chunk: list[_Prepared], *, imported_by) -> list[FileReport]:
    """Import a chunk's cleaned files in order, with what a file at a time would report.

    New files are inserted together, after one query for the chunk's known contents and
    names. A file that needs the database as the files before it left it (a revision, or a
    name or content another file of the chunk brings) is imported alone, once those are in;
    the files after it are then looked up again.
    """
    reports = [item.report for item in chunk]
    todo = [i for i, item in enumerate(chunk) if item.report is None]
    if settings.NEWSDESK_SUGGEST_ON_IMPORT:
        # Each article with its suggestions, whole or not at all: one savepoint per file.
        for i in todo:
            reports[i] = _one_import(chunk[i], imported_by=imported_by)
        return reports
    while todo:
        by_hash, by_name = _known(chunk[i] for i in todo)
        new: list[int] = []
        hashes: set[str] = set()
        names: set[str] = set()
        alone = None
        for n, i in enumerate(todo):
            item = chunk[i]
            content_hash = item.cleaned.content_hash
            if content_hash in by_hash:
                reports[i] = _already(item.name, by_hash[content_hash])
                continue
            if content_hash in hashes or (
                item.name and (item.name in by_name or item.name in names)
            ):
                alone = n
                break
            new.append(i)
            hashes.add(content_hash)
            names.add(item.name)
        created = _articles_create([chunk[i] for i in new], imported_by=imported_by)
        for i, report in zip(new, created, strict=True):
            reports[i] = report
        if alone is None:
            break
        reports[todo[alone]] = _one_import(chunk[todo[alone]], imported_by=imported_by)
        todo = todo[alone + 1 :]
    return reports


def _known(items: Iterable[_Prepared]) -> tuple[dict[str, int], dict[str, int]]:
    """Articles holding one of these contents or file names: {hash: id}, {file name: id}."""
    hashes, names = set(), set()
    for item in items:
        hashes.add(item.cleaned.content_hash)
        if item.name:
            names.add(item.name)
    # NOT source_file = '': the condition of the unique index on file names, so it serves
    # the lookup however many names there are.
    rows = (
        Article.objects.filter(
            Q(content_hash__in=hashes) | (Q(source_file__in=names) & ~Q(source_file=""))
        )
        .order_by()
        .values_list("id", "content_hash", "source_file")
    )
    by_hash, by_name = {}, {}
    for pk, content_hash, source_file in rows:
        if content_hash in hashes:
            by_hash[content_hash] = pk
        if source_file in names:
            by_name[source_file] = pk
    return by_hash, by_name


def _articles_create(items: list[_Prepared], *, imported_by) -> list[FileReport]:
    """New articles in one insert; each file alone if another import took a name or content."""
    if not items:
        return []
    articles = [item.article for item in items]
    try:
        with transaction.atomic():
            Article.objects.bulk_create(articles)  # sets their ids (PostgreSQL, SQLite)
    except IntegrityError:
        # Someone imported one of these files between our lookup and our insert: one at a
        # time, each file finds out which.
        return [_one_import(item, imported_by=imported_by) for item in items]
    return [
        _imported(item.name, item.cleaned, article)
        for item, article in zip(items, articles, strict=True)
    ]


def _one_import(item: _Prepared, *, imported_by) -> FileReport:
    try:
        # _cleaned_import's own atomic blocks are savepoints here: a failed file rolls back
        # alone.
        return _cleaned_import(name=item.name, cleaned=item.cleaned, imported_by=imported_by)
    except ValidationError as error:
        outcome = Outcome.CONFLICT if error.code == "conflict" else Outcome.FAILED
        return FileReport(item.name, outcome, " ".join(error.messages))


def _article(name: str, cleaned: CleanedArticle, imported_by) -> Article:
    return Article(
        title=cleaned.title,
        body=cleaned.body,
        original=cleaned.original,
        source_file=name,
        content_hash=cleaned.content_hash,
        word_count=cleaned.word_count,
        import_report=_report_json(cleaned),
        imported_by=imported_by,
        source=cleaned.source,
        published_at=_published_at(cleaned),
    )


def _published_at(cleaned: CleanedArticle) -> dt.datetime | None:
    """A "Published:" date as midnight UTC of that day (the day is all a header says)."""
    if cleaned.published is None:
        return None
    return dt.datetime.combine(cleaned.published, dt.time(), tzinfo=dt.UTC)


def _already(name: str, article_id: int) -> FileReport:
    return FileReport(name, Outcome.ALREADY, f"same content as article {article_id}", article_id)


def _imported(name: str, cleaned: CleanedArticle, article: Article) -> FileReport:
    return FileReport(
        name, Outcome.IMPORTED, _summary(cleaned), article.id, _removed_lines(cleaned)
    )


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
    spans: ReanchorReport | None  # what the article_revised receivers did; None: unchanged

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
        if counts.to_review:
            text += f"; {counts.to_review} accepted quotes or claims changed words: back to review"
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
        return Revised(article, None, None)
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
    # A header in the new text corrects the outlet or date; without one they stay as edited.
    metadata = {"source": cleaned.source, "published_at": _published_at(cleaned)}
    metadata = {name: value for name, value in metadata.items() if value}
    for name, value in metadata.items():
        setattr(article, name, value)
    article.save(
        update_fields=[
            *metadata,
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
    # annotations re-anchors its spans to the new text (articles.signals).
    responses = article_revised.send(sender=Article, article=article, old_body=old_body, user=user)
    spans = sum((report for _, report in responses), ReanchorReport())
    revision.report = spans.as_dict()
    revision.save(update_fields=["report"])
    return Revised(article, revision, spans)


def article_metadata_update(
    *,
    article: Article,
    user=None,
    source: str | None = None,
    published_at: dt.datetime | None | type[...] = ...,
) -> Article:
    """Set an article's outlet and/or publication date (None: undated); the text is untouched.

    `user` is the editor (the caller checks the role); nothing else is recorded, as for an
    import. Raises ValidationError for an outlet longer than the column.
    """
    changes: dict = {}
    if source is not None:
        source = " ".join(source.split())
        if len(source) > Article._meta.get_field("source").max_length:
            raise ValidationError({"source": "At most 200 characters."}, code="invalid")
        changes["source"] = source
    if published_at is not ...:
        changes["published_at"] = published_at
    if changes:
        for name, value in changes.items():
            setattr(article, name, value)
        article.save(update_fields=[*changes, "updated_at"])
    return article
