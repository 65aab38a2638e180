"""Debian's Chromium for the browser tests (never a downloaded browser)."""

import shutil

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_MESSAGE = (
    "Bỏ qua kiểm thử trình duyệt: không tìm thấy Chromium "
    "(cài bằng: apt-get install -y chromium chromium-driver)."
)
