"""Optional "Source:" and "Published:" lines after the title: metadata, not body text."""

import datetime as dt

import pytest

from articles.importing import ArticleFileError, clean
from articles.services import article_import


def test_header_lines_become_metadata_and_leave_the_body():
    cleaned = clean(
        b"Bridge to reopen\n\nSource: Daily  Ledger\nPublished: 2023-10-12\n\n"
        b"The bridge reopens in May.\n"
    )
    assert cleaned.title == "Bridge to reopen"
    assert cleaned.source == "Daily Ledger"
    assert cleaned.published == dt.date(2023, 10, 12)
    assert cleaned.body == "The bridge reopens in May."


def test_either_line_alone_in_any_order_and_case():
    cleaned = clean(b"Title\npublished: 2024-02-29\nText.\n")
    assert (cleaned.source, cleaned.published, cleaned.body) == ("", dt.date(2024, 2, 29), "Text.")
    cleaned = clean(b"Title\nPublished: 2024-01-02\nSOURCE: Post\nText.\n")
    assert (cleaned.source, cleaned.published, cleaned.body) == (
        "Post",
        dt.date(2024, 1, 2),
        "Text.",
    )


def test_without_header_nothing_changes():
    cleaned = clean(b"Title\n\nText.\nSource: a line in the body stays.\n")
    assert (cleaned.source, cleaned.published) == ("", None)
    assert cleaned.body == "Text.\nSource: a line in the body stays."


def test_only_right_after_the_title_and_only_once():
    cleaned = clean(b"Title\nSource: A\nSource: B\nText.\n")
    assert cleaned.source == "A"
    assert cleaned.body == "Source: B\nText."


@pytest.mark.parametrize("value", ["yesterday", "2023-13-01", "12/10/2023", "2023-10-12T10:00"])
def test_a_published_line_that_is_not_a_date_fails_clearly(value):
    with pytest.raises(ArticleFileError, match="is not a date; write it as 2023-10-12"):
        clean(f"Title\nPublished: {value}\nText.\n".encode())


def test_a_header_alone_is_no_body():
    with pytest.raises(ArticleFileError, match="no body text"):
        clean(b"Title\nSource: Post\n")


@pytest.mark.django_db
def test_import_stores_source_and_date():
    report = article_import(
        name="dated.txt", data=b"Title\nSource: Harbour Post\nPublished: 2023-10-20\n\nText.\n"
    )
    from articles.models import Article

    article = Article.objects.get(pk=report.article_id)
    assert article.source == "Harbour Post"
    assert article.published_at == dt.datetime(2023, 10, 20, tzinfo=dt.UTC)
    assert article.body == "Text."
    assert "Source: Harbour Post" in article.original  # provenance keeps the file as it was


@pytest.mark.django_db
def test_a_revision_with_a_header_corrects_it_and_one_without_keeps_it():
    from articles.models import Article

    first = article_import(
        name="story.txt", data=b"Title\nSource: Post\nPublished: 2023-01-02\nOne.\n"
    )
    article_import(name="story.txt", data=b"Title\nSource: Herald\nTwo.\n")
    article = Article.objects.get(pk=first.article_id)
    assert (article.source, article.revision) == ("Herald", 2)
    assert article.published_at == dt.datetime(2023, 1, 2, tzinfo=dt.UTC)
    article_import(name="story.txt", data=b"Title\nThree.\n")
    article.refresh_from_db()
    assert (article.source, article.revision, article.body) == ("Herald", 3, "Three.")
