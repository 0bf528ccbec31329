"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), never a downloaded browser.

Every request that does not go to the live server is aborted, so a page that needs the internet fails here.
"""

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class PageProblems:
    def __init__(self):
        self.console_errors: list[str] = []
        self.blocked: list[str] = []


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context; records console errors and any request that tried to leave the live server."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    problems = PageProblems()
    allowed = urlparse(live_server.url).netloc

    def route(route_request):
        url = route_request.request.url
        if urlparse(url).netloc == allowed or url.startswith(("data:", "blob:")):
            return route_request.continue_()
        problems.blocked.append(url)
        return route_request.abort()

    context.route("**/*", route)
    page.on("console", lambda msg: problems.console_errors.append(msg.text) if msg.type == "error" else None)
    page.problems = problems
    yield page
    context.close()


@pytest.fixture
def login(live_server, password):
    """login(page, "analyst") signs the page in through the real login form."""

    def _login(page, username: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return _login


def save_screenshot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
