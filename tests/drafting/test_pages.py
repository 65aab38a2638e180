"""Drafting pages driven as a browser would: refusals shown next to their field or at the top
with nothing changed, the actions each person is offered, drafting an update or a replacement,
and a version whose stored file changed."""

import re

import pytest
from django.core.files.storage import default_storage

from tests.drafting.test_path_pages import create_form
from tests.drafting.test_services import state, stored
from tests.support.drafting import SUBJECT, create_draft, issued, to_reviewing
from tests.support.files import pdf_bytes, upload
from vanban.drafting.models import Draft, DraftStatus
from vanban.exchange.models import BusinessType

pytestmark = pytest.mark.django_db

FORMS = (
    "comment-form",
    "content-form",
    "format-form",
    "approve-form",
    "issue-form",
    "sign-form",
    "sign-request-form",
    "signed-upload-form",
    "submit-form",
    "version-form",
    "comment-request-form",
)


def offered(html: str) -> set[str]:
    return {name for name in FORMS if f'id="{name}"' in html}


def field_block(html: str, name: str) -> str:
    match = re.search(rf'id="field-{name}">(.*?)</div>', html, re.DOTALL)
    assert match is not None, name
    return match.group(1)


def test_a_stamped_file_is_refused_on_the_page_and_nothing_is_stored(team, client_for):
    client = client_for(team.drafter)
    before = state()
    stamped = upload("Kế hoạch mật.pdf", pdf_bytes("TUYỆT MẬT", SUBJECT), "application/pdf")
    response = client.post("/du-thao/moi/", create_form(team, content_file=stamped))
    assert response.status_code == 200
    html = response.content.decode()
    assert "có dấu chỉ độ mật “TUYỆT MẬT”" in field_block(html, "content_file")
    assert "hãy chọn lại tệp nội dung" in html
    assert state() == before and stored() == []


def test_the_declaration_is_required_on_the_page(team, client_for):
    data = create_form(team)
    del data["sensitive_declared"]
    client = client_for(team.drafter)
    before = state()
    response = client.post("/du-thao/moi/", data)
    assert "Hãy xác nhận văn bản không có nội dung nhạy cảm" in field_block(
        response.content.decode(), "sensitive_declared"
    )
    assert state() == before


def test_each_person_is_offered_only_what_they_may_do(team, client_for):
    draft = create_draft(team)
    url = f"/du-thao/{draft.pk}/"
    assert offered(client_for(team.drafter).get(url).content.decode()) == {
        "submit-form",
        "version-form",
        "comment-request-form",
    }
    assert offered(client_for(team.signer).get(url).content.decode()) == set()
    to_reviewing(team, draft)
    assert offered(client_for(team.head).get(url).content.decode()) == {"content-form"}
    assert offered(client_for(team.checker).get(url).content.decode()) == {"format-form"}
    assert offered(client_for(team.drafter).get(url).content.decode()) == {"comment-request-form"}


def test_a_step_in_the_wrong_state_is_refused_on_the_page(team, client_for):
    draft = create_draft(team)
    client = client_for(team.signer)
    before = state()
    response = client.post(f"/du-thao/{draft.pk}/phe-duyet/", {"approve-decision": "accept"})
    assert response.status_code == 200
    error = re.search(r'id="action-error">(.*?)</div>', response.content.decode(), re.DOTALL)
    assert "Dự thảo đang được soạn thảo, chưa được trình kiểm tra." in error.group(1)
    assert state() == before


def test_returning_without_a_note_is_refused_next_to_the_note(team, client_for):
    draft = create_draft(team)
    to_reviewing(team, draft)
    head = client_for(team.head)
    before = state()
    response = head.post(f"/du-thao/{draft.pk}/kiem-tra-noi-dung/", {"content-decision": "return"})
    assert response.status_code == 200
    assert "Hãy nhập ý kiến." in field_block(response.content.decode(), "content-note")
    assert state() == before
    response = head.post(
        f"/du-thao/{draft.pk}/kiem-tra-noi-dung/",
        {"content-decision": "return", "content-note": "Bổ sung số liệu"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFTING


def test_drafting_a_replacement_from_the_issued_draft(team, client_for):
    first, original = issued(team)
    client = client_for(team.drafter)
    assert "?goc=" in client.get(f"/du-thao/{first.pk}/").content.decode()
    page = client.get(f"/du-thao/moi/?goc={first.pk}&loai=3")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Thay thế văn bản số 01/KH-STTTT ngày 25/11/2026" in html
    assert page.context["form"].initial["subject"] == SUBJECT
    data = create_form(team, goc=str(first.pk), loai="3", subject="Kế hoạch (thay thế)")
    response = client.post("/du-thao/moi/", data)
    assert response.status_code == 302
    draft = Draft.objects.latest("pk")
    assert (draft.business_type, draft.original_document) == (BusinessType.REPLACE, original)
    # Someone who may not draft a follow-up of it does not learn that it exists.
    assert client_for(team.staff_snv).get(f"/du-thao/moi/?goc={first.pk}&loai=3").status_code == 404
    assert client.get(f"/du-thao/moi/?goc={first.pk}&loai=1").status_code == 404


def test_a_changed_stored_version_is_not_sent(team, client_for):
    draft = create_draft(team)
    with default_storage.open(draft.current_version.storage_name, "wb") as handle:
        handle.write(b"%PDF-1.4 changed")
    response = client_for(team.drafter).get(f"/du-thao/{draft.pk}/phien-ban/1/tai-xuong/")
    assert response.status_code == 409
    assert "mã băm SHA-256 không khớp" in response.content.decode()
