"""The browser enforces the site's Content-Security-Policy, and the suite notices a breach."""

from playwright.sync_api import Page, Route

from lms.core.security import CONTENT_SECURITY_POLICY


def test_an_inline_script_is_blocked_and_reported(page: Page, live_server, csp_violations):
    def serve(route: Route) -> None:
        route.fulfill(
            status=200,
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            },
            body="<!doctype html><title>t</title><p id='p'>avant</p>"
            "<script>document.getElementById('p').textContent = 'après'</script>",
        )

    page.route("**/csp-essai", serve)
    page.goto("/csp-essai")
    page.wait_for_load_state("load")
    assert page.locator("#p").inner_text() == "avant"  # the script did not run
    assert any("inline script" in text for text in csp_violations), csp_violations
    csp_violations.clear()  # seen: the fixture must not fail this test for it


def test_site_pages_load_without_violation(page: Page, live_server, csp_violations):
    for path in ("/", "/connexion", "/inscription", "/mot-de-passe-oublie", "/verify"):
        page.goto(path)
        page.wait_for_load_state("load")
    assert csp_violations == []
