"""Real-browser tests: Playwright for Python driving Debian's Chromium against live_server.

One Chromium per session; each test gets a fresh context (cookies) and page. Without
/usr/bin/chromium the tests skip locally and FAIL in CI (CI=true), so CI cannot go green
without running them.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from newsdesk.roles import EDITORS, VIEWERS

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# (fixtures, assertions on the database) are still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def roles(transactional_db):
    """The role groups (a transactional test's flush removes what migrations created)."""
    for name in (EDITORS, VIEWERS):
        Group.objects.get_or_create(name=name)


@pytest.fixture
def context(browser, live_server, roles):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(8000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    return page


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def wait_until_htmx_is_idle(page) -> None:
    """Wait until no htmx request is in flight and no swap is still settling.

    htmx marks a requesting element .htmx-request until its response is swapped in, marks the
    new content .htmx-settling while it settles (a swap may start more requests, e.g. a quote's
    matches loading), and removes that class right before the htmx:afterSettle handlers run,
    in the same task. So once none is left, the workspace has placed its popover (which may
    scroll the page) and moved the focus.
    """
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def after_pending_timers(page) -> None:
    """Return once every timer the page has set so far has run: a barrier, not a sleep.

    The workspace answers mouseup and selectionchange with a zero-delay timer. Timers of
    equal delay run in the order they were set, so a zero-delay timer set now runs after
    them, and once it has, their work (the toolbar shown or hidden) is done.
    """
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 0))")


def sign_in_with_cookie(context, live_server, user) -> None:
    """A session for `user` without going through the form (the form has its own test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
