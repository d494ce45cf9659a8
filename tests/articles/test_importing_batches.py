"""A batch import writes its new files together: the same reports as one file at a time,
each chunk of files lands whole or not at all, and a lost race falls back to one at a time."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import selectors, services, sources
from articles.models import Article
from articles.services import Outcome, article_import, articles_import

pytestmark = pytest.mark.django_db


def text_file(name: str, title: str, body: str) -> sources.SourceFile:
    return sources.SourceFile(name, data=f"{title}\n\n{body}\n".encode())


def many(count: int, prefix: str = "f") -> list[sources.SourceFile]:
    return [
        text_file(f"{prefix}-{i:03d}.txt", f"Title {i}", f"Body number {i}.") for i in range(count)
    ]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 4 files, so a few files exercise several commits and the read-ahead thread."""
    monkeypatch.setattr(services, "IMPORT_COMMIT_EVERY", 4)
    return 4


def test_new_files_are_inserted_together(editor):
    files = many(30)
    with CaptureQueriesContext(connection) as queries:
        reports = articles_import(files=files, imported_by=editor)
    assert [r.outcome for r in reports] == [Outcome.IMPORTED] * 30
    # The lookup, the insert, the savepoint around it and the transaction: not five per file.
    assert len(queries) <= 8
    articles = {a.pk: a for a in Article.objects.all()}
    for i, report in enumerate(reports):
        article = articles[report.article_id]
        assert (article.source_file, article.title, article.body) == (
            f"f-{i:03d}.txt",
            f"Title {i}",
            f"Body number {i}.",
        )
        assert article.imported_by == editor
        assert article.word_count == 3
        assert article.revision == 1
        assert report.message == f"“Title {i}”, 3 words, 0 lines removed"
    # Newest first is the order of the files: the first file is the oldest article.
    assert [a.source_file for a in Article.objects.all()] == [f.name for f in reversed(files)]


def test_a_batch_stores_each_article_as_a_single_import_does(editor):
    data = b"Bridge to reopen\r\n\r\nAdvertisement\r\nThe bridge reopens in May.\r\n"
    single = Article.objects.get(
        pk=article_import(name="one.txt", data=data, imported_by=editor).article_id
    )
    Article.objects.all().delete()
    [report, *_] = articles_import(
        files=[sources.SourceFile("one.txt", data=data), *many(3)], imported_by=editor
    )
    batch = Article.objects.get(pk=report.article_id)

    def stored(article):
        return {
            f.attname: getattr(article, f.attname)
            for f in Article._meta.concrete_fields
            if f.attname not in ("id", "imported_at", "updated_at")
        }

    assert stored(batch) == stored(single)
    assert batch.import_report == {
        "removed": [{"line": 3, "text": "Advertisement", "reason": "boilerplate"}]
    }
    assert single.imported_at < batch.imported_at <= batch.updated_at  # now, at the insert
    # The search finds it (on PostgreSQL, through the stored search vector).
    found = selectors.article_search(Article.objects.all(), "reopen bridge")
    assert list(found.values_list("pk", flat=True)) == [batch.pk]


def test_a_batch_reports_what_one_file_at_a_time_would(small_chunks):
    article_import(name="known.txt", data=b"Known\n\nOld text.\n")
    old = Article.objects.get()
    files = [
        text_file("a.txt", "A", "First."),
        text_file("a-copy.txt", "A", "First."),  # a's content: already imported, as a
        text_file("known.txt", "Known", "New text."),  # a known name: a revision
        text_file("old-text.txt", "Known", "Old text."),  # known.txt's text before this batch
        # a.txt again, other text: two files of one import are never one article and its
        # revision (a/report.txt, b/report.txt in one zip): a conflict
        text_file("a.txt", "A", "First, corrected."),
        sources.SourceFile("empty.txt", data=b""),
        text_file("b.txt", "B", "Second."),
        text_file("b.txt", "B", "Second."),  # the same file twice
        sources.SourceFile("notes.md", skipped="notes.md: not a .txt file, skipped."),
        text_file("c.txt", "C", "Third."),
    ]
    reports = articles_import(files=files)

    assert [(r.name, r.outcome) for r in reports] == [
        ("a.txt", Outcome.IMPORTED),
        ("a-copy.txt", Outcome.ALREADY),
        ("known.txt", Outcome.REVISED),
        ("old-text.txt", Outcome.IMPORTED),
        ("a.txt", Outcome.CONFLICT),
        ("empty.txt", Outcome.FAILED),
        ("b.txt", Outcome.IMPORTED),
        ("b.txt", Outcome.ALREADY),
        ("notes.md", Outcome.SKIPPED),
        ("c.txt", Outcome.IMPORTED),
    ]
    a = Article.objects.get(source_file="a.txt")
    assert reports[0].article_id == reports[1].article_id == a.pk
    assert reports[4].article_id is None
    assert "another file of this import has the same name" in reports[4].message
    assert (a.body, a.revision) == ("First.", 1)
    old.refresh_from_db()
    assert reports[2].article_id == old.pk
    assert (old.body, old.revision) == ("New text.", 2)
    assert Article.objects.get(source_file="old-text.txt").body == "Old text."
    assert reports[7].article_id == reports[6].article_id
    assert reports[7].message == f"same content as article {reports[6].article_id}"
    assert reports[5].message == "The file is empty."
    assert Article.objects.count() == 5

    # One file at a time, in another database state, says the same, except that alone the
    # second a.txt has no sibling to conflict with.
    again = [r.outcome for r in articles_import(files=files)]
    one_by_one = [articles_import(files=[f])[0].outcome for f in files]
    assert again[4] == Outcome.CONFLICT
    assert one_by_one[4] == Outcome.REVISED
    assert again[:4] + again[5:] == one_by_one[:4] + one_by_one[5:]


def test_a_lost_race_falls_back_to_one_file_at_a_time(monkeypatch, small_chunks):
    """Another import takes a file's content or name between the lookup and the insert: the
    insert fails on a unique constraint, and each file of the chunk finds out alone."""
    taken = article_import(name="taken.txt", data=b"Taken\n\nAlready here.\n").article_id
    article_import(name="name.txt", data=b"Name\n\nFirst text.\n")
    monkeypatch.setattr(services, "_known", lambda items: ({}, {}))  # the lookup saw nothing

    reports = articles_import(
        files=[
            text_file("fresh.txt", "Fresh", "New here."),
            text_file("other-name.txt", "Taken", "Already here."),
            text_file("name.txt", "Name", "Second text."),
        ]
    )

    assert [r.outcome for r in reports] == [Outcome.IMPORTED, Outcome.ALREADY, Outcome.REVISED]
    assert reports[1].article_id == taken
    assert Article.objects.count() == 3
    assert Article.objects.get(source_file="name.txt").body == "Second text."


def test_each_chunk_lands_whole_or_not_at_all(monkeypatch, small_chunks):
    create = services._articles_create
    calls = []

    def fail_the_second_chunk(items, **kwargs):
        calls.append(len(items))
        if len(calls) == 2:
            create(items[:2], **kwargs)  # half of it is written, then the database fails
            raise RuntimeError("the database went away")
        return create(items, **kwargs)

    monkeypatch.setattr(services, "_articles_create", fail_the_second_chunk)
    files = many(10)
    with pytest.raises(RuntimeError, match="went away"):
        articles_import(files=files)
    # The first chunk was committed; nothing of the second remains; the third never began.
    assert sorted(Article.objects.values_list("source_file", flat=True)) == [
        f.name for f in files[:4]
    ]


def test_a_cleaner_crash_in_the_read_ahead_thread_reaches_the_caller(monkeypatch, small_chunks):
    clean = services.Cleaner.clean

    def crash_on_the_seventh(self, data):
        if data.startswith(b"Title 6\n"):
            raise MemoryError("no room")
        return clean(self, data)

    monkeypatch.setattr(services.Cleaner, "clean", crash_on_the_seventh)
    with pytest.raises(MemoryError, match="no room"):
        articles_import(files=many(10))
    # The chunk holding the file never began: only the first chunk landed.
    assert Article.objects.count() == 4


def test_a_source_failing_midway_stops_the_import_after_the_chunks_it_gave(small_chunks):
    def files():
        yield from many(6)
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="disk went away"):
        articles_import(files=files())
    assert Article.objects.count() == 4


def test_many_chunks_keep_order_and_limits(tmp_path, settings, small_chunks):
    settings.NEWSDESK_IMPORT_MAX_BYTES = 200
    for i in range(13):
        body = "word " * 60 if i == 5 else f"Body {i}."
        (tmp_path / f"{i:02d}.txt").write_bytes(f"Title {i}\n\n{body}\n".encode())
    (tmp_path / "07.txt").write_bytes(b"\xff\xfe\x00")
    reports = articles_import(files=sources.from_paths([tmp_path], services.import_limits()))
    assert [r.name for r in reports] == [f"{i:02d}.txt" for i in range(13)]
    failed = {r.name for r in reports if r.outcome == Outcome.FAILED}
    assert failed == {"05.txt", "07.txt"}
    assert Article.objects.count() == 11
    assert all(r.outcome == Outcome.IMPORTED for r in reports if r.name not in failed)


@pytest.mark.django_db(transaction=True)
def test_progress_hears_every_report_once_its_chunk_is_committed(small_chunks):
    heard = []

    def progress(report):
        assert not connection.in_atomic_block  # committed, not inside the chunk's transaction
        heard.append(report)

    reports = articles_import(files=many(10), progress=progress)
    assert heard == reports


def test_suggest_on_import_keeps_one_file_at_a_time(settings, small_chunks):
    settings.NEWSDESK_SUGGEST_ON_IMPORT = True
    files = [text_file("a.txt", "A", "Jane Doe said “the bridge will reopen in May”.")] * 2
    files += many(5)
    reports = articles_import(files=files)
    assert [r.outcome for r in reports] == [Outcome.IMPORTED, Outcome.ALREADY] + [
        Outcome.IMPORTED
    ] * 5


def test_the_command_imports_in_chunks_with_a_line_per_file(tmp_path, small_chunks):
    for i in range(9):
        (tmp_path / f"{i}.txt").write_bytes(f"Title {i}\n\nBody {i}.\n".encode())
    (tmp_path / "5.txt").write_bytes(b"Title 0\n\nBody 0.\n")
    out = io.StringIO()
    call_command("import_articles", str(tmp_path), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "[1/9] 0.txt: imported — “Title 0”, 2 words, 0 lines removed"
    assert lines[5].startswith("[6/9] 5.txt: already imported — same content as article ")
    assert lines[-1] == "9 files: 8 imported, 1 already imported"
