"""A corrected article in a real browser: a changed file imported again (same name) moves or
orphans its annotations; the editor re-places an orphan on new text, and brings back a
deleted annotation from the article's history."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from annotations import services
from annotations.models import HistoryAction, HistoryEntry, Span, SpanKind, SpanStatus
from articles import services as article_services
from articles import sources
from articles.models import Article
from tests.browser.conftest import sign_in_with_cookie
from tests.browser.test_workspace import select_with_mouse
from tests.factories import EditorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = Path(settings.BASE_DIR) / "seeds" / "000_4c6accdc8b3529ad.txt"
PRECAUTIONS = "We know that Israel will take all the precautions it can"
ISIS = (
    "Not since Isis have we seen this kind of depravity and we will continue to stand "
    "resolutely against it."
)


def import_file(data: bytes, user) -> Article:
    [report] = article_services.articles_import(
        files=[sources.SourceFile(SEED.name, data=data)], imported_by=user
    )
    assert report.ok, report.message
    return Article.objects.get(pk=report.article_id)


def span_on(article: Article, kind: str, text: str, **links) -> Span:
    start = article.body.index(text)
    span, _ = services.span_create(
        article=article, kind=kind, start=start, end=start + len(text), **links
    )
    return span


def test_a_corrected_article_keeps_every_annotation(page, live_server, screenshot):
    editor = EditorFactory()
    original = SEED.read_bytes()
    article = import_file(original, editor)
    blinken = services.entity_create(name="Antony Blinken", kind="PERSON")
    hezbollah = services.entity_create(name="Hezbollah", kind="ORG")
    precautions = span_on(article, SpanKind.QUOTE, PRECAUTIONS, speaker=blinken)
    isis = span_on(article, SpanKind.QUOTE, ISIS, speaker=blinken)
    mention = span_on(article, SpanKind.MENTION, "Hezbollah", entity=hezbollah)

    # The outlet corrects the article: a paragraph inserted near the top, a word changed
    # inside a quote, and a quoted paragraph removed.
    text = original.decode("utf-8")
    text = text.replace(
        "The secretary of state became",
        "Correction: an earlier version misstated the date of the visit.\n\n"
        "The secretary of state became",
    )
    text = text.replace("take all the precautions it can", "take every precaution it can")
    text = text.replace(f"‘{ISIS}\n", "")
    revised = import_file(text.encode("utf-8"), editor)
    assert revised.pk == article.pk
    assert revised.revision == 2
    for span in (precautions, isis, mention):
        span.refresh_from_db()
    # Its words changed: back in review, the accepted words kept beside the new ones.
    assert precautions.status == SpanStatus.SUGGESTED
    assert precautions.revised_from.startswith("We know that Israel will take all the precautions")
    assert precautions.text.startswith("We know that Israel will take every precaution it can")
    assert isis.status == SpanStatus.ORPHANED
    assert revised.body[mention.start : mention.end] == "Hezbollah"

    sign_in_with_cookie(page.context, live_server, editor)
    page.goto(f"/articles/{article.pk}/")
    expect(page.locator(".article-head .meta")).to_contain_text("revision 2")
    assert page.locator("#article-text").evaluate("e => e.textContent") == revised.body
    moved = page.locator(f'mark[data-span-id="{precautions.pk}"]')
    expect(moved.first).to_contain_text("take every precaution it can")
    review = page.locator(f'#suggestions [data-suggestion="{precautions.pk}"]')
    expect(review).to_contain_text("changed")
    expect(review.locator("del")).to_contain_text("take all the precautions it can")
    expect(page.locator(f'mark[data-span-id="{isis.pk}"]')).to_have_count(0)
    orphans = page.locator("#orphans")
    expect(orphans).to_contain_text("Orphaned annotations")
    expect(orphans.locator(".orphan")).to_have_count(1)
    expect(orphans.locator(".orphan")).to_contain_text("Not since Isis have we seen")
    expect(orphans.locator(".orphan")).to_contain_text("Antony Blinken")
    screenshot("workspace-orphans", full_page=False)

    # Re-place the orphan: Re-place…, select its new text, "Re-place here".
    orphans.get_by_role("button", name="Re-place…").click()
    expect(page.locator("#replace-bar")).to_be_visible()
    target = "And we will always stand resolutely against terrorism."
    start = revised.body.index(target)
    select_with_mouse(page, start, start + len(target))
    here = page.locator("#selection-toolbar [data-replace-here]")
    expect(here).to_be_visible()
    expect(page.locator("#selection-toolbar [data-new-kind=quote]")).to_be_hidden()
    here.click()
    expect(page.locator("#orphans")).to_have_count(0)
    expect(page.locator(f'mark[data-span-id="{isis.pk}"]').first).to_have_text(target)
    isis.refresh_from_db()
    assert (isis.status, isis.start, isis.text) == ("accepted", start, target)
    assert isis.speaker == blinken

    # Delete the mention (with its confirmation step), then restore it from the history.
    page.locator(f'mark[data-span-id="{mention.pk}"]').first.click()
    expect(page.locator("#annotation-form .badge")).to_have_text("Mention")
    page.locator("#annotation-form").get_by_role("button", name="Delete…").click()
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.locator(f'mark[data-span-id="{mention.pk}"]')).to_have_count(0)
    expect(page.locator("#workspace-status")).to_contain_text("History can restore it")
    assert not Span.objects.filter(pk=mention.pk).exists()

    page.locator(".tools").get_by_role("link", name="History").click()
    expect(page.locator("h1")).to_contain_text("History")
    revisions = page.locator(".revisions")
    expect(revisions).to_contain_text("Revision 2")
    expect(revisions).to_contain_text("1 orphaned")
    rows = page.locator(".history-row")
    expect(rows.filter(has_text="Orphaned by a revision")).to_have_count(1)
    expect(rows.filter(has_text="Words changed by a revision")).to_have_count(1)
    deleted = rows.filter(has=page.locator(".action-deleted")).filter(has_text="Hezbollah")
    expect(deleted).to_have_count(1)
    expect(deleted).to_contain_text("Entity")  # the previous values it had
    screenshot("article-history", full_page=False)
    deleted.get_by_role("button", name="Restore").click()
    expect(deleted.locator(".ok")).to_have_text("Restored")
    restored = Span.objects.get(pk=mention.pk)
    assert (restored.text, restored.entity_id) == ("Hezbollah", hezbollah.pk)
    assert HistoryEntry.objects.filter(object_id=mention.pk, action=HistoryAction.RESTORED)

    deleted.get_by_role("link", name="Show it").click()
    expect(page.locator(f'mark[data-span-id="{mention.pk}"]').first).to_have_class(
        re.compile("flash")
    )
