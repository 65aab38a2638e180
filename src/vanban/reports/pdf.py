"""Printed documents: a Django template rendered to PDF by WeasyPrint with the project's own fonts.

The DejaVu Serif files shipped in core/static/vanban/fonts cover Vietnamese; they are loaded
through @font-face from file:// URLs, so a report looks the same on every server whatever fonts
it has (R10).
Templates extend "reports/pdf_base.html" and may override the page rules given here as defaults.
"""

import datetime as dt
import os
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import weasyprint
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from vanban.core import clock

from .periods import REPORT_TZ

FONT_FAMILY = "Vanban DejaVu Serif"
# (weight, style) -> file under the static folders. Regular and bold are required; italic faces are
# used when shipped (without them italic text is set upright, never in a font of the server).
FONT_FILES = {
    ("normal", "normal"): "vanban/fonts/DejaVuSerif.ttf",
    ("bold", "normal"): "vanban/fonts/DejaVuSerif-Bold.ttf",
    ("normal", "italic"): "vanban/fonts/DejaVuSerif-Italic.ttf",
    ("bold", "italic"): "vanban/fonts/DejaVuSerif-BoldItalic.ttf",
}
REQUIRED_FACES = {("normal", "normal"), ("bold", "normal")}
# The same report gives the same file. Where HarfBuzz's subsetter is missing (Debian's
# libharfbuzz-subset0), WeasyPrint subsets the embedded fonts with fontTools, which stamps each
# subset with the time it was made unless SOURCE_DATE_EPOCH fixes it (the reproducible-builds
# convention fontTools follows): without it, two renders a second apart differ. An operator's own
# value is kept.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1577836800")  # 2020-01-01T00:00:00Z
_PACKAGE_STATIC = Path(__file__).resolve().parent.parent / "core" / "static"


@cache
def font_paths() -> dict[tuple[str, str], Path]:
    """Absolute paths of the font files found, by (weight, style)."""
    paths = {}
    for face, name in FONT_FILES.items():
        found = finders.find(name)
        path = Path(found if isinstance(found, str) else _PACKAGE_STATIC / name).resolve()
        if path.is_file():
            paths[face] = path
        elif face in REQUIRED_FACES:
            raise FileNotFoundError(f"Missing font file {name}")
    return paths


def _base_css() -> str:
    faces = "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{path.as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for (weight, style), path in font_paths().items()
    )
    # Margins of NĐ 30/2020 Appendix I: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
    return f"""{faces}
html {{ font-family: "{FONT_FAMILY}"; font-size: 13pt; }}
@page {{
  size: A4 portrait;
  margin: 20mm 15mm 20mm 30mm;
  @bottom-center {{
    content: "Trang " counter(page) "/" counter(pages);
    font-family: "{FONT_FAMILY}"; font-size: 10pt;
  }}
}}
"""


class _FontsOnlyFetcher(URLFetcher):
    """Lets the renderer read the font files and nothing else: no network, no other local file."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        parts = urlsplit(url)
        allowed = set(font_paths().values())
        if parts.scheme != "file" or Path(unquote(parts.path)).resolve() not in allowed:
            raise ValueError(f"Resource not allowed in a printed document: {url}")
        return super().fetch(url, headers)


def render_pdf(
    template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None
) -> bytes:
    """Render a template to PDF bytes with the project fonts; A4 portrait, "Trang x/y" footer."""
    html = render_to_string(template_name, context, request=request)
    fetcher = _FontsOnlyFetcher(fail_on_errors=True)
    font_config = FontConfiguration()
    base = weasyprint.CSS(string=_base_css(), font_config=font_config, url_fetcher=fetcher)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[base], font_config=font_config)
    return pdf


def document_date_line(*, place: str, day: dt.date | None = None) -> str:
    """The place and date line of an administrative document (NĐ 30/2020):
    "Bến Tre, ngày 05 tháng 01 năm 2026"; days below 10 and months 1 and 2 take a leading zero.
    """
    if day is None:
        day = clock.now().astimezone(REPORT_TZ).date()
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    line = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {line}" if place else line[0].upper() + line[1:]
