"""Handing an incoming document on from its page, as the clerk and the people meet it: the one way
to present it to a leader is the processing's "Trình lãnh đạo" (Art. 24.1; R14, R18), which the
document page offers while it waits; "Chuyển để biết" gives it for reading to the other people
of the unit, who are told and find it in "Việc của tôi" until they open it."""

import re
from typing import Any

import pytest

from tests.support.province import make_user
from tests.support.workflow import Work, present, register
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.core.errors import ServiceError
from vanban.core.models import Notification
from vanban.documents import services as document_services
from vanban.documents.models import Document, DocumentShare
from vanban.workflow.models import Processing, ProcessingStatus
from vanban.workflow.services.present_first import MSG_PRESENT_FIRST

pytestmark = pytest.mark.django_db

MY_WORK = "/xu-ly/viec-cua-toi/"


def share_options(page: str) -> str:
    match = re.search(r'<select name="user".*?</select>', page, re.DOTALL)
    assert match is not None
    return match.group(0)


def state(document: Document) -> dict[str, Any]:
    return {
        "shares": list(
            DocumentShare.objects.filter(document=document)
            .order_by("pk")
            .values_list("user_id", "for_reading", "opened_at")
        ),
        "notifications": Notification.objects.count(),
        "audit": AuditEvent.objects.count(),
        "processing": list(Processing.objects.filter(document=document).values_list("status")),
    }


def test_the_document_page_presents_through_the_processing(work: Work, client_for):
    document = register(work, subject="Về việc báo cáo chuyển đổi số")
    vice = make_user(work.so, "Phan Thị Phó", (Role.LEADER,))
    clerk = client_for(work.clerk)
    page = clerk.get(f"/van-ban/{document.pk}/").content.decode()

    # The clerk is offered "Trình lãnh đạo", and the leader is not among the people to give the
    # document to for reading while it waits to be presented.
    present_url = f"/xu-ly/van-ban/{document.pk}/#present-form"
    assert f'href="{present_url}"' in page
    assert "Trình lãnh đạo" in page
    options = share_options(page)
    assert work.director.full_name not in options
    assert vice.full_name not in options
    assert work.reader.full_name in options

    # Giving it to the leader anyway (a stale page, a hand-made request) is refused, with the
    # way to present it, and changes nothing.
    before = state(document)
    response = clerk.post(f"/van-ban/{document.pk}/chuyen/", {"user": work.director.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert MSG_PRESENT_FIRST in html
    assert work.director.full_name not in share_options(html)
    assert state(document) == before
    with pytest.raises(ServiceError) as refused:
        document_services.document_share(actor=work.clerk, document=document, user=work.director)
    assert refused.value.message == MSG_PRESENT_FIRST
    assert state(document) == before

    # The link leads to the processing page's form; presenting there reaches the leader.
    page = clerk.get(present_url.split("#")[0]).content.decode()
    assert 'id="present-form"' in page
    response = clerk.post(
        f"/xu-ly/van-ban/{document.pk}/trinh/", {"leader": work.director.pk, "note": ""}
    )
    assert response.status_code == 302
    assert Processing.objects.get(document=document).status == ProcessingStatus.PRESENTED
    notes = Notification.objects.filter(recipient=work.director)
    assert [n.title for n in notes] == ["Văn bản trình xin ý kiến chỉ đạo"]
    director = client_for(work.director)
    to_direct = director.get(MY_WORK).content.decode()
    assert 'id="to-direct"' in to_direct
    assert "Về việc báo cáo chuyển đổi số" in to_direct

    # Presented, the document no longer offers presenting, and the leaders may be given it.
    page = clerk.get(f"/van-ban/{document.pk}/").content.decode()
    assert f'href="{present_url}"' not in page
    assert vice.full_name in share_options(page)
    # Only the leader it was presented to was told.
    assert not Notification.objects.filter(recipient=vice).exists()


def test_a_person_given_the_document_is_told_and_finds_it_until_opening_it(work: Work, client_for):
    document = register(work, subject="Về việc tập huấn an toàn thông tin")
    clerk = client_for(work.clerk)
    response = clerk.post(f"/van-ban/{document.pk}/chuyen/", {"user": work.reader.pk}, follow=True)
    assert f"Đã chuyển văn bản cho {work.reader.full_name} để biết." in response.content.decode()

    note = Notification.objects.get(recipient=work.reader)
    assert note.title == f"{work.clerk.full_name} chuyển để biết: Quyết định số 15/QĐ-UBND"
    assert note.body == "Về việc tập huấn an toàn thông tin"
    assert note.link == f"/van-ban/{document.pk}/"

    reader = client_for(work.reader)
    page = reader.get(MY_WORK).content.decode()
    assert 'id="shared-to-read"' in page
    assert "Được chuyển để biết (1)" in page
    assert f'href="/van-ban/{document.pk}/"' in page
    assert "Về việc tập huấn an toàn thông tin" in page

    # Opening the document takes it off the list; it stays readable.
    assert reader.get(note.link).status_code == 200
    page = reader.get(MY_WORK).content.decode()
    assert 'id="shared-to-read"' not in page
    assert reader.get(note.link).status_code == 200

    # Given again (the service called twice): nothing new, no second notice.
    document_services.document_share(actor=work.clerk, document=document, user=work.reader)
    assert Notification.objects.filter(recipient=work.reader).count() == 1
    assert DocumentShare.objects.filter(document=document, user=work.reader).count() == 1


def test_presenting_and_assigning_are_not_listed_as_given_for_reading(work: Work, client_for):
    """The processing's own shares (presented, assigned) have their own sections."""
    document = register(work)
    document_services.document_share(actor=work.clerk, document=document, user=work.reader)
    present(work, document)
    director = client_for(work.director)
    page = director.get(MY_WORK).content.decode()
    assert 'id="to-direct"' in page
    assert 'id="shared-to-read"' not in page
    # After presenting, another leader given it for reading is told and finds it.
    vice = make_user(work.so, "Phan Thị Phó", (Role.LEADER,))
    document_services.document_share(actor=work.clerk, document=document, user=vice)
    assert Notification.objects.filter(recipient=vice).count() == 1
    assert 'id="shared-to-read"' in client_for(vice).get(MY_WORK).content.decode()
