"""The team path in Chromium: two blind layers → the agreement page shows the numbers → a
reviewer merges the agreed spans → the shared layer holds them → an @mention reaches the
other user's header, on a second page."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from annotations import services, team_services
from annotations.models import Span
from newsdesk.roles import REVIEWERS
from tests import factories
from tests.browser.conftest import SCREENSHOTS, sign_in_with_cookie

pytestmark = pytest.mark.browser

BODY = "a b c d e f g h i j"


def test_agreement_curation_and_mention_across_two_pages(browser, live_server, roles):
    Group.objects.get_or_create(name=REVIEWERS)
    article = factories.ArticleFactory(title="Council vote on the bridge", body=BODY)
    alice = factories.EditorFactory(username="alice")
    bob = factories.EditorFactory(username="bob")
    rita = factories.ReviewerFactory(username="rita")
    s1, s2, s3 = (factories.EntityFactory(kind="PERSON") for _ in range(3))
    a = team_services.assignment_create(article=article, assignee=alice, blind=True, user=rita)
    b = team_services.assignment_create(article=article, assignee=bob, blind=True, user=rita)
    for user, layer, spans in (
        (alice, a, [(0, 3, s1), (8, 11, s2)]),
        (bob, b, [(0, 3, s1), (10, 13, s3)]),
    ):
        for start, end, speaker in spans:
            services.span_create(
                article=article,
                kind="quote",
                start=start,
                end=end,
                speaker=speaker,
                user=user,
                layer=layer,
            )
        team_services.assignment_submit(assignment=layer, user=user)

    contexts = []
    pages = {}
    for name, user in (("rita", rita), ("alice", alice)):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1400, "height": 900}
        )
        context.set_default_timeout(8000)
        sign_in_with_cookie(context, live_server, user)
        contexts.append(context)
        pages[name] = context.new_page()
    try:
        rita_page, alice_page = pages["rita"], pages["alice"]
        rita_page.goto(f"/articles/{article.pk}/agreement/?assignments={a.pk},{b.pk}")
        quote = rita_page.locator('#agreement-table tr[data-kind="quote"]')
        expect(quote.locator('[data-figure="exact_f1"]')).to_have_text("0.50")
        expect(quote.locator('[data-figure="overlap_f1"]')).to_have_text("1.00")
        expect(quote.locator('[data-figure="speaker_agreement"]')).to_have_text("0.50")
        expect(quote.locator('[data-figure="kappa"]')).to_have_text("0.58")
        expect(rita_page.locator(".disagreement")).to_have_count(1)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        rita_page.screenshot(path=str(SCREENSHOTS / "agreement.png"), full_page=True)

        rita_page.goto(f"/articles/{article.pk}/curate/?assignments={a.pk},{b.pk}")
        rita_page.locator("#merge-agreed").click()
        expect(rita_page.locator("#merged-count")).to_have_text("1")
        assert Span.objects.filter(layer__isnull=True, origin="curation").count() == 1

        alice_page.goto("/queue/")
        expect(alice_page.locator("#notification-count")).to_have_text("0")
        team_services.comment_create(
            article=article, body="@alice your second quote: which speaker?", user=rita
        )
        alice_page.reload()
        expect(alice_page.locator("#notification-count")).to_have_text("1")
        alice_page.locator("#notification-count").click()
        expect(alice_page.locator("#notifications")).to_contain_text("which speaker?")
    finally:
        for context in contexts:
            context.close()
