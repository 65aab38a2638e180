"""Reports of suspicious attachments and the malware detections (R20; Art. 9.2.đ): the form
offers the files quarantined in the person's unit; the report's page names the file, and shows
its administrators every detection of the same file (same SHA-256), each a link to the list of
detections."""

import pytest

from tests.oversight.support_faults import report
from tests.support.clamd import EICAR
from vanban.core.errors import ServiceError
from vanban.oversight.models_faults import FaultReport
from vanban.scanning.models import Detection
from vanban.scanning.services import detection_record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

NEW = "/giam-sat/bao-loi/moi/"


def detected(user, unit, name="hoa-don.pdf", source="Văn bản đến") -> Detection:
    return detection_record(
        data=EICAR,
        name=name,
        signature="Eicar-Test-Signature",
        actor=user,
        unit=unit,
        source=source,
    )


def test_the_form_offers_the_quarantined_files_of_the_unit(province, client_for):
    own = detected(province.leader_stttt, province.stttt)
    foreign = detected(province.staff_snv, province.snv, name="ngoai-don-vi.pdf")
    client = client_for(province.staff_stttt)
    form = client.get(NEW, {"loai": "misuse"}).content.decode()
    assert f'<option value="{own.pk}">hoa-don.pdf – Eicar-Test-Signature' in form
    assert "ngoai-don-vi.pdf" not in form
    answer = client.post(
        NEW,
        {"kind": "misuse", "text": "Tệp đính kèm lạ.", "detection": foreign.pk, "page_url": "/"},
    )
    assert answer.status_code == 200
    assert "Tệp bị cách ly đã chọn không thuộc đơn vị của bạn." in answer.content.decode()
    assert not FaultReport.objects.exists()
    answer = client.post(
        NEW, {"kind": "misuse", "text": "Tệp đính kèm lạ.", "detection": own.pk, "page_url": "/"}
    )
    assert answer.status_code == 302
    assert FaultReport.objects.get().detection == own


def test_a_detection_goes_only_with_a_misuse_report(province):
    own = detected(province.leader_stttt, province.stttt)
    with pytest.raises(ServiceError) as caught:
        report(province.staff_stttt, kind="fault", detection_id=own.pk)
    assert caught.value.message == (
        "Chỉ chọn tệp bị cách ly khi báo nghi ngờ lạm dụng hoặc tệp đính kèm đáng ngờ."
    )
    with pytest.raises(ServiceError) as caught:
        report(
            province.staff_stttt,
            kind="misuse",
            detection_id=detected(province.staff_snv, province.snv).pk,
        )
    assert caught.value.field == "detection"
    assert not FaultReport.objects.exists()


def test_administrators_go_from_the_report_to_the_detections_of_the_same_file(province, client_for):
    first = detected(province.leader_stttt, province.stttt)
    again = detected(province.staff_stttt, province.stttt, name="hoa-don (1).pdf", source="Dự thảo")
    elsewhere = detected(province.staff_snv, province.snv, name="hoa-don-snv.pdf")
    made = report(province.staff_stttt, kind="misuse", detection_id=first.pk)
    url = f"/giam-sat/bao-loi/{made.pk}/"

    it_page = client_for(province.admin_stttt).get(url).content.decode()
    for detection in (first, again):
        assert f'href="/ma-doc/#detection-{detection.pk}"' in it_page
    assert f"#detection-{elsewhere.pk}" not in it_page  # another unit's, not administered
    department_page = client_for(province.province_admin).get(url).content.decode()
    for detection in (first, again, elsewhere):
        assert f'href="/ma-doc/#detection-{detection.pk}"' in department_page
    # The detection list has the row the link leads to.
    listing = client_for(province.admin_stttt).get("/ma-doc/").content.decode()
    assert f'id="detection-{first.pk}"' in listing

    reporter_page = client_for(province.staff_stttt).get(url).content.decode()
    assert "hoa-don.pdf" in reporter_page and "Eicar-Test-Signature" in reporter_page
    assert 'id="fault-detections"' not in reporter_page
