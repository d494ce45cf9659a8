"""A corrected article: a new revision whose annotations are kept, moved or orphaned, never lost."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotations import selectors, services
from annotations.models import HistoryAction, HistoryEntry, Span, SpanKind, SpanStatus
from articles import sources
from articles.models import Article, ArticleRevision
from articles.services import Outcome, article_import, article_revise, articles_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEED = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))[0]

KEPT_QUOTE = "‘the United States has Israel’s back’ as he flew off"
WORD_QUOTE = "“We know that Israel will take all the precautions it can, just as we would"
LATER_QUOTE = "“We have their back today, we’ll have it tomorrow"
DELETED_QUOTE = "“We will reiterate the very strong message that President Biden has delivered"
CLAIM = "left more than 1,200 Israelis dead"
INSERTED = "Editor’s note: this article was corrected on Thursday to fix a quotation."


def corrected(raw: str) -> str:
    """The seed as a newsroom corrects it: a word changed inside a quote, a paragraph
    inserted before it, and a quoted paragraph deleted."""
    lines = raw.split("\n")
    out = []
    for line in lines:
        if line.startswith("“We will reiterate"):
            continue  # the quoted paragraph goes
        out.append(line.replace("all the precautions it can", "every precaution it can"))
        if line.startswith("The secretary of state became the most senior"):
            out += ["", INSERTED]
    return "\n".join(out)


@pytest.fixture
def annotated(editor):
    """The first seed, imported and annotated through the services."""
    report = article_import(name=SEED.name, data=SEED.read_bytes(), imported_by=editor)
    article = Article.objects.get(pk=report.article_id)
    blinken = services.entity_create(
        name="Antony Blinken", kind="PERSON", aliases=["Anthony Blinken", "Blinken"], user=editor
    )
    biden = services.entity_create(name="Joe Biden", kind="PERSON", user=editor)
    spans = {}
    for name, text in [
        ("kept", KEPT_QUOTE),
        ("word", WORD_QUOTE),
        ("later", LATER_QUOTE),
        ("deleted", DELETED_QUOTE),
    ]:
        spans[name], _ = services.span_create(
            article=article, kind=SpanKind.QUOTE, text=text, speaker=blinken, user=editor
        )
    spans["claim"], _ = services.span_create(
        article=article, kind=SpanKind.CLAIM, text=CLAIM, user=editor
    )
    spans["biden"], _ = services.span_create(
        article=article,
        kind=SpanKind.MENTION,
        text="Biden",
        prefix="President ",
        entity=biden,
        user=editor,
    )
    mentions = services.mentions_tag_all(article=article, entity=blinken, user=editor)
    assert len(mentions) == 5
    return article, spans, mentions


def revise_from_file(article, editor):
    data = corrected(SEED.read_bytes().decode("utf-8")).encode("utf-8")
    [report] = articles_import(files=[sources.SourceFile(SEED.name, data=data)], imported_by=editor)
    return report


def test_corrected_seed_keeps_moves_and_orphans_but_loses_nothing(annotated, editor):
    article, spans, mentions = annotated
    old_body = article.body
    before = {span.pk: span for span in Span.objects.filter(article=article)}

    report = revise_from_file(article, editor)

    assert report.outcome == Outcome.REVISED
    assert report.article_id == article.pk
    article.refresh_from_db()
    assert article.revision == 2
    assert INSERTED in article.body
    after = {span.pk: span for span in Span.objects.filter(article=article)}
    assert after.keys() == before.keys(), "a revision never deletes a span"

    def now(name):
        return after[spans[name].pk]

    # Before the inserted paragraph: where it was.
    assert (now("kept").start, now("kept").text) == (spans["kept"].start, KEPT_QUOTE)
    assert (now("claim").start, now("claim").version) == (spans["claim"].start, 1)
    # A word changed inside the quote: moved, with the new wording, and back in review with
    # the words that were accepted (issue 14: a newsroom cannot publish it unchecked).
    assert (
        now("word").text
        == "“We know that Israel will take every precaution it can, just as we would"
    )
    assert now("word").status == SpanStatus.SUGGESTED
    assert now("word").revised_from == spans["word"].text
    # After the inserted paragraph: moved by its length (and the deleted paragraph's).
    assert now("later").text == LATER_QUOTE
    assert now("later").start != spans["later"].start
    # The deleted paragraph's quote and mention: orphaned, with their old text and links.
    for name in ("deleted", "biden"):
        assert now(name).status == SpanStatus.ORPHANED
        assert now(name).text == spans[name].text
        assert now(name).version == spans[name].version + 1
    assert now("deleted").speaker_id == spans["deleted"].speaker_id
    assert now("biden").entity_id == spans["biden"].entity_id
    # Every span that is not orphaned says exactly what the new body says.
    for span in after.values():
        if span.status != SpanStatus.ORPHANED:
            assert article.body[span.start : span.end] == span.text, span
            assert article.body[: span.start].endswith(span.prefix)
    # The mentions of Blinken all survived (none stood in the deleted paragraph).
    assert all(after[m.pk].status == SpanStatus.ACCEPTED for m in mentions)
    assert all(
        after[m.pk].text in {"Blinken", "Anthony Blinken", "Antony Blinken"} for m in mentions
    )

    orphans = list(selectors.orphaned_spans(article=article))
    assert [o.pk for o in orphans] == sorted(
        [spans["deleted"].pk, spans["biden"].pk], key=lambda pk: before[pk].start
    )
    [revision] = ArticleRevision.objects.filter(article=article)
    assert (revision.number, revision.body, revision.created_by) == (1, old_body, editor)
    assert revision.report == {
        "kept": len(before) - revision.report["moved"] - 2,
        "moved": revision.report["moved"],
        "orphaned": 2,
        "already_orphaned": 0,
        "to_review": 1,
    }
    assert revision.report["moved"] >= 3
    assert report.message.startswith(f"revision 2: {revision.report['kept']} annotations kept")
    # Each move and orphaning is in the history, with the span as it was.
    orphaned = HistoryEntry.objects.get(
        action=HistoryAction.ORPHANED, object_id=spans["deleted"].pk
    )
    assert orphaned.before["status"] == SpanStatus.ACCEPTED
    assert orphaned.after["status"] == SpanStatus.ORPHANED
    assert orphaned.user == editor
    changed = HistoryEntry.objects.get(action=HistoryAction.CHANGED, object_id=spans["word"].pk)
    assert changed.before["text"] == WORD_QUOTE
    assert changed.after["text"].endswith("every precaution it can, just as we would")
    assert (changed.before["status"], changed.after["status"]) == ("accepted", "suggested")
    assert changed.after["revised_from"] == WORD_QUOTE


def test_same_corrected_file_again_changes_nothing(annotated, editor):
    article, _, _ = annotated
    revise_from_file(article, editor)
    state = list(Span.objects.values_list("pk", "start", "end", "status", "version"))
    again = revise_from_file(article, editor)
    assert again.outcome == Outcome.ALREADY
    assert list(Span.objects.values_list("pk", "start", "end", "status", "version")) == state
    assert ArticleRevision.objects.count() == 1


def test_an_orphan_is_re_placed_or_deleted_by_an_editor(annotated, editor):
    article, spans, _ = annotated
    revise_from_file(article, editor)
    article.refresh_from_db()
    orphan = Span.objects.get(pk=spans["deleted"].pk)
    # The editor finds the quote's remains elsewhere and puts the annotation there.
    target = "‘The United States has Israel’s back."
    start = article.body.index(target)
    placed = services.span_update(
        span=orphan, version=orphan.version, user=editor, start=start, end=start + len(target)
    )
    assert (placed.status, placed.text) == (SpanStatus.ACCEPTED, target)
    assert list(selectors.orphaned_spans(article=article)) == [
        Span.objects.get(pk=spans["biden"].pk)
    ]
    mention = Span.objects.get(pk=spans["biden"].pk)
    services.span_delete(span=mention, version=mention.version, user=editor)
    assert not selectors.orphaned_spans(article=article).exists()


def test_a_rejected_suggestion_stays_rejected_when_re_placed(db):
    report = article_import(name="a.txt", data=b"Title\n\nOne two three.\n\nFour five six.\n")
    article = Article.objects.get(pk=report.article_id)
    span, _ = services.span_create(
        article=article, kind="quote", text="Four five six.", status=SpanStatus.SUGGESTED
    )
    span = services.span_reject(span=span)
    article_revise(article=article, text="Title\n\nOne two three.\n")
    span.refresh_from_db()
    assert span.status == SpanStatus.ORPHANED
    article_revise(article=Article.objects.get(), text="Title\n\nOne two three.\n\nFour five.\n")
    span.refresh_from_db()
    assert span.status == SpanStatus.ORPHANED, "an orphan waits for an editor"
    article.refresh_from_db()
    span = services.span_update(span=span, text="Four five.")
    assert span.status == SpanStatus.REJECTED


def test_swapped_paragraphs_swap_their_spans_without_a_clash(db):
    report = article_import(name="s.txt", data=b"T\n\nAlpha beta gamma.\n\nDelta epsilon.\n")
    article = Article.objects.get(pk=report.article_id)
    first, _ = services.span_create(article=article, kind="quote", text="Alpha beta gamma.")
    second, _ = services.span_create(article=article, kind="quote", text="Delta epsilon.")
    revised = article_revise(article=article, text="T\n\nDelta epsilon.\n\nAlpha beta gamma.\n")
    assert revised.spans.moved == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.start, second.start) == (16, 0)
    assert first.status == second.status == SpanStatus.ACCEPTED


def test_revise_to_another_articles_text_is_refused(db):
    article_import(name="a.txt", data=b"A\n\nFirst.\n")
    report = article_import(name="b.txt", data=b"B\n\nSecond.\n")
    with pytest.raises(ValidationError, match="already article"):
        article_revise(article=Article.objects.get(pk=report.article_id), text="A\n\nFirst.\n")
    assert not ArticleRevision.objects.exists()


def test_revise_needs_text_or_data(article):
    with pytest.raises(ValidationError, match="as a file or as text"):
        article_revise(article=article)
    with pytest.raises(ValidationError, match="only white space"):
        article_revise(article=article, text="  \n ")


# --- the admin's "Replace text" ---------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_replace_text_makes_a_revision(admin_client, annotated):
    article, spans, _ = annotated
    url = reverse("admin:articles_article_replace_text", args=[article.pk])
    change = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert url in change.content.decode()

    form = admin_client.get(url)
    assert form.status_code == 200
    assert form.context["form"]["text"].value().startswith(article.title)

    text = form.context["form"]["text"].value().replace("all the precautions", "every precaution")
    response = admin_client.post(url, {"text": text}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "revision 2:" in page
    assert "0 orphaned" in page
    article.refresh_from_db()
    assert article.revision == 2
    assert Span.objects.get(pk=spans["word"].pk).text.endswith(
        "every precaution it can, just as we would"
    )


def test_admin_replace_text_shows_problems(admin_client, article):
    url = reverse("admin:articles_article_replace_text", args=[article.pk])
    response = admin_client.post(url, {"text": ""})
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    response = admin_client.post(url, {"text": "Only a title\n"})
    assert "has a title but no body text" in response.content.decode()
    article.refresh_from_db()
    assert article.revision == 1


def test_admin_replace_text_is_closed_to_editors(client, editor, article):
    client.force_login(editor)
    url = reverse("admin:articles_article_replace_text", args=[article.pk])
    assert client.get(url).status_code == 302  # to the admin login
