import pytest

from tests.support.documents import DECLARED, incoming_input
from tests.support.files import pdf_bytes, upload
from vanban.audit.models import AuditEvent
from vanban.core.errors import ServiceError
from vanban.documents import services
from vanban.documents.models import DocumentPolicy

pytestmark = pytest.mark.django_db
URL = "/van-ban/quy-dinh-tep/"


def values() -> tuple[int, int, int]:
    policy = DocumentPolicy.current()
    return policy.max_file_size_mb, policy.max_attachments, AuditEvent.objects.count()


def test_province_admin_sets_the_size_limit_and_it_applies(office, client_for):
    response = client_for(office.province.province_admin).post(
        URL, {"max_file_size_mb": "1", "max_attachments": "3"}
    )
    assert response.status_code == 302
    assert values()[:2] == (1, 3)
    big = pdf_bytes("Báo cáo") + b"%" * (1024 * 1024)
    with pytest.raises(ServiceError, match="lớn hơn giới hạn 1 MB"):
        services.incoming_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=incoming_input(),
            refusals=DECLARED,
            main_file=upload("lon.pdf", big),
        )


@pytest.mark.parametrize("who", ["anonymous", "staff_stttt", "admin_stttt", "clerk"])
def test_others_cannot_change_it(office, client_for, client, who):
    if who != "anonymous":
        client = client_for(office.clerk if who == "clerk" else getattr(office.province, who))
    before = values()
    response = client.post(URL, {"max_file_size_mb": "1", "max_attachments": "3"})
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert values() == before


@pytest.mark.parametrize(("size", "message"), [("0", "từ 1 đến 2048"), ("abc", "Hãy nhập một số")])
def test_bad_values_are_refused(office, client_for, size, message):
    admin = client_for(office.province.province_admin)
    before = values()
    response = admin.post(URL, {"max_file_size_mb": size, "max_attachments": "3"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert values() == before
