"""Two people on one article, in two Chromium contexts: each sees the other in the header,
each sees the other's changes within 5 s without a reload, and a form being filled in is
never overwritten (a notice says what changed; it applies once the form closes)."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from annotations import freshness, services
from annotations.models import Claim, Span, SpanKind, SpanStatus
from tests import factories
from tests.browser.conftest import SCREENSHOTS, sign_in_with_cookie, wait_until_htmx_is_idle
from tests.browser.test_workspace import select_with_mouse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOON = 5000  # ms: "within 5 s" (the page asks every 3 s)


def _page(browser, live_server, user):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(8000)
    sign_in_with_cookie(context, live_server, user)
    return context, context.new_page()


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def test_two_editors_see_each_other_and_each_others_changes(browser, live_server, roles):
    article = factories.ArticleFactory(title="Bridge to reopen in May")
    body = article.body
    alice = factories.EditorFactory(username="alice")
    bob = factories.EditorFactory(username="bob")
    suggested, _ = services.span_create(
        article=article,
        kind=SpanKind.QUOTE,
        text="We will have it open by May,",
        status=SpanStatus.SUGGESTED,
        origin="quotes",
    )
    contexts = []
    try:
        alice_context, a = _page(browser, live_server, alice)
        bob_context, b = _page(browser, live_server, bob)
        contexts += [alice_context, bob_context]
        for page in (a, b):
            page.goto(f"/articles/{article.pk}/")
            expect(page.locator("#article-text")).to_be_visible()

        # Each sees the other in the header, never themselves.
        expect(a.locator("#presence")).to_have_text("Also here: bob")
        expect(b.locator("#presence")).to_have_text("Also here: alice")

        # 1. Bob accepts the suggestion: Alice's text and panel show it, without a reload.
        mark = f'#article-text mark.is-first[data-span-id="{suggested.pk}"]'
        expect(a.locator(mark)).to_have_class(re.compile("is-suggested"))
        b.locator(mark).focus()
        b.keyboard.press("a")
        expect(b.locator(mark)).not_to_have_class(re.compile("is-suggested"))
        expect(a.locator(mark)).not_to_have_class(re.compile("is-suggested"), timeout=SOON)
        expect(a.locator("#side-panel")).not_to_contain_text("Suggestions", timeout=SOON)
        expect(a.locator("#fresh-notice [data-fresh-message]")).to_have_text(
            "Updated: bob changed this article."
        )
        _shot(a, "freshness-updated")

        # 2. Alice is writing a claim when Bob adds one: her typed text stays, a notice says
        # what happened, and her text is redrawn only when she is done.
        start = body.index("the bridge would reopen")
        select_with_mouse(a, start, start + len("the bridge would reopen"))
        a.keyboard.press("c")
        statement = a.locator("#id_claim_text")
        expect(statement).to_be_focused()
        typed = "The bridge reopens in May, says Jane Doe."
        statement.fill(typed)

        theirs = body.index("1,200 people use it daily")
        select_with_mouse(b, theirs, theirs + len("1,200 people use it daily"))
        b.keyboard.press("c")
        b.get_by_role("button", name="Save claim").click()
        expect(b.locator('#article-text mark[data-kind="claim"]')).to_have_count(1)

        notice = a.locator("#fresh-notice")
        expect(notice).to_contain_text("bob changed this article", timeout=SOON)
        expect(notice.get_by_role("button", name="Refresh now")).to_be_visible()
        # The notice shows because the redraw waits for her form: the claim is not drawn yet.
        expect(a.locator('#article-text mark[data-kind="claim"]')).to_have_count(0)
        expect(statement).to_have_value(typed)
        expect(statement).to_be_focused()
        _shot(a, "freshness-pending")

        a.get_by_role("button", name="Save claim").click()
        expect(a.locator('#article-text mark[data-kind="claim"]')).to_have_count(2)
        expect(notice.get_by_role("button", name="Refresh now")).to_be_hidden()
        assert Claim.objects.filter(text=typed).exists()
        # Bob sees Alice's claim in turn.
        expect(b.locator('#article-text mark[data-kind="claim"]')).to_have_count(2, timeout=SOON)
        expect(b.locator("#side-panel")).to_contain_text(typed, timeout=SOON)

        # 3. A pending update applies by itself once the form closes (Esc).
        wait_until_htmx_is_idle(a)
        first = body.index("Jane Doe")
        select_with_mouse(a, first, first + len("Jane Doe"))
        a.keyboard.press("m")
        a.locator("#id_entity_name").press_sequentially("Jane", delay=10)
        bobs = Span.objects.get(claim__text="1,200 people use it daily")
        services.span_delete(span=bobs, user=bob)
        expect(notice).to_contain_text("bob changed this article", timeout=SOON)
        expect(a.locator("#id_entity_name")).to_have_value("Jane")
        expect(a.locator('#article-text mark[data-kind="claim"]')).to_have_count(2)
        a.keyboard.press("Escape")
        expect(a.locator('#article-text mark[data-kind="claim"]')).to_have_count(1, timeout=SOON)
        expect(notice.locator("[data-fresh-message]")).to_have_text(
            "Updated: bob changed this article."
        )
    finally:
        for context in contexts:
            context.close()


def test_a_viewer_sees_changes_and_is_listed(browser, live_server, roles):
    article = factories.ArticleFactory()
    vera = factories.ViewerFactory(username="vera")
    ed = factories.EditorFactory(username="ed")
    context, page = _page(browser, live_server, vera)
    try:
        page.goto(f"/articles/{article.pk}/")
        expect(page.locator("#article-text")).to_be_visible()
        # Ed's page polls once (here through Django's test client): Vera sees him.
        ed_client = Client()
        ed_client.force_login(ed)
        assert ed_client.get(f"/articles/{article.pk}/fresh/").status_code == 200
        expect(page.locator("#presence")).to_have_text("Also here: ed", timeout=SOON)
        span, _ = services.span_create(
            article=article, kind=SpanKind.CLAIM, text="the bridge would reopen", user=ed
        )
        expect(page.locator(f'#article-text mark[data-span-id="{span.pk}"]')).to_have_count(
            1, timeout=SOON
        )
        expect(page.locator("#fresh-notice [data-fresh-message]")).to_have_text(
            "Updated: ed changed this article."
        )
        # Ed's page stops asking (he left): he drops out of the header within 30 s.
        gone = (freshness.PRESENCE_SECONDS + 2 * freshness.POLL_SECONDS) * 1000
        expect(page.locator("#presence")).to_have_text("", timeout=gone)
    finally:
        context.close()
