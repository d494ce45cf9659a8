"""Reviewing suggestions in a real browser, on the real seeds imported through the importer:
Suggest, accept and reject (mouse and keyboard), accept all of a kind, persistence, no
returning rejects, the same quote in another outlet with its word diff, duplicate entities."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from annotations import suggesting
from annotations.models import Entity, Span, SpanKind, SpanStatus
from articles import services as article_services
from articles import sources
from articles.models import Article
from tests.browser.conftest import sign_in_with_cookie
from tests.browser.test_csp import violations, watch_violations
from tests.factories import EditorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEEDS = Path(settings.BASE_DIR) / "seeds"
DAILY = "000_4c6accdc8b3529ad.txt"  # Daily Mail: "We have their back today, we’ll have it …"
WION = "001_85bd4fbd7aa182c2.txt"  # WION: "We have their back today. We’ll have it …"


def import_seeds(user) -> dict[str, Article]:
    files = sources.from_paths([SEEDS / DAILY, SEEDS / WION], article_services.import_limits())
    reports = article_services.articles_import(files=list(files), imported_by=user)
    assert all(r.ok for r in reports), [r.message for r in reports]
    return {r.name: Article.objects.get(pk=r.article_id) for r in reports}


def mark(page, span: Span):
    return page.locator(f'#article-text mark[data-span-id="{span.pk}"]').first


def quote_at(article: Article, start_text: str) -> Span:
    return Span.objects.get(article=article, kind=SpanKind.QUOTE, text__startswith=start_text)


def test_editor_reviews_the_suggestions_of_a_seed(page, live_server, screenshot):
    editor = EditorFactory()
    seeds = import_seeds(editor)
    daily, wion = seeds[DAILY], seeds[WION]
    suggesting.article_suggest(article=wion, user=editor)  # the other outlet's quotes exist
    sign_in_with_cookie(page.context, live_server, editor)
    console = watch_violations(page)
    page.goto(f"/articles/{daily.pk}/")
    expect(page.locator("#article-text")).to_be_visible()
    expect(page.locator("#article-text mark")).to_have_count(0)

    # Suggest: dashed highlights, a status line, the review list by kind.
    page.get_by_role("button", name="Suggest").click()
    status = page.locator("#workspace-status")
    expect(status).to_contain_text("new suggestions")
    made = Span.objects.filter(article=daily, status=SpanStatus.SUGGESTED)
    expect(page.locator("#article-text mark.is-suggested.is-first")).to_have_count(made.count())
    expect(page.locator("#suggestions details[data-kind]")).to_have_count(3)
    assert page.locator("#article-text").evaluate("e => e.textContent") == daily.body
    dashed = mark(page, made.filter(kind=SpanKind.QUOTE).first())
    expect(dashed).to_have_css("border-bottom-style", "dashed")
    screenshot("suggestions-review", full_page=False)

    # Accept one quote with its speaker, from its panel entry (opens the popover).
    vatanka = quote_at(daily, "The attack by Hamas is a reminder")
    page.locator(f'#suggestions button[data-jump-to="{vatanka.pk}"]').click()
    form = page.locator("#annotation-form")
    expect(form.locator(".suggest-note")).to_contain_text("Suggested speaker: Alex Vatanka")
    expect(page.locator("#id_speaker_name")).to_have_value("Alex Vatanka")
    screenshot("suggestion-quote-popover", full_page=False)
    form.get_by_role("button", name="Accept").click()
    expect(status).to_have_text("Accepted quote — Alex Vatanka.")
    vatanka.refresh_from_db()
    assert (vatanka.status, vatanka.speaker.name) == ("accepted", "Alex Vatanka")
    expect(mark(page, vatanka)).not_to_have_class(re.compile("is-suggested"))
    expect(page.locator("#side-panel")).to_contain_text("Alex Vatanka")

    # Change a suggested speaker before accepting: the typed name picks or makes the person.
    biden_quote = quote_at(daily, "We will reiterate the very strong message")
    mark(page, biden_quote).click()
    speaker = page.locator("#id_speaker_name")
    expect(speaker).to_have_value("Anthony Blinken")
    speaker.fill("")
    speaker.press_sequentially("Antony Blinken", delay=5)
    expect(page.locator("input[name=speaker][value=new]")).to_be_checked()
    page.locator("#annotation-form").get_by_role("button", name="Accept").click()
    expect(status).to_contain_text("Accepted quote — Antony Blinken.")

    # Keyboard: r on a focused suggestion rejects it, and focus moves to the next one.
    critics = quote_at(daily, "the unprovoked attack is a symptom")
    mark(page, critics).focus()
    page.keyboard.press("r")
    expect(status).to_contain_text("Rejected")
    critics.refresh_from_db()
    assert critics.status == SpanStatus.REJECTED
    expect(page.locator(f'mark[data-span-id="{critics.pk}"]')).to_have_count(0)
    # The workspace moves the focus once the new article text has settled (htmx:afterSettle).
    focused = page.locator("#article-text mark.hl.is-suggested:focus")
    expect(focused, "focus moves on to the next suggestion").to_have_count(1)
    following = int(focused.get_attribute("data-span-id"))
    page.keyboard.press("a")
    expect(page.locator(f'mark[data-span-id="{following}"].is-suggested')).to_have_count(0)
    expect(page.locator(f'#suggestions [data-suggestion="{following}"]')).to_have_count(0)
    assert Span.objects.get(pk=following).status == SpanStatus.ACCEPTED

    # Accept every mention at once.
    mentions = page.locator('#suggestions details[data-kind="mention"]')
    mentions.get_by_role("button", name=re.compile(r"^Accept all \d+$")).click()
    # One request accepts ~80 mentions and creates their entities: it can take a few seconds on
    # a busy 2-core machine, so wait for the panel longer than expect's default 5 s.
    expect(mentions).to_have_count(0, timeout=15_000)
    assert not Span.objects.filter(article=daily, kind="mention", status="suggested").exists()
    accepted = Span.objects.filter(article=daily, kind="mention", status="accepted")
    assert accepted.count() > 50
    assert not accepted.filter(entity__isnull=True).exists()

    # Reload: everything decided stays decided.
    page.reload()
    expect(mark(page, vatanka)).to_be_visible()
    expect(page.locator(f'mark[data-span-id="{critics.pk}"]')).to_have_count(0)
    expect(page.locator('#article-text mark[data-kind="mention"].is-suggested')).to_have_count(0)
    expect(page.locator('#article-text mark[data-kind="mention"].is-first')).to_have_count(
        accepted.count()
    )

    # Suggest again: the rejected quote does not come back, nothing is duplicated.
    before = Span.objects.filter(article=daily).count()
    page.get_by_role("button", name="Suggest").click()
    expect(status).to_contain_text("rejected before, not offered again")
    assert not Span.objects.filter(
        article=daily, kind="quote", start=critics.start, status="suggested"
    ).exists()
    assert Span.objects.filter(article=daily).count() == before

    # The side panel stays in view while the article scrolls.
    # wheel() returns before the page has scrolled: wait for the scroll, then for the panel.
    page.mouse.wheel(0, 2500)
    page.wait_for_function("() => window.scrollY > 1000")
    page.wait_for_function(
        "() => (t => 0 <= t && t <= 20)("
        "document.getElementById('side-panel').getBoundingClientRect().top)"
    )
    assert violations(page, console) == []


def test_accept_all_refreshes_the_panel_that_was_replaced_while_it_ran(page, live_server):
    """A panel refresh can replace the Accept all button while its request is in flight (a
    refresh queued by the decision before). The answer's spans-changed must still reach the
    panel: once it fired on the detached button, and the panel kept showing the accepted
    suggestions until a reload."""
    editor = EditorFactory()
    daily = import_seeds(editor)[DAILY]
    suggesting.article_suggest(article=daily, user=editor)
    sign_in_with_cookie(page.context, live_server, editor)
    page.goto(f"/articles/{daily.pk}/")
    mentions = page.locator('#suggestions details[data-kind="mention"]')
    expect(mentions).to_have_count(1)

    held = []  # the Accept all request, held back until the panel has been replaced
    page.route("**/suggestions/mention/accept/", lambda route: held.append(route))
    mentions.get_by_role("button", name=re.compile(r"^Accept all \d+$")).click()
    in_flight = page.locator("#suggestions button.accept.htmx-request")
    expect(in_flight).to_have_count(1)

    page.evaluate("() => htmx.trigger(document.body, 'spans-changed')")
    expect(in_flight).to_have_count(0)  # a fresh panel, a fresh button
    expect(mentions).to_have_count(1)  # nothing was accepted yet
    # Every request passes the interception in order: the refresh is back, so the POST is held.
    assert len(held) == 1
    held[0].continue_()

    expect(mentions).to_have_count(0, timeout=15_000)
    expect(page.locator('#article-text mark[data-kind="mention"].is-suggested')).to_have_count(0)
    assert not Span.objects.filter(article=daily, kind="mention", status="suggested").exists()


def test_the_same_quote_in_another_outlet_with_its_word_diff(page, live_server, screenshot):
    editor = EditorFactory()
    seeds = import_seeds(editor)
    daily, wion = seeds[DAILY], seeds[WION]
    for article in (daily, wion):
        suggesting.article_suggest(article=article, user=editor, kinds=["quote"])
    ours = quote_at(daily, "We have their back today, we’ll have it tomorrow")
    sign_in_with_cookie(page.context, live_server, editor)
    page.goto(f"/articles/{daily.pk}/")
    mark(page, ours).click()

    matches = page.locator("#quote-matches")
    expect(matches.locator(".match")).to_have_count(1)
    match = matches.locator(".match")
    expect(match.locator(".match-title")).to_have_text(wion.title)
    expect(match.locator(".score")).to_have_text(re.compile(r"^\d{2,3}%$"))
    expect(match.locator(".match-speaker")).to_contain_text("Antony Blinken")
    # The Daily Mail's "…tomorrow, and we’ll have it every day" against WION's
    # "…tomorrow. We will have it every day", as printed: punctuation and "and we’ll" →
    # "We will" show; ignoring case, punctuation and contractions only "and" differs.
    expect(match.locator(".diff del").filter(has_text="and we’ll")).to_have_count(1)
    expect(match.locator(".diff ins").filter(has_text="We will")).to_have_count(1)
    expect(match.locator(".diff-normalised del")).to_have_text(["and"])
    expect(match.locator(".diff-normalised")).to_contain_text(
        "we have their back today we will have it"
    )
    screenshot("quote-matches", full_page=False)

    # The title leads to that quote in the other article.
    theirs = Span.objects.get(article=wion, kind="quote", text__contains="We have their back")
    link = match.locator(".match-title")
    assert link.get_attribute("href") == f"/articles/{wion.pk}/#span-{theirs.pk}"
    link.click()
    expect(page.locator(f'mark[data-span-id="{theirs.pk}"]').first).to_have_class(
        re.compile("flash")
    )


def test_editor_merges_likely_duplicate_entities(page, live_server, screenshot):
    editor = EditorFactory()
    seeds = import_seeds(editor)
    for article in seeds.values():
        suggesting.article_suggest(article=article, user=editor, kinds=["mention"])
        suggesting.suggestions_accept_all(article=article, kind="mention", user=editor)
    anthony = Entity.objects.get(name="Anthony Blinken")
    antony = Entity.objects.get(name="Antony Blinken")
    uses = Span.objects.filter(entity__in=[anthony, antony]).count()
    sign_in_with_cookie(page.context, live_server, editor)
    page.goto("/entities/")
    row = page.locator("#duplicates .dup-row", has_text="Anthony Blinken")
    expect(row).to_contain_text("Antony Blinken")
    row.get_by_role("button", name=re.compile("^Merge")).click()
    confirm = page.locator("#duplicates .dup-row.confirming")
    expect(confirm).to_contain_text("which one do you keep?")
    keep = page.locator("strong", has_text=re.compile("^Antony Blinken$"))
    confirm.locator("label.merge-option").filter(has=keep).locator("input").check()
    screenshot("entities-merge-confirm", full_page=False)
    confirm.get_by_role("button", name="Merge").click()
    expect(page.locator("#duplicates")).to_contain_text(
        "Merged “Anthony Blinken” into Antony Blinken"
    )
    assert not Entity.objects.filter(pk=anthony.pk).exists()
    assert Span.objects.filter(entity=antony).count() == uses
    assert antony.aliases.filter(name="Anthony Blinken").exists()
    screenshot("entities-duplicates", full_page=False)
