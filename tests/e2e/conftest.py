"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Without Chromium the tests are skipped and the run says so plainly; with VANBAN_REQUIRE_BROWSER=1
(CI) a missing browser is a failure.
"""

import os

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, SKIP_MESSAGE

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    if os.environ.get("VANBAN_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError("VANBAN_REQUIRE_BROWSER=1 but Chromium is not installed.")
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(pytest.mark.skip(reason=SKIP_MESSAGE))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def csp_violations():
    """Console errors the browser reported for the Content-Security-Policy during the test."""
    return []


@pytest.fixture
def page(browser, csp_violations):
    """A browser page; the test fails if any page it opened broke the Content-Security-Policy."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            csp_violations.append(f"{page.url}: {message.text}")

    context.on("console", on_console)
    yield page
    context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


@pytest.fixture
def world(transactional_db, document_types, settings):
    """A Sở with a few weeks of work (tests/e2e/phone_world.py)."""
    from tests.e2e.phone_world import build_world

    return build_world(settings)


@pytest.fixture
def window_at(browser, live_server, csp_violations):
    """`window_at(user, viewport)`: a browser window of its own for one person at that size
    (a phone's has touch), signed in through the login page; the test fails if a page broke the
    Content-Security-Policy."""
    from tests.e2e.phone_world import open_window_for

    open_window, close_all = open_window_for(browser, live_server.url, csp_violations)
    yield open_window
    close_all()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)
