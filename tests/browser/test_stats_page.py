"""/stats/ in a real browser, on the seeds (imported, their quotes suggested and accepted) plus
the hand-built archive of tests/stats_archive.py: the charts draw under the strict CSP,
filtering by outlet gives the fixture's figures in the chart and its data table, the CSV
downloads, and clicking a bar opens the article list it counts."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from annotations import suggesting
from annotations.models import Span, SpanKind, SpanStatus
from tests import stats_archive as fixture
from tests.browser.conftest import sign_in_with_cookie
from tests.browser.test_csp import violations, watch_violations
from tests.browser.test_suggestions import WION, import_seeds
from tests.factories import EditorFactory, ViewerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cells(page, section: str, row: int):
    return page.locator(f"#{section} tbody tr").nth(row).locator("th, td")


def chart_ready(page, name: str):
    expect(page.locator(f"#chart-{name}")).to_have_attribute("data-ready", "true")


def test_stats_page_filters_reads_downloads_and_clicks_through(page, live_server, screenshot):
    editor = EditorFactory()
    seeds = import_seeds(editor)
    suggesting.article_suggest(article=seeds[WION], user=editor)
    suggesting.suggestions_accept_all(article=seeds[WION], kind=SpanKind.QUOTE, user=editor)
    seed_quotes = Span.objects.filter(
        article=seeds[WION], kind=SpanKind.QUOTE, status=SpanStatus.ACCEPTED
    ).count()
    assert seed_quotes > 0
    archive = fixture.build()

    sign_in_with_cookie(page.context, live_server, ViewerFactory())
    console = watch_violations(page)
    page.goto("/")
    page.get_by_role("link", name="Who is quoted").click()
    expect(page).to_have_url(re.compile(r"/stats/$"))
    for name in ("speakers", "outlets", "shares", "claims"):
        chart_ready(page, name)
    # Everything: the fixture's 9 quotes and the seed's accepted ones.
    expect(page.locator("#speakers-title .count")).to_have_text(f"{9 + seed_quotes} quotes")
    # The seed has no outlet: "Unknown outlet" leads with its quotes and A4's two.
    expect(cells(page, "outlets", 0).first).to_have_text("Unknown outlet")
    expect(cells(page, "outlets", 0).nth(6)).to_have_text(str(2 + seed_quotes))
    expect(cells(page, "outlets", 1)).to_have_text(
        [fixture.DAILY, "3", "1", "1", "0", "0", "5", f"{500 / (9 + seed_quotes):.1f} %"]
    )
    screenshot("stats-all")

    # Filter by outlet.
    page.get_by_label("Outlet", exact=True).select_option(fixture.DAILY)
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"source=Daily\+Ledger"))
    chart_ready(page, "speakers")
    expect(page.locator("#speakers-title .count")).to_have_text("5 quotes")
    expect(page.locator("#speakers tbody tr")).to_have_count(3)
    expect(cells(page, "speakers", 0)).to_have_text(["Ana Ruiz", "3", "60.0 %"])
    expect(cells(page, "speakers", 1)).to_have_text(["Ben Okafor", "1", "20.0 %"])
    expect(cells(page, "speakers", 2)).to_have_text(["Cleo Park", "1", "20.0 %"])
    expect(cells(page, "outlets", 0)).to_have_text([fixture.DAILY, "3", "1", "1", "5", "100.0 %"])
    expect(page.locator("#outlets thead th")).to_have_text(
        ["Outlet", "Woman", "Man", "Non-binary", "Quotes", "Share"]
    )
    expect(cells(page, "shares", 0)).to_have_text(
        ["Oct 2023", "3", "66.7 %", "66.7 %", "33.3 %", "0.0 %"]
    )
    expect(cells(page, "shares", 1)).to_have_text(
        ["Nov 2023", "2", "50.0 %", "50.0 %", "0.0 %", "50.0 %"]
    )
    expect(cells(page, "claims", 0)).to_have_text(["Oct 2023", "0", "1", "1"])
    expect(cells(page, "claims", 1)).to_have_text(["Nov 2023", "1", "0", "1"])
    expect(cells(page, "reused", 0)).to_have_text(
        [fixture.Q_A, "Ana Ruiz", "2", fixture.DAILY, "12 Oct 2023", "same"]
    )
    # The chart draws the table's figures.
    drawn = page.evaluate(
        "() => { const c = Chart.getChart(document.getElementById('chart-speakers'));"
        " return [c.data.labels, c.data.datasets[0].data]; }"
    )
    assert drawn == [["Ana Ruiz", "Ben Okafor", "Cleo Park"], [3, 1, 1]]
    # The data table can be folded away and back.
    table = page.locator("#speakers details.data-table table")
    page.locator("#speakers summary").click()
    expect(table).to_be_hidden()
    page.locator("#speakers summary").click()
    expect(table).to_be_visible()
    screenshot("stats-daily-ledger")

    # CSV download of the chart's data.
    with page.expect_download() as download:
        page.locator("#speakers").get_by_role("link", name="Download CSV").click()
    saved = download.value.path()
    assert download.value.suggested_filename == "quotes-by-speaker.csv"
    lines = Path(saved).read_text(encoding="utf-8").splitlines()
    assert lines == [
        "key,label,count,share",
        f"{archive.ana.pk},Ana Ruiz,3,0.6000",
        f"{archive.ben.pk},Ben Okafor,1,0.2000",
        f"{archive.cleo.pk},Cleo Park,1,0.2000",
    ]

    # Click Ana's bar: the articles of the outlet that quote her.
    canvas = page.locator("#chart-speakers")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    bar = page.evaluate(
        "() => { const c = Chart.getChart(document.getElementById('chart-speakers'));"
        " const b = c.getDatasetMeta(0).data[0]; return {x: (b.x + b.base) / 2, y: b.y}; }"
    )
    page.mouse.click(box["x"] + bar["x"], box["y"] + bar["y"])
    expect(page).to_have_url(re.compile(rf"/\?.*speaker={archive.ana.pk}"))
    expect(page.locator(".active-filters")).to_contain_text("Quoting Ana Ruiz")
    titles = page.locator("#article-list tbody a.title")
    expect(titles).to_have_text([archive.a2.title, archive.a1.title])
    expect(page.get_by_label("Source", exact=True)).to_have_value(fixture.DAILY)
    screenshot("stats-click-through")

    assert violations(page, console) == []
