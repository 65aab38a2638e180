"""Screenshots of the main pages at 1366 px and 390 px (docs/screenshots/README.md).

The test runs in the normal suite: it opens each page at both widths and checks that the picture
is exactly as wide as the window (nothing sticks out to the right). With VANBAN_SCREENSHOTS set
to a folder (docs/screenshots to refresh the committed pictures) it also writes them there as
PNG, reduced to a palette of 256 colours to keep them small.
"""

import io
import os
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.phone_world import (
    DESKTOP,
    PHONE,
    PRESENTED_SUBJECT,
    World,
)

pytestmark = pytest.mark.browser

FOLDER = os.environ.get("VANBAN_SCREENSHOTS", "")
# The longest picture kept: a long page is cut there (the top of a page is what it looks like).
MAX_HEIGHT = 2400


def shoot(page: Page, name: str, width: int) -> bytes:
    png = page.screenshot(full_page=True, animations="disabled", caret="hide")
    picture = Image.open(io.BytesIO(png))
    assert picture.width == width, f"{name}: {picture.width} px wide in a {width} px window"
    if picture.height > MAX_HEIGHT:
        picture = picture.crop((0, 0, picture.width, MAX_HEIGHT))
    out = io.BytesIO()
    picture.convert("RGB").quantize(colors=256).save(out, format="PNG", optimize=True)
    data = out.getvalue()
    if FOLDER:
        folder = Path(FOLDER)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}-{width}.png").write_bytes(data)
    return data


def test_screenshots_of_the_main_pages_at_both_widths(world: World, window_at, live_server):
    team = world.team
    shots = []
    for viewport in (DESKTOP, PHONE):
        width = viewport["width"]
        director = window_at(team.signer, viewport)
        clerk = window_at(team.clerk, viewport)
        pages = [
            ("trang-chu", director, reverse("portal:home"), "Xin chào, Phạm Minh Đức"),
            ("viec-cua-toi", director, reverse("workflow:my_work"), "Việc của tôi"),
            (
                "van-ban",
                director,
                reverse("workflow:document", args=[world.presented.pk]),
                None,
            ),
            ("vao-so-van-ban-den", clerk, reverse("documents:incoming_create"), None),
            ("du-thao", director, reverse("drafting:draft_detail", args=[world.draft.pk]), None),
        ]
        for name, window, url, heading in pages:
            window.goto(f"{live_server.url}{url}")
            if heading:
                expect(window.get_by_role("heading", name=heading)).to_be_visible()
            if name == "van-ban":
                expect(window.locator("#document-subject")).to_have_text(PRESENTED_SUBJECT)
            shots.append(shoot(window, name, width))
    assert len(shots) == 10
    assert all(s.startswith(b"\x89PNG") for s in shots)
    # Small enough to commit: under 2 MB together.
    assert sum(len(s) for s in shots) < 2 * 1024 * 1024
