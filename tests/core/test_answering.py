"""The rule of docs/architecture.md, "Answering a request", on its own: what a refusal that leaves
a view becomes (`RefusalMiddleware`), what `form_action` answers, and the request helpers."""

import pytest
from django.test import Client, RequestFactory

from vanban.accounts.http import request_user
from vanban.accounts.models import AccountStatus, User
from vanban.accounts.services import require_active
from vanban.core.errors import AccessDenied
from vanban.core.http import client_ip

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.answering_urls")]


def test_an_object_the_person_may_not_see_does_not_exist_for_them():
    response = Client().get("/raise/not-found/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_an_action_the_role_lacks_is_403_with_the_reason():
    response = Client().get("/raise/denied/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Không có quyền truy cập" in page
    assert "Chỉ văn thư được làm việc này." in page


@pytest.mark.parametrize("kind", ["refused", "field"])
def test_a_refusal_no_form_caught_is_400_with_its_message_never_a_server_error(kind):
    response = Client().get(f"/raise/{kind}/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Yêu cầu không hợp lệ" in page
    assert ("Hồ sơ đã đóng" in page) or ("Tên trùng" in page)


def test_form_action_done_redirects_with_the_message():
    client = Client()
    response = client.post("/act/ok/", {"name": "Hồ sơ A"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_form_action_checks_the_role_first():
    response = Client().post("/act/role/", {"name": ""})
    assert response.status_code == 403
    assert "Chỉ lãnh đạo được làm việc này." in response.content.decode()


@pytest.mark.parametrize("status", [200, 400])
def test_form_action_shows_input_that_does_not_parse_again(status):
    response = Client().post(f"/act/ok/?invalid={status}", {"name": ""})
    assert response.status_code == status
    page = response.content.decode()
    assert "Chưa lưu gì: hãy sửa các mục được báo lỗi." in page
    assert "name" in page


def test_form_action_puts_a_refusal_next_to_its_field():
    response = Client().post("/act/field/", {"name": "Hồ sơ A"})
    assert response.status_code == 200
    assert "* name\n  * Tên trùng với hồ sơ khác." in response.content.decode()


@pytest.mark.parametrize("status", [200, 400])
def test_form_action_shows_a_refusal_on_the_form(status):
    response = Client().post(f"/act/refused/?refused={status}", {"name": "Hồ sơ A"})
    assert response.status_code == status
    page = response.content.decode()
    assert "error=[Hồ sơ đã đóng, không sửa được.]" in page
    assert "* __all__\n  * Hồ sơ đã đóng, không sửa được." in page


def test_form_action_answers_not_found_404_and_denied_403():
    assert Client().post("/act/not-found/", {"name": "A"}).status_code == 404
    denied = Client().post("/act/denied/", {"name": "A"})
    assert denied.status_code == 403
    assert "Không có quyền truy cập" in denied.content.decode()


def test_form_action_may_show_a_denial_on_the_page_itself():
    response = Client().post("/act/denied/?on_page=1", {"name": "A"})
    assert response.status_code == 403
    assert response.content.decode() == "page error=[Chỉ văn thư được làm việc này.] form=[]"


def test_client_ip_trusts_x_real_ip_only_behind_the_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    settings.VANBAN_BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.VANBAN_BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.9"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="")) is None


def test_request_user_is_the_signed_in_person_or_the_token_owner(province):
    request = RequestFactory().get("/")
    request.user = province.staff_stttt
    assert request_user(request) == province.staff_stttt
    request.auth = province.leader_stttt  # type: ignore[attr-defined]
    assert request_user(request) == province.leader_stttt


def test_services_refuse_anyone_but_an_active_account(province):
    from django.contrib.auth.models import AnonymousUser

    require_active(province.staff_stttt)
    for actor in (None, AnonymousUser()):
        with pytest.raises(AccessDenied):
            require_active(actor)
    locked = User.objects.get(pk=province.staff_snv.pk)
    locked.status = AccountStatus.LOCKED
    with pytest.raises(AccessDenied):
        require_active(locked)
