"""The team path in Chromium, with a page per person: blind assignment from the article list →
two people annotate in private layers → the agreement page shows the numbers → a reviewer
curates → the shared layer holds the result → an @mention reaches the other user's header →
the review queue empties."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from annotations import services, team_services
from annotations.models import Assignment, Span
from newsdesk.roles import REVIEWERS
from tests import factories
from tests.browser.conftest import SCREENSHOTS, sign_in_with_cookie
from tests.browser.test_workspace import select_with_mouse

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


# --- the whole path, through the UI (issue 16, "Done when") ------------------------------------

PATH_BODY = (
    "The mayor said “the bridge will reopen in May” at noon. "
    "Critics replied “it is far too late” on Monday. "
    "Springfield residents were relieved."
)


def _page_for(browser, live_server, user):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(10000)
    sign_in_with_cookie(context, live_server, user)
    return context, context.new_page()


def _annotate(page, kind: str, text: str, entity, marks: int) -> None:
    """Select `text` with the mouse, press Q or M, pick the existing entity, save."""
    start = PATH_BODY.index(text)
    select_with_mouse(page, start, start + len(text))
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press("q" if kind == "quote" else "m")
    field = page.locator("#id_speaker_name" if kind == "quote" else "#id_entity_name")
    expect(field).to_be_focused()
    field.press_sequentially(entity.name, delay=10)
    name = "speaker" if kind == "quote" else "entity"
    expect(page.locator(f'input[name={name}][value="{entity.pk}"]')).to_be_checked()
    page.get_by_role("button", name=f"Save {kind}").click()
    expect(page.locator("#article-text mark.hl.is-first")).to_have_count(marks)
    page.keyboard.press("Escape")
    expect(page.locator("#popover")).to_be_hidden()


def test_the_team_path_from_blind_assignment_to_an_empty_review_queue(browser, live_server, roles):
    """Rita (a reviewer) hands an article to Alice and Bob blind and takes its review; both
    annotate in their own layers without seeing each other; both submit; the agreement page
    shows the numbers; Rita curates; the shared layer holds the result; her @mention reaches
    Alice and Alice's reply reaches her; Rita's review queue is empty."""
    Group.objects.get_or_create(name=REVIEWERS)
    rita = factories.ReviewerFactory(username="rita")
    alice = factories.EditorFactory(username="alice")
    bob = factories.EditorFactory(username="bob")
    quimby = factories.EntityFactory(name="Joe Quimby", kind="PERSON")
    marge = factories.EntityFactory(name="Marge Simpson", kind="PERSON")
    springfield = factories.EntityFactory(name="Springfield", kind="GPE")
    article = factories.ArticleFactory(title="Bridge to reopen in May", body=PATH_BODY)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    contexts, pages = [], {}
    for user in (rita, alice, bob):
        context, page = _page_for(browser, live_server, user)
        contexts.append(context)
        pages[user.username] = page
    try:
        r, a, b = pages["rita"], pages["alice"], pages["bob"]

        # 1. Rita assigns Alice and Bob blind from the article list, and herself the review.
        for people, task, blind, made in (
            ([alice, bob], "annotate", True, "2 assignments made."),
            ([rita], "review", False, "1 assignment made."),
        ):
            r.goto("/")
            r.locator(f'input[name=articles][value="{article.pk}"]').check()
            r.select_option("#id_assignees", [str(p.pk) for p in people])
            r.select_option("#id_task", task)
            r.locator("#id_blind").set_checked(blind)
            r.get_by_role("button", name="Assign").click()
            expect(r.locator(".flash", has_text=made)).to_be_visible()
        layer_a = Assignment.objects.get(assignee=alice, blind=True)
        layer_b = Assignment.objects.get(assignee=bob, blind=True)

        # 2. Both annotate from their queues, each in a private layer, blind to the other.
        for page, spans in (
            (
                a,
                [
                    ("quote", "the bridge will reopen in May", quimby),
                    ("quote", "it is far too late", marge),
                ],
            ),
            (
                b,
                [
                    ("quote", "the bridge will reopen in May", quimby),
                    ("quote", "far too late", quimby),
                    ("mention", "Springfield", springfield),
                ],
            ),
        ):
            page.goto("/queue/")
            page.get_by_role("link", name=article.title).click()
            expect(page.locator("#blind-layer")).to_be_visible()
            for count, (kind, text, entity) in enumerate(spans, start=1):
                _annotate(page, kind, text, entity, marks=count)
        assert Span.objects.filter(layer=layer_a).count() == 2
        assert Span.objects.filter(layer=layer_b).count() == 3
        assert not Span.objects.filter(layer__isnull=True).exists()
        a.reload()  # Alice still sees her two spans only: none of Bob's
        expect(a.locator("#article-text mark.hl.is-first")).to_have_count(2)
        expect(a.locator('#article-text mark[data-kind="mention"]')).to_have_count(0)
        a.screenshot(path=str(SCREENSHOTS / "team-blind-layer.png"))

        for page in (a, b):
            page.goto("/queue/")
            page.get_by_role("button", name="Submit").click()
            expect(page.locator("#queue")).to_contain_text("Nothing assigned to you.")

        # 3. Rita compares the layers from her queue: the agreement page shows the numbers.
        r.goto("/queue/")
        r.get_by_role("link", name="Compare 2 blind layers").click()
        quote = r.locator('#agreement-table tr[data-kind="quote"]')
        expect(quote.locator('[data-figure="exact_f1"]')).to_have_text("0.50")
        expect(quote.locator('[data-figure="overlap_f1"]')).to_have_text("1.00")
        expect(quote.locator('[data-figure="speaker_agreement"]')).to_have_text("0.50")
        # κ over the 31 tokens: both mark 9 as quote, Alice 2 more ("it is"), 20 neither:
        # po = 29/31, pe = (11·9 + 20·22)/31², κ = (899 − 539)/(961 − 539) = 0.853.
        expect(quote.locator('[data-figure="kappa"]')).to_have_text("0.85")
        mention = r.locator('#agreement-table tr[data-kind="mention"]')
        expect(mention.locator('[data-figure="exact_f1"]')).to_have_text("0.00")
        expect(r.locator("#disagreements .disagreement")).to_have_count(2)
        r.screenshot(path=str(SCREENSHOTS / "team-agreement.png"), full_page=True)

        # 4. Rita curates: the agreed quote in one action, take A for the speaker dispute,
        # drop Bob's lone mention.
        r.locator("#to-curate").click()
        r.locator("#merge-agreed").click()
        expect(r.locator("#merged-count")).to_have_text("1")
        dispute = r.locator(".disagreement", has_text="far too late")
        dispute.get_by_role("button", name="Take A").click()
        expect(dispute).to_have_attribute("data-settled", "taken")
        lone = r.locator(".disagreement", has_text="Springfield")
        lone.get_by_role("button", name="Drop").click()
        expect(lone).to_have_attribute("data-settled", "dropped")
        r.screenshot(path=str(SCREENSHOTS / "team-curation.png"), full_page=True)

        # 5. The shared layer holds the result: two approved quotes of origin curation.
        shared = Span.objects.filter(layer__isnull=True, status="accepted").order_by("start")
        assert [(s.text, s.speaker_id, s.origin, s.review_status) for s in shared] == [
            ("the bridge will reopen in May", quimby.pk, "curation", "approved"),
            ("it is far too late", marge.pk, "curation", "approved"),
        ]
        assert Span.objects.get(layer__isnull=True, kind="mention").status == "rejected"
        disputed = shared[1]
        r.goto(f"/articles/{article.pk}/")
        expect(r.locator("#article-text mark.hl.is-first")).to_have_count(2)
        expect(r.locator("#blind-layer")).to_have_count(0)

        # 6. A comment with an @mention reaches Alice; her reply reaches Rita.
        r.locator(f'#article-text mark[data-span-id="{disputed.pk}"]').first.click()
        expect(r.locator("#span-thread")).to_contain_text("No comments yet.")
        r.locator("#id_comment_body").fill("@alice why Marge Simpson? https://example.org/tape")
        r.get_by_role("button", name="Post comment").click()
        expect(r.locator("#span-thread .comment")).to_have_count(1)
        expect(r.locator("#span-thread a[href='https://example.org/tape']")).to_be_visible()
        expect(r.locator(f'mark[data-span-id="{disputed.pk}"].is-last')).to_have_attribute(
            "data-comments", "1"
        )
        r.screenshot(path=str(SCREENSHOTS / "team-comment.png"))

        a.goto("/queue/")
        expect(a.locator("#notification-count")).to_have_text("1")
        b.goto("/queue/")
        expect(b.locator("#notification-count")).to_have_text("0")  # Bob was not mentioned
        a.locator("#notification-count").click()
        expect(a.locator("#notifications")).to_contain_text("why Marge Simpson?")
        a.locator("#notifications a", has_text=f"article {article.pk}").click()
        badge = a.locator(f'#article-text mark[data-span-id="{disputed.pk}"].is-first')
        expect(badge).to_have_attribute("data-comments", "1")
        badge.focus()
        a.keyboard.press("Enter")  # the thread is keyboard reachable: Enter opens the popover
        thread = a.locator("#span-thread")
        expect(thread).to_contain_text("why Marge Simpson?")
        thread.locator("details.reply summary").click()
        thread.locator("details.reply textarea").fill("@rita she says it on the tape")
        thread.locator("details.reply button[type=submit]").click()
        expect(a.locator("#span-thread .comment.depth-1")).to_contain_text("she says it")
        expect(a.locator(f'mark[data-span-id="{disputed.pk}"].is-last')).to_have_attribute(
            "data-comments", "2"
        )

        # 7. Rita's review queue is empty: every shared span has her decision.
        r.goto("/queue/")
        expect(r.locator("#notification-count")).to_have_text("1")
        expect(r.locator("#queue")).to_contain_text("Nothing assigned to you.")
        assert Assignment.objects.get(assignee=rita).status == "done"
    finally:
        for context in contexts:
            context.close()
