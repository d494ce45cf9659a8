"""Issue 21, the careful editor: no silent duplicate person, no stacked quote, a save conflict
that keeps both notes, annotating with the keyboard alone, every page at three widths, and
axe-core (vendored from npm in tests/browser/vendor) on every page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from annotations import services, suggesting
from annotations.models import Entity, Span, SpanKind, SpanStatus
from tests.browser.conftest import sign_in_with_cookie, wait_until_htmx_is_idle
from tests.browser.test_suggestions import DAILY, WION, import_seeds, mark
from tests.factories import ArticleFactory, ClaimFactory, EditorFactory, SpanFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
WIDTHS = (1400, 1024, 800)
# The caret's offset in the article text, in code points (the server's offsets).
CARET = """() => {
  const root = document.getElementById("article-text");
  const s = getSelection();
  const r = document.createRange();
  r.setStart(root, 0);
  r.setEnd(s.focusNode, s.focusOffset);
  return Array.from(r.toString()).length;
}"""


def open_workspace(page, article) -> None:
    page.goto(f"/articles/{article.pk}/")
    expect(page.locator("#article-text")).to_be_visible()
    page.wait_for_function("window.htmx !== undefined")


def test_blinken_and_enter_links_the_existing_person(page, live_server, screenshot):
    editor = EditorFactory()
    seeds = import_seeds(editor)
    wion = seeds[WION]
    antony = services.entity_create(name="Antony Blinken", kind="PERSON")
    sign_in_with_cookie(page.context, live_server, editor)
    open_workspace(page, wion)
    words = "We have their back today"
    start = wion.body.index(words)
    # Select with the keyboard API the page offers (the caret test below drives the keys).
    page.evaluate(
        """([start, end]) => {
            const root = document.getElementById("article-text");
            root.focus();
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let seen = 0, node, range = document.createRange();
            while ((node = walker.nextNode())) {
              const n = Array.from(node.data).length;
              if (seen <= start && start < seen + n) range.setStart(node, start - seen);
              if (seen < end && end <= seen + n) { range.setEnd(node, end - seen); break; }
              seen += n;
            }
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        [start, start + len(words)],
    )
    page.keyboard.press("q")
    speaker = page.locator("#id_speaker_name")
    expect(speaker).to_be_focused()
    speaker.press_sequentially("Blinken", delay=10)
    existing = page.locator(f'input[name=speaker][value="{antony.pk}"]')
    expect(existing).to_be_checked()
    expect(page.locator("input[name=speaker][value=new]")).not_to_be_checked()
    expect(page.locator("#speaker-options")).to_contain_text("used 0 times")
    screenshot("careful-blinken-preselected", full_page=False)
    speaker.press("Enter")

    expect(page.locator('#article-text mark[data-kind="quote"]')).to_have_count(1)
    assert Entity.objects.filter(name__icontains="blinken").count() == 1
    assert Span.objects.get(kind=SpanKind.QUOTE).speaker == antony

    # "New person" picked on purpose while Antony Blinken exists: asked once, and dismissing
    # the question (the page fixture dismisses dialogs) creates nothing.
    mark(page, Span.objects.get(kind=SpanKind.QUOTE)).click()
    speaker = page.locator("#id_speaker_name")
    speaker.fill("")
    speaker.press_sequentially("Anthony Blinken", delay=10)
    expect(page.locator(f'input[name=speaker][value="{antony.pk}"]')).to_be_checked()
    page.locator("input[name=speaker][value=new]").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(f'input[name=speaker][value="{antony.pk}"]')).to_be_focused()
    assert page.dialogs == ["Create a new person although Antony Blinken exists?"]
    assert Entity.objects.filter(name__icontains="blinken").count() == 1


def test_accepting_an_overlapping_suggestion_leaves_one_quote(page, live_server, screenshot):
    editor = EditorFactory()
    wion = import_seeds(editor)[WION]
    suggesting.article_suggest(article=wion, user=editor, kinds=["quote"])
    suggested = next(
        s
        for s in Span.objects.filter(article=wion, kind=SpanKind.QUOTE).order_by("start")
        if len(s.text) > 60
    )
    # The editor had already marked part of it (the suggestion predates their quote).
    mine, _ = services.span_create(
        article=wion,
        kind="quote",
        start=suggested.start,
        end=suggested.start + 20,
        text=wion.body[suggested.start : suggested.start + 20],
        user=editor,
    )
    sign_in_with_cookie(page.context, live_server, editor)
    open_workspace(page, wion)

    dashed = page.locator(f'#article-text mark.is-first[data-span-id="{suggested.pk}"]')
    dashed.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#annotation-form .already-marked")).to_contain_text("Already marked")
    page.keyboard.press("Escape")
    expect(dashed).to_be_focused()  # the popover gave focus back
    page.keyboard.press("a")

    status = page.locator("#workspace-status")
    expect(status).to_contain_text("Accepted")
    overlapping = Span.objects.filter(
        article=wion, kind="quote", start__lt=suggested.end, end__gt=suggested.start
    ).exclude(status=SpanStatus.REJECTED)
    assert list(overlapping) == [mine]
    expect(page.locator(f'#article-text mark[data-span-id="{suggested.pk}"]')).to_have_count(0)
    screenshot("careful-overlap-accepted", full_page=False)


def test_two_pages_conflict_on_one_quote_and_both_notes_stay(context, live_server, screenshot):
    editor = EditorFactory()
    quote = SpanFactory(kind=SpanKind.QUOTE, quote="We will", entity=None)
    sign_in_with_cookie(context, live_server, editor)
    first, second = context.new_page(), context.new_page()
    for page in (first, second):
        open_workspace(page, quote.article)
        page.locator(f'#article-text mark[data-span-id="{quote.pk}"]').first.click()
        expect(page.locator("#id_note")).to_be_visible()

    first.locator("#id_note").fill("Checked against the tape.")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.locator("#workspace-status")).to_be_attached()
    expect(first.locator('#annotation-form[data-state="closed"]')).to_be_attached()

    second.locator("#id_note").fill("The wire has a different wording.")
    second.get_by_role("button", name="Save", exact=True).click()
    form = second.locator("#annotation-form")
    expect(form.locator(".conflict")).to_be_visible()
    expect(form.locator(".their-note")).to_have_text("Checked against the tape.")
    expect(second.locator("#id_note")).to_have_value("The wire has a different wording.")
    second.screenshot(path=str(_shot("careful-conflict")))

    # The merged edit: both notes in the field, then Keep mine saves that.
    form.get_by_role("button", name="Merge the notes").click()
    expect(second.locator("#id_note")).to_have_value(
        "The wire has a different wording.\n\nChecked against the tape."
    )
    form.get_by_role("button", name="Keep mine").click()
    expect(second.locator('#annotation-form[data-state="closed"]')).to_be_attached()
    quote.refresh_from_db()
    assert quote.note == "The wire has a different wording.\n\nChecked against the tape."


def _shot(name: str) -> str:
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def test_keyboard_only_shift_arrows_q_and_save(page, live_server, screenshot):
    editor = EditorFactory()
    article = ArticleFactory(body="Intro line.\n\nWe will build it, she said.\n\nEnd.")
    antony = services.entity_create(name="Antony Blinken", kind="PERSON")
    sign_in_with_cookie(page.context, live_server, editor)
    open_workspace(page, article)

    # Tab from the top of the page reaches the text (after the skip link and the header).
    text = page.locator("#article-text")
    for _ in range(30):
        page.keyboard.press("Tab")
        if text.evaluate("el => el === document.activeElement"):
            break
    expect(text).to_be_focused()
    start = article.body.index("We will")
    # Arrows move the caret by what the eye sees (a paragraph break is one step): step until
    # the caret stands before "We will".
    for _ in range(start + 5):
        if page.evaluate(CARET) >= start:
            break
        page.keyboard.press("ArrowRight")
    assert page.evaluate(CARET) == start
    for _ in range(len("We will build it")):
        page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#selection-toolbar")).to_be_visible()
    page.keyboard.press("q")
    speaker = page.locator("#id_speaker_name")
    expect(speaker).to_be_focused()
    expect(page.locator(".selection-preview")).to_have_text("We will build it")
    speaker.press_sequentially("Blinken", delay=10)
    expect(page.locator(f'input[name=speaker][value="{antony.pk}"]')).to_be_checked()

    # The popover keeps focus: Tab cycles inside it, never out to "Sign out".
    popover = page.locator("#popover")
    for _ in range(12):
        page.keyboard.press("Tab")
        assert popover.evaluate("el => el.contains(document.activeElement)")
    screenshot("careful-keyboard-form", full_page=False)
    speaker.focus()
    page.keyboard.press("Enter")

    quote = page.locator('#article-text mark[data-kind="quote"]')
    expect(quote).to_have_text("We will build it")
    # Focus returns to where the editor was: the text, caret after the quote.
    expect(text).to_be_focused()
    span = Span.objects.get(kind=SpanKind.QUOTE)
    assert (span.text, span.speaker) == ("We will build it", antony)

    # Alt+A jumps to the side panel.
    page.keyboard.press("Alt+a")
    expect(page.locator("#side-panel")).to_be_focused()


def test_after_save_verdict_focus_stays_on_the_claim(page, live_server):
    editor = EditorFactory()
    claim = ClaimFactory(text="Crime fell 20%")
    sign_in_with_cookie(page.context, live_server, editor)
    page.goto("/claims/")
    page.locator(f"#verdict-{claim.pk}").select_option("false")
    page.locator(f"#save-verdict-{claim.pk}").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#claim-{claim.pk} .ok")).to_have_text("Saved.")
    expect(page.locator(f"#save-verdict-{claim.pk}")).to_be_focused()


def every_page(editor) -> list[str]:
    """One URL of every page an editor sees, over real seeds with suggestions, claims and a
    very long title."""
    seeds = import_seeds(editor)
    daily, wion = seeds[DAILY], seeds[WION]
    for article in (daily, wion):
        suggesting.article_suggest(article=article, user=editor)
    # A very long title (and an unbroken address in it) wherever the article is named.
    daily.title = (
        "A very long headline about the Pacific climate fund negotiations that drags on and on " * 4
        + "https://example.org/a-very-long-unbroken-address-without-any-space-in-it-at-all"
    )
    daily.save(update_fields=["title"])
    quote = Span.objects.filter(article=daily, kind=SpanKind.QUOTE).order_by("start").first()
    services.suggestion_accept(span=quote, user=editor, version=quote.version)
    quote.refresh_from_db()
    entity = quote.speaker or services.entity_create(name="Antony Blinken", kind="PERSON")
    other = services.entity_create(name="Anthony Blinken", kind="PERSON")
    ClaimFactory(text="Claims without a verdict yet", verdict="unproven")
    return [
        "/",
        f"/articles/{daily.pk}/",
        f"/articles/{daily.pk}/history/",
        "/entities/",
        f"/entities/{entity.pk}/",
        f"/entities/{entity.pk}/history/",
        f"/entities/merge/?first={entity.pk}&second={other.pk}",
        "/claims/",
        f"/spans/{quote.pk}/",
        f"/spans/{quote.pk}/matches/",
    ]


def test_every_page_at_three_widths_has_no_horizontal_scroll(page, live_server, screenshot):
    editor = EditorFactory()
    urls = every_page(editor)
    sign_in_with_cookie(page.context, live_server, editor)
    too_wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            page.goto(url)
            expect(page.locator("main")).to_be_visible()
            page.wait_for_load_state("networkidle")
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            if widths[0] > widths[1]:
                too_wide.append(f"{url} at {width}px: {widths[0]} wide")
    assert too_wide == []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(urls[1])
        screenshot(f"careful-workspace-{width}", full_page=False)
        # The review panel is one action away at any width.
        page.get_by_role("link", name="Annotations").click()
        expect(page.locator("#side-panel")).to_be_focused()
        expect(page.locator("#side-panel")).to_be_in_viewport()
        screenshot(f"careful-workspace-panel-{width}", full_page=False)
    page.goto(urls[4])
    screenshot("careful-entity-800")


def test_axe_finds_no_serious_violations_on_any_page(page, live_server):
    editor = EditorFactory()
    urls = every_page(editor)
    source = AXE.read_text(encoding="utf-8")
    sign_in_with_cookie(page.context, live_server, editor)
    problems = []
    for width in (1400, 800):
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            # page.evaluate runs outside the page's CSP, so axe needs no script tag.
            found = page.evaluate(
                source
                + """
                ;axe.run(document, {resultTypes: ["violations"]}).then((r) =>
                  r.violations
                    .filter((v) => v.impact === "serious" || v.impact === "critical")
                    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3)
                      .map((n) => n.target.join(" ")).join(", ")}`))
                """
            )
            problems += [f"{url} at {width}px: {p}" for p in found]
    Path("/tmp/editor_axe.txt").write_text("\n".join(problems))
    assert problems == []


def test_the_jump_flash_does_not_shrink_the_text(page, live_server):
    editor = EditorFactory()
    quote = SpanFactory(kind=SpanKind.QUOTE, quote="We will", entity=None)
    sign_in_with_cookie(page.context, live_server, editor)
    page.goto(f"/articles/{quote.article_id}/#span-{quote.pk}")
    piece = page.locator(f'#article-text mark[data-span-id="{quote.pk}"]').first
    expect(piece).to_have_class(re.compile(r"\bjump-flash\b"))
    text = page.locator("#article-text")
    size = text.evaluate("el => getComputedStyle(el).fontSize")
    assert piece.evaluate("el => getComputedStyle(el).fontSize") == size
    assert piece.evaluate("el => getComputedStyle(el).borderTopWidth") == "0px"


def test_the_header_count_does_not_take_the_focus_when_the_page_loads(page, live_server):
    """The notification count loads by itself after the page: the workspace moves the focus
    only after the editor's own requests, so a keyboard user starts at the top of the page."""
    editor = EditorFactory()
    article = ArticleFactory()
    sign_in_with_cookie(page.context, live_server, editor)
    open_workspace(page, article)
    badge = page.locator("#notification-count")
    expect(badge).to_have_attribute("aria-label", re.compile("unread notification"))
    wait_until_htmx_is_idle(page)
    expect(badge).not_to_be_focused()
    assert page.evaluate("() => document.activeElement === document.body")
