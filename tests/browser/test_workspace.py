"""What only a browser can prove: mouse selection -> exact offsets, keyboard, nesting, escaping."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from annotations.models import Entity, Span, SpanKind
from articles import services as article_services
from articles import sources
from articles.models import Article
from tests.browser.conftest import (
    after_pending_timers,
    sign_in_with_cookie,
    wait_until_htmx_is_idle,
)
from tests.factories import ArticleFactory, EditorFactory, ViewerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = Path(settings.BASE_DIR) / "seeds" / "001_85bd4fbd7aa182c2.txt"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory

# Scrolls body[start] into the top quarter of the viewport, then returns the client rects of the
# first and last character of body[start:end] (offsets in code points). Scrolling (instantly)
# and measuring in one call means nothing can move the text between the two.
CHAR_RECTS = """
([start, end]) => {
  const root = document.getElementById("article-text");
  function at(cp) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let seen = 0, node;
    while ((node = walker.nextNode())) {
      const chars = Array.from(node.data);
      if (seen + chars.length > cp) {
        const unit = chars.slice(0, cp - seen).join("").length;
        const range = document.createRange();
        range.setStart(node, unit);
        range.setEnd(node, unit + chars[cp - seen].length);
        const r = range.getClientRects()[0];
        return {left: r.left, right: r.right, top: r.top, y: r.top + r.height / 2};
      }
      seen += chars.length;
    }
    throw new Error("offset past the end of the text");
  }
  window.scrollBy({top: at(start).top - window.innerHeight / 4, behavior: "instant"});
  return {first: at(start), last: at(end - 1)};
}
"""


def select_with_mouse(page, start: int, end: int) -> None:
    """Drag from the left edge of body[start] to the right edge of body[end - 1]."""
    wait_until_htmx_is_idle(page)  # nothing will scroll the page while the mouse works
    page.evaluate("() => { history.scrollRestoration = 'manual'; }")
    rects = page.evaluate(CHAR_RECTS, [start, end])
    first, last = rects["first"], rects["last"]
    page.mouse.move(first["left"] + 1, first["y"])
    page.mouse.down()
    page.mouse.move(last["right"] - 1, last["y"], steps=8)
    page.mouse.up()
    # The workspace reads the finished selection in a zero-delay timer after mouseup.
    after_pending_timers(page)


def click_text(page, offset: int) -> None:
    wait_until_htmx_is_idle(page)
    char = page.evaluate(CHAR_RECTS, [offset, offset + 1])["first"]
    page.mouse.click((char["left"] + char["right"]) / 2, char["y"])


def import_seed(user) -> Article:
    limits = article_services.import_limits()
    [report] = article_services.articles_import(
        files=sources.from_paths([SEED], limits), imported_by=user
    )
    assert report.ok, report.message
    return Article.objects.get(pk=report.article_id)


def span_of(kind: str, **filters) -> Span:
    return Span.objects.get(kind=kind, **filters)


def open_workspace(page, article: Article) -> None:
    page.goto(f"/articles/{article.pk}/")
    expect(page.locator("#article-text")).to_be_visible()


def assert_dom_text_is_body(page, article: Article) -> None:
    assert page.locator("#article-text").evaluate("el => el.textContent") == article.body


def test_editor_annotates_the_seed_article(page, live_server, screenshot):
    editor = EditorFactory(username="ed")
    page.goto("/accounts/login/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".account .who")).to_have_text("ed")

    article = import_seed(editor)
    body = article.body
    page.goto("/")
    page.get_by_role("link", name=article.title).click()
    expect(page.locator("#article-text")).to_be_visible()
    assert_dom_text_is_body(page, article)

    # 1. The whole quote inside the curly marks of the paragraph "He further said, …".
    paragraph = body.index("He further said")
    start = body.index("We’re determined", paragraph)
    end = body.index("defend itself.”", start) + len("defend itself.")
    select_with_mouse(page, start, end)
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press("q")
    speaker = page.locator("#id_speaker_name")
    expect(speaker).to_be_focused()
    speaker.press_sequentially("Antony Blinken", delay=10)
    new_person = page.locator("input[name=speaker][value=new]")
    expect(new_person).to_be_checked()
    screenshot("workspace-quote-form", full_page=False)
    page.get_by_role("button", name="Save quote").click()
    expect(page.locator('#article-text mark[data-kind="quote"]')).to_have_count(1)
    expect(page.locator("#side-panel")).to_contain_text("Antony Blinken")

    page.reload()
    quote = span_of(SpanKind.QUOTE)
    assert (quote.start, quote.end) == (start, end)
    assert quote.text == body[start:end]
    assert quote.speaker.name == "Antony Blinken"
    assert quote.speaker.kind == "PERSON"
    expect(page.locator(f'#article-text mark[data-span-id="{quote.pk}"]')).to_have_text(
        body[start:end]
    )

    # 2. Tag "Israel" as a GPE, then all its mentions with one click.
    first = body.index("Israel")
    select_with_mouse(page, first, first + len("Israel"))
    page.keyboard.press("m")
    page.locator("#id_entity_name").press_sequentially("Israel", delay=10)
    expect(page.locator("input[name=entity][value=new]")).to_be_checked()
    page.select_option("#id_entity_kind", "GPE")
    page.get_by_role("button", name="Save mention").click()
    tag_all = page.get_by_role("button", name="Tag all mentions of Israel")
    expect(tag_all).to_be_focused()
    tag_all.click()
    expected = len(re.findall(r"(?<!\w)Israel(?!\w)", body))
    expect(page.locator("#annotation-form")).to_contain_text(f"Tagged {expected - 1} more")
    israel = Entity.objects.get(name="Israel")
    assert israel.kind == "GPE"
    mentions = Span.objects.filter(kind=SpanKind.MENTION, entity=israel)
    assert mentions.count() == expected
    assert all(body[m.start : m.end] == "Israel" for m in mentions)
    expect(page.locator('#article-text mark[data-kind="mention"]')).to_have_count(expected)
    # A mention inside the quote nests in it.
    expect(page.locator('mark[data-kind="quote"] mark[data-kind="mention"]')).not_to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.locator("#popover")).to_be_hidden()

    # 3. A claim across the paragraph break that overlaps the start of the quote.
    claim_start = body.index("the US is determined")
    claim_end = body.index("gets everything it needs", start) + len("gets everything it needs")
    assert claim_start < start < claim_end < end
    assert "\n" in body[claim_start:claim_end]
    select_with_mouse(page, claim_start, claim_end)
    page.keyboard.press("c")
    statement = page.locator("#id_claim_text")
    expect(statement).to_have_value(body[claim_start:claim_end])
    statement.fill("The US will give Israel everything it needs to defend itself.")
    page.select_option("#id_verdict", "unproven")
    page.get_by_role("button", name="Save claim").click()
    expect(page.locator('mark[data-kind="claim"] mark[data-kind="quote"]')).not_to_have_count(0)
    claim_span = span_of(SpanKind.CLAIM)
    assert (claim_span.start, claim_span.end) == (claim_start, claim_end)
    assert claim_span.claim.text == "The US will give Israel everything it needs to defend itself."
    assert claim_span.claim.verdict == "unproven"
    expect(page.locator("#side-panel")).to_contain_text("Unproven")
    assert_dom_text_is_body(page, article)

    # The side panel scrolls to and flashes a highlight.
    page.locator("#side-panel button.jump-quote").first.click()
    expect(page.locator(f'mark[data-span-id="{quote.pk}"]').first).to_have_class(
        re.compile("flash")
    )
    expect(page.locator("#annotation-form .badge")).to_have_text("Quote")  # and opens it
    screenshot("workspace-annotated")

    # 4. Click the claim's own text (before the quote) and delete it.
    click_text(page, claim_start + 4)
    expect(page.locator("#annotation-form .badge")).to_have_text("Claim")
    page.get_by_role("button", name="Delete…").click()
    # A confirmation step: nothing is deleted until it is confirmed.
    confirm = page.get_by_role("button", name="Yes, delete")
    expect(confirm).to_be_focused()
    assert Span.objects.filter(kind=SpanKind.CLAIM).exists()
    confirm.click()
    expect(page.locator('#article-text mark[data-kind="claim"]')).to_have_count(0)
    assert not Span.objects.filter(kind=SpanKind.CLAIM).exists()
    assert Span.objects.filter(kind=SpanKind.QUOTE).count() == 1
    assert_dom_text_is_body(page, article)

    page.goto("/")
    expect(page.locator("#article-list")).to_contain_text(article.title)
    screenshot("article-list")
    page.goto(f"/entities/{quote.speaker_id}/")
    screenshot("entity-page")


def test_offsets_are_exact_after_emoji_and_non_breaking_space(page, live_server, screenshot):
    editor = EditorFactory()
    body = (
        "🇺🇸 😀 Flags and faces first. 𝒜 mathematical letter too.\n"
        "The envoy said:\u00a0We stand with our allies. 😀 Then she left."
    )
    article = ArticleFactory(body=body, title="Envoy 🇺🇸 speaks")
    sign_in_with_cookie(page.context, live_server, editor)
    open_workspace(page, article)
    assert_dom_text_is_body(page, article)

    # Start the drag on the non-breaking space: the selection is trimmed to the sentence.
    nbsp = body.index("\u00a0")
    end = body.index("allies.") + len("allies.")
    select_with_mouse(page, nbsp, end)
    page.keyboard.press("q")
    expect(page.locator(".selection-preview")).to_have_text("We stand with our allies.")
    page.get_by_role("button", name="Save quote").click()
    expect(page.locator('#article-text mark[data-kind="quote"]')).to_have_count(1)

    span = span_of(SpanKind.QUOTE)
    assert (span.start, span.end) == (body.index("We stand"), end)
    assert span.text == "We stand with our allies."
    assert span.speaker is None

    # And a mention right after the astral characters of the first line.
    start = body.index("Flags")
    select_with_mouse(page, start, start + len("Flags"))
    page.keyboard.press("m")
    page.locator("#id_entity_name").press_sequentially("Flag", delay=10)
    page.get_by_role("button", name="Save mention").click()
    expect(page.locator('#article-text mark[data-kind="mention"]')).to_have_count(1)
    mention = span_of(SpanKind.MENTION)
    assert (mention.start, mention.end, mention.text) == (start, start + 5, "Flags")
    screenshot("workspace-emoji", full_page=False)


def test_article_text_with_markup_renders_inert(page, live_server, screenshot):
    editor = EditorFactory()
    body = (
        "Before <script>alert(1)</script> after.\n"
        "An image <img src=x onerror=alert(2)> and a &amp; entity and </div></mark> tags."
    )
    article = ArticleFactory(title="<script>alert(3)</script> headline", body=body)
    sign_in_with_cookie(page.context, live_server, editor)
    open_workspace(page, article)
    assert_dom_text_is_body(page, article)
    start = body.index("<script>")
    select_with_mouse(page, start, start + len("<script>alert(1)</script>"))
    page.keyboard.press("m")
    page.locator("#id_entity_name").press_sequentially("<img src=x onerror=alert(4)>", delay=5)
    page.get_by_role("button", name="Save mention").click()
    expect(page.locator('#article-text mark[data-kind="mention"]')).to_have_count(1)
    page.reload()
    assert_dom_text_is_body(page, article)
    expect(page.locator("h1")).to_have_text("<script>alert(3)</script> headline")
    expect(page.locator("#side-panel")).to_contain_text("<img src=x onerror=alert(4)>")
    markup = page.locator("#article-text script, #article-text img, #side-panel img")
    expect(markup).to_have_count(0)
    # No alert ran. An alert blocks the page until the dialog handler dismisses it, and
    # dialogs arrive in order: one raised now comes after any the markup could have raised.
    page.evaluate("() => alert('the last dialog')")
    assert page.dialogs == ["the last dialog"]
    span = span_of(SpanKind.MENTION)
    assert span.text == "<script>alert(1)</script>"
    screenshot("workspace-markup-inert", full_page=False)


def test_viewer_sees_annotations_but_cannot_write(page, live_server, screenshot):
    viewer = ViewerFactory()
    article = ArticleFactory()
    sign_in_with_cookie(page.context, live_server, viewer)
    open_workspace(page, article)
    expect(page.locator(".hint.readonly")).to_be_visible()

    select_with_mouse(page, 0, len("Jane Doe"))
    page.keyboard.press("q")
    after_pending_timers(page)  # whatever the page does about the selection and the key is done
    expect(page.locator("#selection-toolbar")).to_be_hidden()
    expect(page.locator("#popover")).to_be_hidden()
    expect(page.locator("#annotation-form form")).to_have_count(0)

    token = page.evaluate(
        "() => JSON.parse(document.body.getAttribute('hx-headers'))['x-csrftoken']"
    )
    response = page.request.post(
        f"/articles/{article.pk}/spans/new/",
        form={"kind": "quote", "start": "0", "end": "8", "text": "Jane Doe"},
        headers={"x-csrftoken": token, "HX-Request": "true"},
    )
    assert response.status == 403
    assert not Span.objects.exists()
    screenshot("workspace-viewer", full_page=False)
