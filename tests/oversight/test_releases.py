"""Release notes (R23; Art. 8.4): each person sees a new version's notes once after signing in,
every version's notes stay on "Có gì mới", and only the province's administrators see the state
of the server."""

import pytest
from django.urls import reverse

from tests.support.province import make_user
from vanban import __version__
from vanban.accounts.models import Role
from vanban.oversight.models import ReleaseNoticeShown
from vanban.oversight.releases import note_parse, release_note, release_notes
from vanban.oversight.system_status import migration_status

pytestmark = pytest.mark.django_db

NOTICE = 'id="release-notice"'


def home(client) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("portal:home")).content.decode()


def test_the_running_version_has_its_notes_in_vietnamese():
    note = release_note(__version__)
    assert note is not None
    assert note.title == f"Phiên bản {__version__}"
    assert note.released is not None
    assert "giám sát" in note.summary
    assert "<h3>Mới trong phiên bản này</h3>" in note.html
    assert "<h3>Hệ thống hiện có</h3>" in note.html
    assert release_notes()[0].version == __version__


def test_notes_are_escaped_and_keep_their_structure():
    note = note_parse(
        "9.1.0",
        "# Phiên bản 9.1.0\nNgày phát hành: 02/01/2027\n\nTóm tắt <b>ngắn</b>\nhai dòng.\n\n"
        "## Mới\n- Mục **một** `lệnh`\n  tiếp dòng\n- Mục <script>hai</script>\n",
    )
    assert note.released is not None and note.released.isoformat() == "2027-01-02"
    assert note.summary == "Tóm tắt <b>ngắn</b> hai dòng."
    assert "<p>Tóm tắt &lt;b&gt;ngắn&lt;/b&gt; hai dòng.</p>" in note.html
    assert "<li>Mục <strong>một</strong> <code>lệnh</code> tiếp dòng</li>" in note.html
    assert "<script>" not in note.html
    assert note.anchor == "phien-ban-9-1-0"


def test_the_notice_comes_once_then_never_again_for_that_version(province, client_for):
    person = make_user(province.stttt, "Trần Thị Mới", (Role.STAFF,))
    client = client_for(person)
    page = home(client)
    assert NOTICE in page
    assert f"Hệ thống đã được nâng cấp lên phiên bản {__version__}" in page
    assert release_note(__version__).summary in page  # type: ignore[union-attr]
    assert ReleaseNoticeShown.objects.filter(user=person, version=__version__).count() == 1

    # It stays on the pages of the session until closed...
    assert NOTICE in client.get(reverse("workflow:my_work")).content.decode()
    response = client.post(
        reverse("oversight:release_notice_close"), {"next": reverse("workflow:my_work")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("workflow:my_work")
    assert NOTICE not in home(client)

    # ...and a later login does not bring it back.
    again = client_for(person)
    assert NOTICE not in home(again)
    assert ReleaseNoticeShown.objects.filter(user=person).count() == 1


def test_closing_by_htmx_answers_an_empty_fragment(province, client_for):
    client = client_for(province.staff_stttt)
    response = client.post(reverse("oversight:release_notice_close"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert NOTICE not in home(client)


def test_closing_never_redirects_to_another_site(province, client_for):
    client = client_for(province.staff_stttt)
    response = client.post(
        reverse("oversight:release_notice_close"), {"next": "https://example.com/"}
    )
    assert response["Location"] == reverse("portal:home")


def test_a_new_version_shows_again(province, client_for, settings):
    person = province.staff_snv
    client_for(person)
    assert list(
        ReleaseNoticeShown.objects.filter(user=person).values_list("version", flat=True)
    ) == [__version__]
    settings.VANBAN_VERSION = "99.0.0"
    client = client_for(person)
    page = home(client)
    assert NOTICE in page
    assert "Hệ thống đã được nâng cấp lên phiên bản 99.0.0" in page
    assert set(
        ReleaseNoticeShown.objects.filter(user=person).values_list("version", flat=True)
    ) == {
        __version__,
        "99.0.0",
    }


def test_a_session_opened_before_the_upgrade_does_not_show_the_old_version(
    province, client_for, settings
):
    """The notice in a session is of the version that was running at login; a server upgraded
    meanwhile shows it at the next login, not the old one."""
    client = client_for(province.leader_stttt)
    settings.VANBAN_VERSION = "99.0.0"
    assert NOTICE not in home(client)


def test_the_page_lists_every_version_with_the_running_one_first(province, client_for):
    client = client_for(province.staff_stttt)
    response = client.get(reverse("oversight:release_notes"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="phien-ban-{__version__.replace(".", "-")}"' in page
    assert "Mới trong phiên bản này" in page and "(đang chạy)" in page
    assert f"Phiên bản {__version__} · Có gì mới" in page  # the footer's link


def test_the_notes_page_needs_a_login(client):
    response = client.get(reverse("oversight:release_notes"))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]
    assert client.post(reverse("oversight:release_notice_close")).status_code == 302


def test_the_province_admin_sees_the_version_migrations_and_checks(province, client_for):
    client = client_for(province.province_admin)
    response = client.get(reverse("oversight:system_status"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<strong id="running-version">{__version__}</strong>' in page
    assert 'id="migrations-done"' in page
    # Every app with migrations, with its latest one.
    latest = {row.app: row.latest for row in migration_status()}
    assert "<td>oversight</td>" in page and f"<code>{latest['oversight']}</code>" in page
    assert "<td>accounts</td>" in page and "<td>documents</td>" in page
    for name in (
        "Cấu hình Django (vanban check)",
        "Cơ sở dữ liệu",
        "Cập nhật cơ sở dữ liệu (migrate)",
        "Quét mã độc (ClamAV)",
        "LibreOffice (dự thảo Word sang PDF)",
        "Thư điện tử",
        "Hàng đợi công việc (vanban db_worker)",
        "Lịch việc hằng ngày (vanban scheduler)",
        "Ghi chú phát hành",
    ):
        assert f"<td>{name}</td>" in page, name
    # The test settings switch scanning off and configure no mail server: said so.
    assert "Quét mã độc: ĐANG TẮT" in page
    assert "Chưa cấu hình máy chủ thư" in page


@pytest.mark.parametrize("who", ["admin_stttt", "leader_stttt", "staff_snv"])
def test_other_people_are_refused_the_state_of_the_server(province, client_for, who):
    response = client_for(getattr(province, who)).get(reverse("oversight:system_status"))
    assert response.status_code == 403
    assert "Chỉ quản trị tỉnh được xem tình trạng hệ thống." in response.content.decode()


def test_the_state_of_the_server_needs_a_login(client):
    response = client.get(reverse("oversight:system_status"))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]
