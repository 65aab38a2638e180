"""The web app manifest (docs/deployment.md, "Phones"): a phone's browser offers to put the site on
the home screen under the name "Văn bản điều hành", opening it full screen on the home page with
the icons of the top bar's colour; every page links it, and the Content-Security-Policy allows it.
"""

import io
import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from tests.test_headers import csp_directives

MANIFEST = "/manifest.webmanifest"


@pytest.mark.django_db
def test_the_manifest_is_public_json_with_the_name_start_and_icons():
    response = Client().get(MANIFEST)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/manifest+json; charset=utf-8"
    manifest = json.loads(response.content.decode("utf-8"))
    assert manifest["name"] == "Văn bản điều hành"
    assert (manifest["lang"], manifest["start_url"], manifest["display"]) == (
        "vi",
        "/",
        "standalone",
    )
    assert manifest["theme_color"] == "#0b4f8a"
    sizes = {}
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        assert icon["src"].startswith("/static/")
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, f"{icon['src']} is not a static file"
        with open(path, "rb") as file:
            picture = Image.open(io.BytesIO(file.read()))
        assert picture.format == "PNG"
        sizes[icon["sizes"]] = picture.size
    assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}
    assert csp_directives(response)["manifest-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_manifest_is_only_read():
    response = Client().post(MANIFEST, {})
    assert response.status_code == 405
    assert Client().put(MANIFEST, "{}").status_code == 405


def test_every_page_links_the_manifest_and_the_theme_colour(province, client_for):
    anonymous = Client().get("/tai-khoan/dang-nhap/").content.decode()
    signed_in = client_for(province.staff_stttt).get("/").content.decode()
    for html in (anonymous, signed_in):
        assert f'<link rel="manifest" href="{MANIFEST}">' in html
        assert '<meta name="theme-color" content="#0b4f8a">' in html
        assert 'rel="icon" href="/static/vanban/icons/icon-192.png"' in html
    # The menu button of narrow screens, for a signed-in person only; its script is a file.
    assert 'aria-controls="main-menu"' in signed_in and 'aria-expanded="false"' in signed_in
    assert '<nav class="menu" id="main-menu"' in signed_in
    assert 'src="/static/vanban/js/menu.js"' in signed_in
    assert "menu-toggle" not in anonymous
