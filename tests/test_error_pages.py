import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_unknown_page_answers_in_vietnamese(province, client_for):
    response = client_for(province.staff_stttt).get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_staff_on_an_admin_page_gets_a_vietnamese_refusal(province, client_for):
    response = client_for(province.staff_stttt).get("/tai-khoan/quan-tri/tai-khoan/")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_a_stale_form_gets_a_vietnamese_message(province):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/tai-khoan/dang-nhap/", {"username": "a.b", "password": "x"})
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in response.content.decode()
