"""Bulk actions in a real browser (issue 18), on the seed "Antony Blinken departs for Israel…":
Accept all quotes links the speaker the panel showed; History shows the action as one entry,
expandable, and restoring it brings the dashed suggestions back. Also the mention suggestions
grouped by entity with their own Accept all, and "speaker unsure" in words (issue 15)."""

import re

import pytest
from playwright.sync_api import expect

from annotations import suggesting
from annotations.models import Entity, Span, SpanStatus
from tests.browser.conftest import sign_in_with_cookie
from tests.browser.test_suggestions import WION, import_seeds
from tests.factories import EditorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accept_all_quotes_then_restore_the_batch_from_history(page, live_server, screenshot):
    editor = EditorFactory()
    article = import_seeds(editor)[WION]
    assert article.title.startswith("Antony Blinken departs for Israel")
    sign_in_with_cookie(page.context, live_server, editor)
    page.goto(f"/articles/{article.pk}/")
    page.get_by_role("button", name="Suggest").click()
    quotes = page.locator('#suggestions details[data-kind="quote"]')
    expect(quotes).to_be_visible()
    count = Span.objects.filter(article=article, kind="quote", status="suggested").count()
    assert count >= 5
    expect(quotes.locator(".proposal")).to_have_count(count)
    expect(quotes.locator(".proposal").first).to_have_text("— Antony Blinken")

    # The mention suggestions, one row per entity ("Israel ×12"), each with Accept all.
    israel = page.locator("#suggestions li.suggestion-entity").filter(has_text="Israel ×")
    expect(israel).to_have_count(1)
    expect(
        israel.get_by_role("button", name=re.compile(r"^Accept all \d+ mentions of Israel$"))
    ).to_be_visible()
    screenshot("bulk-1-suggested")

    quotes.get_by_role("button", name=f"Accept all {count}").click()
    expect(quotes).to_have_count(0)
    expect(page.locator("#workspace-status")).to_have_text(f"Accepted {count} quote suggestions.")
    # Every quote shows its speaker in the panel: one group, "Antony Blinken", all of them.
    group = page.locator("#side-panel .group").filter(
        has=page.get_by_role("link", name="Antony Blinken")
    )
    expect(group.locator(".count").first).to_have_text(str(count))
    expect(group.locator("button.jump-quote")).to_have_count(count)
    expect(page.locator("#side-panel .group h3").filter(has_text="Unattributed")).to_have_count(0)
    expect(page.locator("#article-text mark.hl-quote.is-suggested")).to_have_count(0)
    assert Entity.objects.filter(name="Antony Blinken").count() == 1
    screenshot("bulk-2-accepted")

    # History: the Accept all is one entry (beside the Suggest run), expandable to its members.
    page.get_by_role("link", name="History").first.click()
    rows = page.locator(".history-list > li.history-row")
    accepted = rows.filter(has_text=f"accepted {count} quote suggestions")
    expect(accepted).to_have_count(1)
    expect(rows).to_have_count(2)  # the Suggest run and the Accept all
    accepted.get_by_text(re.compile(r"Show the \d+ changes")).click()
    expect(accepted.locator(".history-member")).to_have_count(count + 1)  # + Blinken created
    expect(accepted.locator(".history-member").filter(has_text="Accepted")).to_have_count(count)
    screenshot("bulk-3-history")

    accepted.get_by_role("button", name="Restore all").click()
    restored = page.locator(".history-list > li.history-row").filter(
        has_text=f"accepted {count} quote suggestions"
    )
    expect(restored.get_by_role("status")).to_have_text(f"Restored {count} spans.")
    expect(restored.get_by_role("button", name="Restore all")).to_have_count(0)
    screenshot("bulk-4-restored")

    # Back in the workspace: the quotes are dashed suggestions again, nobody's quotes.
    page.goto(f"/articles/{article.pk}/")
    expect(page.locator("#article-text mark.hl-quote.is-suggested.is-first")).to_have_count(count)
    expect(page.locator('#suggestions details[data-kind="quote"]')).to_be_visible()
    expect(page.locator("#side-panel").get_by_role("link", name="Antony Blinken")).to_have_count(0)
    assert set(
        Span.objects.filter(article=article, kind="quote").values_list("status", flat=True)
    ) == {SpanStatus.SUGGESTED}
    assert not Entity.objects.filter(name="Antony Blinken").exists()
    screenshot("bulk-5-dashed-again")


def test_accept_all_mentions_of_one_entity_and_an_unsure_speaker(page, live_server, screenshot):
    editor = EditorFactory()
    article = import_seeds(editor)[WION]
    suggesting.article_suggest(article=article, user=editor)
    # A guessed speaker (as the suggester abstains from being sure): said in words.
    guess = Span.objects.filter(article=article, kind="quote").order_by("start").last()
    guess.proposal = {**guess.proposal, "speaker_confidence": 0.3, "evidence": "last speaker"}
    guess.save(update_fields=["proposal"])
    sign_in_with_cookie(page.context, live_server, editor)
    page.goto(f"/articles/{article.pk}/")
    row = page.locator(f'#suggestions li[data-suggestion="{guess.pk}"]')
    expect(row.locator(".unsure-tag")).to_have_text("speaker unsure")
    sure = page.locator("#suggestions li.suggestion[data-suggestion]").first
    expect(sure.locator(".unsure-tag")).to_have_count(0)

    israel = page.locator("#suggestions li.suggestion-entity").filter(has_text="Israel ×")
    n = sum(
        (s.proposal.get("candidate") or {}).get("name") == "Israel"
        for s in Span.objects.filter(article=article, kind="mention", status="suggested")
    )
    assert n > 3
    expect(israel.locator("button.jump")).to_have_text(f"Israel ×{n}")
    row.scroll_into_view_if_needed()
    screenshot("bulk-6-unsure", full_page=False)
    israel.scroll_into_view_if_needed()
    screenshot("bulk-7-groups", full_page=False)
    israel.get_by_role("button", name=f"Accept all {n} mentions of Israel").click()
    expect(page.locator("#workspace-status")).to_have_text(
        f"Accepted {n} mention suggestion{'s' * (n != 1)}."
    )
    expect(
        page.locator("#suggestions li.suggestion-entity").filter(has_text="Israel ×")
    ).to_have_count(0)
    others = Span.objects.filter(article=article, kind="mention", status="suggested")
    assert others.exists()  # only Israel's were decided
    assert not [s for s in others if (s.proposal.get("candidate") or {}).get("name") == "Israel"]
