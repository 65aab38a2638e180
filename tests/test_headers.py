"""Every page carries the Content-Security-Policy; nothing shown to a signed-in person is cached.

The walk visits every URL pattern of the project (django.urls), with each path argument filled
with a plausible value: a page answers 200, 302, 403, 404 or 405, and every one of those answers
must carry the headers. HTML answers must hold no inline script, event handler or style that the
policy would block in the browser (docs/deployment.md, "Headers").
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.support.province import make_user
from vanban.accounts.models import Role, User

pytestmark = pytest.mark.django_db

# An inline script is allowed only with the request's nonce (or as JSON data, which never runs).
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\b(?:src|nonce)=)(?![^>]*type=\"application/json\")[^>]*>", re.I
)
EVENT_HANDLER = re.compile(r"<[^>]*\s(on[a-z]+|hx-on[:a-z-]*)\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|<[^>]*\sstyle\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)

ARGUMENT_VALUES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


def _patterns(resolver: URLResolver, prefix: str = "") -> list[str]:
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            found.append(route)
    return found


def _fill(route: str) -> str | None:
    """A concrete path for a route (`<int:pk>` → 1), or None for regular-expression routes."""
    if route.startswith("^") or "(?P" in route or "\\" in route:
        return None

    def value(match: re.Match[str]) -> str:
        converter = match.group(1) or "str"
        return ARGUMENT_VALUES.get(converter, "x")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", value, route)


def all_paths() -> list[str]:
    paths = {_fill(route) for route in _patterns(get_resolver())}
    return sorted(p for p in paths if p and not p.startswith("/static/"))


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_policy(path: str, response) -> None:
    policy = csp_directives(response)
    assert policy, f"{path}: no Content-Security-Policy"
    assert policy["default-src"] == ["'self'"], path
    assert "'unsafe-inline'" not in policy["script-src"], path
    assert "'unsafe-eval'" not in policy["script-src"], path
    assert "'unsafe-inline'" not in policy["style-src"], path
    assert policy["object-src"] == ["'none'"], path
    assert policy["frame-ancestors"] == ["'none'"], path
    assert policy["base-uri"] == ["'none'"], path


def assert_no_inline_code(path: str, html: str) -> None:
    assert not INLINE_SCRIPT.search(html), f"{path}: inline <script>"
    assert not EVENT_HANDLER.search(html), f"{path}: inline event handler"
    assert not INLINE_STYLE.search(html), f"{path}: inline style"
    assert not JAVASCRIPT_URL.search(html), f"{path}: javascript: URL"


def test_the_walk_covers_every_app():
    paths = all_paths()
    for prefix in (
        "/tai-khoan/",
        "/van-ban/",
        "/bao-cao/",
        "/xu-ly/",
        "/du-thao/",
        "/lich-cong-tac/",
        "/lien-thong/",
        "/chu-ky-so/",
        "/api/v1/",
    ):
        assert sum(p.startswith(prefix) for p in paths) >= 2, prefix
    assert len(paths) > 100


@pytest.mark.parametrize("role", [Role.PROVINCE_ADMIN, Role.CLERK])
def test_every_page_of_a_signed_in_person_has_the_policy_and_no_store(
    province, client_for, role, settings
):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    person = make_user(province.stttt, "Đặng Văn Kiểm", (role, Role.STAFF, Role.LEADER))
    client = client_for(person)
    client.raise_request_exception = False
    html_pages = 0
    for path in all_paths():
        if path == "/tai-khoan/dang-xuat/":
            continue
        response = client.get(path)
        assert_policy(path, response)
        assert response.headers.get("Cache-Control") == "private, no-store" or (
            "no-store" in response.headers.get("Cache-Control", "")
        ), f"{path}: {response.status_code} {response.headers.get('Cache-Control')}"
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            html_pages += 1
            assert_no_inline_code(path, response.content.decode())
    # Still signed in after the walk (nothing above signed the person out).
    assert client.get("/tai-khoan/cua-toi/").status_code == 200
    assert html_pages >= 25


def test_pages_for_an_anonymous_visitor_have_the_policy_but_may_be_cached(db):
    client = Client()
    for path in ("/tai-khoan/dang-nhap/", "/", "/khong-co-trang-nay/"):
        response = client.get(path)
        assert_policy(path, response)
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
    html = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert_no_inline_code("/tai-khoan/dang-nhap/", html)
    assert '<meta name="htmx-config"' in html and '"allowEval": false' in html


def test_static_files_keep_their_cache_and_no_session_headers(province, client_for):
    client = client_for(province.staff_stttt)
    response = client.get("/static/vanban/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_main_pages_render_without_inline_code(province, client_for):
    """The pages people use most, each rendered fully (not an error page)."""
    clerk = make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK, Role.STAFF))
    pages = {
        province.province_admin: [
            "/",
            "/tai-khoan/quan-tri/tai-khoan/",
            "/tai-khoan/quan-tri/don-vi/",
            "/tai-khoan/quan-tri/chinh-sach/",
            "/bao-cao/bien-dong-tai-khoan/",
        ],
        clerk: [
            "/",
            "/van-ban/den/",
            "/van-ban/di/",
            "/van-ban/tim-kiem/",
            "/xu-ly/tong-hop/",
            "/xu-ly/viec-cua-toi/",
            "/du-thao/",
            f"/lich-cong-tac/{province.stttt.pk}/2026/tuan-48/",
            f"/lich-cong-tac/{province.stttt.pk}/2026/tuan-48/them/",
            "/chu-ky-so/",
            "/tai-khoan/cua-toi/",
            "/tai-khoan/cua-toi/phien/",
        ],
    }
    for person, paths in pages.items():
        client = client_for(person)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert_no_inline_code(path, response.content.decode())


def test_django_admin_pages_hold_no_inline_code(province, client_for):
    """The Django admin (for the server's operators) renders under the same policy."""
    operator = province.province_admin
    User.objects.filter(pk=operator.pk).update(is_staff=True, is_superuser=True)
    client = client_for(User.objects.get(pk=operator.pk))
    for path in (
        "/django-admin/",
        "/django-admin/accounts/unit/",
        f"/django-admin/accounts/unit/{province.stttt.pk}/change/",
        "/django-admin/accounts/user/add/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_policy(path, response)
        assert "no-store" in response.headers["Cache-Control"], path
        assert_no_inline_code(path, response.content.decode())


def test_a_nonce_used_by_a_page_is_in_the_header(rf):
    """An inline script a template must keep uses the request's nonce (docs/architecture.md)."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import engines

    def view(request):
        template = engines["django"].from_string(
            '<script nonce="{{ request.csp_nonce }}">let ready = true;</script>'
        )
        return HttpResponse(template.render({"request": request}))

    request = rf.get("/")
    response = CSPMiddleware(view)(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in csp_directives(response)["script-src"]
    # A page that uses no nonce does not announce one.
    plain = CSPMiddleware(lambda request: HttpResponse("<p>ok</p>"))(rf.get("/"))
    assert csp_directives(plain)["script-src"] == ["'self'"]
