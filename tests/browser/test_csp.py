"""The Content-Security-Policy in a real browser: nothing on our pages is blocked, htmx still
swaps, and the admin and Swagger UI work under their documented policies."""

import pytest
from playwright.sync_api import expect

from annotations.models import SpanStatus
from tests import factories
from tests.browser.conftest import sign_in_with_cookie

pytestmark = pytest.mark.browser


def watch_violations(page) -> list[str]:
    """Every CSP violation the page reports (the browser fires an event per blocked thing)."""
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return console


def violations(page, console) -> list[str]:
    return [*page.evaluate("window.__csp"), *console]


def test_the_workspace_runs_htmx_without_any_csp_violation(context, live_server, page):
    editor = factories.EditorFactory()
    span = factories.SpanFactory(status=SpanStatus.SUGGESTED)
    sign_in_with_cookie(context, live_server, editor)
    console = watch_violations(page)

    response = page.goto(f"/articles/{span.article_id}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_function("window.htmx !== undefined")
    # An htmx request really runs under the policy: open the span's panel.
    with page.expect_response(lambda r: f"/spans/{span.pk}/" in r.url) as opened:
        page.locator(f"[data-span-id='{span.pk}']").first.click()
    assert opened.value.status == 200
    assert opened.value.request.headers.get("hx-request") == "true"
    page.wait_for_load_state("networkidle")

    assert violations(page, console) == []


def test_the_admin_works_under_its_policy(context, live_server, page):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    sign_in_with_cookie(context, live_server, admin)
    console = watch_violations(page)

    page.goto("/admin/articles/article/")
    page.wait_for_load_state("networkidle")

    expect(page.locator("#changelist")).to_have_count(1)
    assert violations(page, console) == []


def watch_origins(page, live_server) -> list[str]:
    """Every request the page makes to another origin (a CDN, Google Fonts…)."""
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((live_server.url, "data:", "blob:"))
            else elsewhere.append(r.url)
        ),
    )
    return elsewhere


def test_swagger_ui_renders_under_its_policy_from_this_origin_only(page, live_server):
    console = watch_violations(page)
    elsewhere = watch_origins(page, live_server)

    page.goto("/api/docs/")
    # Swagger UI renders the operations from the schema it fetches after the page loaded.
    page.wait_for_function("() => document.querySelectorAll('.opblock').length > 5")
    page.wait_for_load_state("networkidle")

    assert violations(page, console) == []
    assert elsewhere == []


def test_the_old_redoc_address_shows_swagger_ui_without_violations(page, live_server):
    console = watch_violations(page)
    elsewhere = watch_origins(page, live_server)

    page.goto("/api/redoc/")
    page.locator(".opblock").first.wait_for()
    page.wait_for_load_state("networkidle")

    assert page.url == f"{live_server.url}/api/docs/"
    assert violations(page, console) == []
    assert elsewhere == []
