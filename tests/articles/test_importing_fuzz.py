"""Fuzzing the importer: whatever bytes arrive, the cleaner either returns an article or raises
ArticleFileError (a message for a person), and a batch import never leaves a partial write."""

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import sources
from articles.importing import ArticleFileError, Cleaner
from articles.models import Article
from articles.services import Outcome, articles_import, import_limits

# Text that looks like articles: titles, paragraphs, boilerplate, repeats, odd characters.
LINES = st.sampled_from(
    [
        "",
        "Advertisement",
        "READ ALSO: something else",
        "Jane Doe said “we will”.",
        "Jane Doe said “we will”.",
        "\u00a0\u2003",
        "🌉 Bridge",
        "\ufeffBOM inside",
        "\r",
        "\x00",
        "\x07bell",
        "e\u0301 (combining accent)",
        "\ud7ff\ue000",
    ]
) | st.text(max_size=40)
ARTICLE_TEXT = st.lists(LINES, max_size=12).map("\n".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


ANY_BYTES = st.binary(max_size=2000) | st.builds(encode, ARTICLE_TEXT, ENCODINGS)


@settings(max_examples=500, deadline=None)
@given(data=ANY_BYTES)
def test_cleaning_any_bytes_gives_an_article_or_an_article_file_error(data):
    cleaner = Cleaner(max_bytes=1500)
    try:
        cleaned = cleaner.clean(data)
    except ArticleFileError as error:
        message = str(error)
        cleaned = None
    if cleaned is None:
        assert message  # a message for a person
        return
    assert cleaned.title
    assert cleaned.title == cleaned.title.strip()
    assert cleaned.body.strip()
    assert "\r" not in cleaned.body
    assert "\x00" not in cleaned.body
    assert len(cleaned.content_hash) == 64
    # Deterministic: the same bytes clean to the same article (offsets depend on it).
    assert cleaner.clean(data) == cleaned


def zipped(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


FILE_NAMES = st.sampled_from(["a.txt", "b.txt", "c.txt", "a.TXT", "notes.md", "dir/d.txt"])
UPLOADS = st.lists(
    st.one_of(
        st.tuples(FILE_NAMES, ANY_BYTES),
        st.tuples(
            st.just("bundle.zip"),
            st.lists(
                st.tuples(FILE_NAMES, ANY_BYTES), max_size=3, unique_by=lambda member: member[0]
            ).map(zipped),
        ),
        st.tuples(st.just("broken.zip"), st.binary(max_size=200)),
    ),
    min_size=1,
    max_size=5,
)


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(uploads=UPLOADS)
def test_a_fuzzed_batch_import_writes_exactly_the_articles_it_reports(uploads):
    known_before = set(Article.objects.values_list("pk", flat=True))
    files = []
    for name, data in uploads:
        files.extend(sources.from_upload(name, io.BytesIO(data), len(data), import_limits()))

    reports = articles_import(files=files)

    assert len(reports) == len(files)
    created = set(Article.objects.values_list("pk", flat=True)) - known_before
    imported = {r.article_id for r in reports if r.outcome == Outcome.IMPORTED}
    assert created == imported  # nothing written for a failure, nothing unreported
    for report in reports:
        assert report.outcome in set(Outcome)
        if report.outcome in {Outcome.FAILED, Outcome.CONFLICT, Outcome.SKIPPED}:
            assert report.message
        if report.article_id is not None:
            article = Article.objects.get(pk=report.article_id)
            assert article.body.strip()
            assert article.title
