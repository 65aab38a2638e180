"""The browser enforces the Content-Security-Policy, and the e2e fixture notices a violation."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_policy_blocks_inline_code_and_the_fixture_reports_it(
    live_server, page, csp_violations
):
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    assert page.evaluate("typeof htmx") == "object"  # the static script runs
    assert csp_violations == []

    # What an injected <script> or style attribute would try: the browser refuses both.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.appendChild(script);
            document.body.setAttribute("style", "background: red");
        }"""
    )
    assert page.evaluate("window.injected === undefined")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    page.wait_for_timeout(200)
    assert any("script-src" in v for v in csp_violations), csp_violations
    assert any("style-src" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # expected here; any other test fails on such a message


def test_the_api_reference_page_works_under_the_policy(live_server, page, transactional_db):
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("vanban API")
