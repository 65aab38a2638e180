"""`vanban quickstart`: prepares a single-machine install and prints demo logins that work."""

import io
import os
import re
import time

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.second_factor import ENROL_PAGE, enrol
from vanban.accounts.demo import DEMO_LOGIN_USERNAMES
from vanban.accounts.models import Unit, User
from vanban.audit.models import AuditEvent

# These tests need a database of their own making: the shared province is emptied away.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]

LOGIN_ROW = re.compile(
    r"^(?P<username>[a-z0-9]+\.[a-z0-9]+)\s{2}.*\s(?P<password>\S+)$", re.MULTILINE
)


def quickstart(*args: str) -> str:
    out = io.StringIO()
    call_command("quickstart", "--no-serve", *args, stdout=out)
    return out.getvalue()


def test_quickstart_loads_the_demo_once_and_prints_logins_that_work():
    output = quickstart("--addr", "127.0.0.1:8765")
    assert "3/3 Nạp tỉnh mẫu" in output
    assert "Đã tính số liệu thống kê sử dụng từ ngày" in output
    assert "Địa chỉ: http://127.0.0.1:8765/" in output
    assert "Tên tài khoản" in output and "Mật khẩu" in output
    logins = {m["username"]: m["password"] for m in LOGIN_ROW.finditer(output)}
    assert list(logins) == list(DEMO_LOGIN_USERNAMES)

    # The administrators are told they enrol a second factor at first login (R6).
    assert "honglt.stttt, quannh.stttt: vai trò quản trị phải bật xác thực hai bước" in output
    for username in ("quannh.stttt", "phuongnt.stttt"):
        client = Client()
        response = client.post(
            "/tai-khoan/dang-nhap/", {"username": username, "password": logins[username]}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/"
        if username == "quannh.stttt":
            assert client.get("/").headers["Location"] == ENROL_PAGE
            enrol(client, User.objects.get(username=username))
        assert client.get("/").status_code == 200

    # A second run changes nothing and still shows the same logins.
    before = (
        Unit.objects.count(),
        User.objects.count(),
        AuditEvent.objects.exclude(action__startswith="login.").count(),
    )
    again = quickstart()
    assert f"Đã có dữ liệu ({before[0]} đơn vị, {before[1]} tài khoản)" in again
    assert "Nạp tỉnh mẫu" not in again
    assert {m["username"] for m in LOGIN_ROW.finditer(again)} == set(DEMO_LOGIN_USERNAMES)
    assert (
        Unit.objects.count(),
        User.objects.count(),
        AuditEvent.objects.exclude(action__startswith="login.").count(),
    ) == before


def test_quickstart_keeps_an_existing_province_and_shows_no_false_logins(province):
    # The test province has people called honglt.stttt, ducpm.stttt and phuongnt.stttt,
    # but the demo password does not open their accounts: they are not offered.
    before = (Unit.objects.count(), User.objects.count())
    output = quickstart()
    assert "giữ nguyên, không nạp tỉnh mẫu" in output
    assert "Không có tài khoản dùng thử nào mở được bằng mật khẩu mẫu" in output
    assert not LOGIN_ROW.search(output)
    assert (Unit.objects.count(), User.objects.count()) == before


def test_demo_login_that_changed_its_password_is_no_longer_offered():
    quickstart()
    user = User.objects.get(username="phuongnt.stttt")
    user.set_password("Mat-khau-moi-1")
    user.save(update_fields=["password"])
    logins = [m["username"] for m in LOGIN_ROW.finditer(quickstart())]
    assert "phuongnt.stttt" not in logins
    assert len(logins) == len(DEMO_LOGIN_USERNAMES) - 1


def test_quickstart_refuses_a_bad_address_before_touching_anything():
    with pytest.raises(CommandError) as refused:
        quickstart("--addr", "127.0.0.1:abc")
    assert str(refused.value) == "Địa chỉ “127.0.0.1:abc” không hợp lệ; ví dụ đúng: 127.0.0.1:8000."
    assert not Unit.objects.exists()


def test_static_files_are_collected_again_only_when_a_source_changed(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATICFILES_DIRS = [tmp_path / "extra"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "a.css").write_text("body { color: black; }")
    assert "2/3 Chuẩn bị tệp tĩnh" in quickstart()
    assert (tmp_path / "collected" / "staticfiles.json").exists()
    assert "2/3 Tệp tĩnh (CSS, JavaScript, phông chữ) đã sẵn sàng." in quickstart()

    (tmp_path / "extra" / "b.css").write_text("p { color: red; }")
    assert "2/3 Chuẩn bị tệp tĩnh" in quickstart()
    assert (tmp_path / "collected" / "b.css").exists()
    assert "đã sẵn sàng" in quickstart()

    later = time.time() + 60
    os.utime(tmp_path / "extra" / "a.css", (later, later))
    assert "2/3 Chuẩn bị tệp tĩnh" in quickstart()
