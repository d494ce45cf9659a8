"""A revision that changes the words of an accepted quote or claim sends it back to review,
with the accepted words kept beside the new ones: in the span, the history, the workspace,
the article list's "to review" count and the API (`revised` filter)."""

import io

import pytest
from django.core.management import call_command

from annotations import services
from annotations.models import HistoryAction, HistoryEntry, Span, SpanKind, SpanStatus
from articles.models import Article
from tests.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
TITLE = "Storm damage"
OLD = (
    "The storm hit the coast on Monday.\n\n"
    "“The wave hit the harbour wall with enormous force,” said harbour master Ann Lee.\n\n"
    "Officials said 3,000 homes lost power during the night."
)
# "hit" → "struck" inside the quote; the claim's words change too; the mention does not.
NEW = (
    "The storm hit the coast on Monday.\n\n"
    "“The wave struck the harbour wall with enormous force,” said harbour master Ann Lee.\n\n"
    "Officials said 30,000 homes lost power during the night."
)
QUOTE = "The wave hit the harbour wall with enormous force"
CLAIM = "3,000 homes lost power during the night"


@pytest.fixture
def revised(tmp_path, editor):
    """An article with an accepted quote, claim and mention, then its corrected file
    imported through the command: (article, quote, claim, mention)."""
    path = tmp_path / "storm.txt"
    path.write_text(f"{TITLE}\n\n{OLD}\n")
    call_command("import_articles", str(path), stdout=io.StringIO())
    article = Article.objects.get()
    lee = EntityFactory(name="Ann Lee")
    quote, _ = services.span_create(
        article=article, kind=SpanKind.QUOTE, text=QUOTE, speaker=lee, user=editor
    )
    claim, _ = services.span_create(article=article, kind=SpanKind.CLAIM, text=CLAIM, user=editor)
    mention, _ = services.span_create(
        article=article, kind=SpanKind.MENTION, text="Ann Lee", entity=lee, user=editor
    )
    path.write_text(f"{TITLE}\n\n{NEW}\n")
    out = io.StringIO()
    call_command("import_articles", str(path), stdout=out)
    assert "storm.txt: revised — revision 2: 0 annotations kept, 3 moved, 0 orphaned" in (
        out.getvalue()
    )
    assert "2 accepted quotes or claims changed words: back to review" in out.getvalue()
    for span in (quote, claim, mention):
        span.refresh_from_db()
    return article, quote, claim, mention


def test_changed_words_go_back_to_review_with_the_old_text(revised):
    article, quote, claim, mention = revised
    assert (quote.status, quote.revised_from, quote.text) == (
        SpanStatus.SUGGESTED,
        QUOTE,
        "The wave struck the harbour wall with enormous force",
    )
    assert quote.speaker.name == "Ann Lee"  # the link stays, for the reviewer to confirm
    assert (claim.status, claim.revised_from) == (SpanStatus.SUGGESTED, CLAIM)
    assert claim.text == "30,000 homes lost power during the night"
    assert claim.claim_id is not None
    assert (mention.status, mention.revised_from) == (SpanStatus.ACCEPTED, "")
    assert article.revisions.get().report["to_review"] == 2


def test_history_keeps_the_change(revised):
    _, quote, *_ = revised
    entry = HistoryEntry.objects.filter(object_id=quote.pk, action=HistoryAction.CHANGED).get()
    assert entry.before["text"] == QUOTE
    assert entry.before["status"] == SpanStatus.ACCEPTED
    assert entry.after["text"] == quote.text
    assert entry.after["revised_from"] == QUOTE
    assert entry.after["status"] == SpanStatus.SUGGESTED


def test_article_history_page_shows_the_change(editor_client, revised):
    article, *_ = revised
    content = editor_client.get(f"/articles/{article.pk}/history/").content.decode()
    assert "Words changed by a revision" in content
    assert "Accepted text" in content


def test_workspace_and_span_form_show_old_and_new_words(editor_client, revised):
    article, quote, *_ = revised
    page = editor_client.get(f"/articles/{article.pk}/").content.decode()
    assert "Quote with words changed by a revision — Ann Lee" in page
    assert f"was <del>{QUOTE}</del>" in page
    form = editor_client.get(f"/spans/{quote.pk}/", **HX).content.decode()
    assert "A revision of the article changed the words of this quote" in form
    assert f"Accepted: <del>{QUOTE}</del>" in form
    assert "Now: <ins>The wave struck the harbour wall with enormous force</ins>" in form


def test_article_list_counts_them_to_review(editor_client, revised):
    article, *_ = revised
    response = editor_client.get("/", {"unreviewed": "on"})
    [row] = list(response.context["page"])
    assert (row.pk, row.suggested_count, row.quote_count, row.claim_count) == (article.pk, 2, 1, 1)


def test_api_filters_and_shows_them(editor_api, revised):
    article, quote, claim, mention = revised
    changed = editor_api.get("/api/spans/", {"revised": "true", "article": article.pk}).json()
    assert {row["id"]: row["revised_from"] for row in changed["results"]} == {
        quote.pk: QUOTE,
        claim.pk: CLAIM,
    }
    others = editor_api.get("/api/spans/", {"revised": "false", "article": article.pk}).json()
    assert [row["id"] for row in others["results"]] == [mention.pk]
    # Read-only: a client cannot clear the flag by writing it.
    response = editor_api.patch(
        f"/api/spans/{quote.pk}/", {"revised_from": "", "version": quote.version}, format="json"
    )
    assert response.status_code == 200
    quote.refresh_from_db()
    assert quote.revised_from == QUOTE


def test_accepting_the_new_words_clears_the_flag_and_is_recorded(editor_client, revised):
    _, quote, *_ = revised
    response = editor_client.post(f"/spans/{quote.pk}/accept/", {"version": quote.version}, **HX)
    assert response.status_code == 200
    quote.refresh_from_db()
    assert (quote.status, quote.revised_from) == (SpanStatus.ACCEPTED, "")
    entry = HistoryEntry.objects.filter(object_id=quote.pk).order_by("-id").first()
    assert entry.action == HistoryAction.ACCEPTED
    assert (entry.before["revised_from"], entry.after["revised_from"]) == (QUOTE, "")


def test_rejecting_clears_the_flag(editor_client, revised):
    article, _, claim, _ = revised
    response = editor_client.post(f"/articles/{article.pk}/suggestions/claim/reject/", {}, **HX)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.status, claim.revised_from) == (SpanStatus.REJECTED, "")


def test_unchanged_words_stay_accepted_when_moved(editor):
    """A paragraph inserted before the quote moves it; its words are the same: no review."""
    user = UserFactory()
    article = Article.objects.create(
        title=TITLE, body=OLD, original=OLD, content_hash="a" * 64, source_file="s.txt"
    )
    quote, _ = services.span_create(article=article, kind=SpanKind.QUOTE, text=QUOTE, user=user)
    from articles.services import article_revise

    article_revise(article=article, text=f"{TITLE}\n\nA new first paragraph.\n\n{OLD}\n")
    quote.refresh_from_db()
    assert (quote.status, quote.revised_from, quote.text) == (SpanStatus.ACCEPTED, "", QUOTE)
    assert Span.objects.filter(status=SpanStatus.SUGGESTED).count() == 0
