"""Acting on several documents of "Việc của tôi" at once (R18): each through the single action's
service, in its own transaction; the answer says what was done and what was refused, and why."""

import io

import pytest
from django.utils.html import escape
from openpyxl import load_workbook

from tests.support.documents import DECLARED, incoming_input
from tests.support.files import pdf_upload
from tests.support.workflow import Work, assignment, directed, present, register
from vanban.accounts.models import Role, RoleAssignment, User
from vanban.documents import services as document_services
from vanban.documents.models import DocumentShare
from vanban.workflow import bulk_views, services
from vanban.workflow.models import Assignment, Processing, ProcessingStatus, TrailEntry

pytestmark = pytest.mark.django_db

URL = "/xu-ly/viec-cua-toi/chon/"


def other_unit_document(work: Work):  # type: ignore[no-untyped-def]
    return document_services.incoming_register(
        actor=work.other_clerk,
        unit=work.province.snv,
        data=incoming_input(code_number="99"),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )


def statuses(*documents):  # type: ignore[no-untyped-def]
    found = dict(
        Processing.objects.filter(document__in=documents).values_list("document_id", "status")
    )
    return [found.get(d.pk) for d in documents]


def test_the_list_offers_checkboxes_the_actions_and_forward(work, client_for):
    waiting = register(work, code_number="1")
    html = client_for(work.clerk).get("/xu-ly/viec-cua-toi/").content.decode()
    assert f'name="documents" value="{waiting.pk}" form="bulk-form"' in html
    assert 'value="present"' in html and 'value="export"' in html
    assert f'<option value="{work.director.pk}">{work.director.full_name}</option>' in html
    assert f'href="/van-ban/{waiting.pk}/#share-form" class="row-forward">Chuyển</a>' in html


def test_a_clerk_presents_several_documents_at_once(work, client_for):
    first, second = register(work, code_number="1"), register(work, code_number="2")
    already = directed(work, code_number="3")
    foreign = other_unit_document(work)
    entries = TrailEntry.objects.count()
    response = client_for(work.clerk).post(
        URL,
        {
            "action": "present",
            "leader": work.director.pk,
            "documents": [first.pk, second.pk, already.pk, foreign.pk],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đã làm xong 2 văn bản; 2 văn bản không làm được." in html
    assert escape("Văn bản đã có ý kiến chỉ đạo; không trình lại.") in html
    assert escape(bulk_views.MSG_NOT_VISIBLE) in html
    assert statuses(first, second, already) == [
        ProcessingStatus.PRESENTED,
        ProcessingStatus.PRESENTED,
        ProcessingStatus.IN_PROGRESS,
    ]
    assert statuses(foreign) == [None]
    assert TrailEntry.objects.count() == entries + 2  # one "presented" entry per document done
    assert Processing.objects.get(document=first).presented_to == work.director


def test_presenting_to_someone_not_a_leader_changes_nothing(work, client_for):
    first, second = register(work, code_number="1"), register(work, code_number="2")
    response = client_for(work.clerk).post(
        URL, {"action": "present", "leader": work.reader.pk, "documents": [first.pk, second.pk]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count(escape(services.MSG_PRESENT_TO)) == 2
    assert statuses(first, second) == [None, None]


def test_only_a_clerk_presents(work, client_for):
    document = register(work, code_number="1")
    document_services.document_share(actor=work.clerk, document=document, user=work.reader)
    response = client_for(work.reader).post(
        URL, {"action": "present", "leader": work.director.pk, "documents": [document.pk]}
    )
    assert response.status_code == 400
    assert escape(services.MSG_NOT_CLERK) in response.content.decode()
    assert statuses(document) == [None]


def test_a_leader_gives_several_documents_with_one_direction(work, client_for):
    first, second = register(work, code_number="1"), register(work, code_number="2")
    present(work, first)
    present(work, second)
    waiting = register(work, code_number="3")  # not presented: refused
    client = client_for(work.director)
    chosen = [first.pk, second.pk, waiting.pk]
    form = client.post(URL, {"action": "direct", "documents": chosen})
    assert form.status_code == 200
    assert 'id="bulk-direct-form"' in form.content.decode()
    assert Assignment.objects.count() == 0
    # The form sent without a direction comes back with the reason, and nothing is given.
    refused = client.post(
        URL, {"action": "direct", "documents": chosen, "direction": "", "lead": ""}
    )
    assert refused.status_code == 400
    assert Assignment.objects.count() == 0
    response = client.post(
        URL,
        {
            "action": "direct",
            "documents": chosen,
            "direction": "Giao phòng Kế hoạch chủ trì, tham mưu.",
            "lead": f"unit:{work.plan.pk}",
            "deadline": "20/12/2026",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đã làm xong 2 văn bản; 1 văn bản không làm được." in html
    assert escape(services.MSG_NOT_PRESENTED) in html
    assert statuses(first, second, waiting) == [
        ProcessingStatus.IN_PROGRESS,
        ProcessingStatus.IN_PROGRESS,
        None,  # registered, never presented
    ]
    lead = assignment(first, role="lead")
    assert (lead.assignee_unit, lead.deadline.isoformat()) == (work.plan, "2026-12-20")


def test_giving_documents_of_two_units_at_once_is_refused(work, client_for):
    mine = register(work, code_number="1")
    present(work, mine)
    foreign = other_unit_document(work)
    # The director leads the other Sở too (a person may lead two units).
    RoleAssignment.objects.create(user=work.director, unit=work.province.snv, role=Role.LEADER)
    director = User.objects.get(pk=work.director.pk)  # roles read afresh
    services.processing_present(actor=work.other_clerk, document=foreign, leader=director)
    response = client_for(work.director).post(
        URL, {"action": "direct", "documents": [mine.pk, foreign.pk]}, follow=True
    )
    assert bulk_views.MSG_MANY_UNITS in response.content.decode()
    assert Assignment.objects.count() == 0


def test_a_staff_member_marks_several_documents_read(work, client_for):
    informed = directed(work, code_number="1")  # the reader receives it for information
    shared = register(work, code_number="2")
    document_services.document_share(actor=work.clerk, document=shared, user=work.reader)
    nothing = register(work, code_number="3")
    document_services.document_share(actor=work.clerk, document=nothing, user=work.reader)
    client = client_for(work.reader)
    assert client.get(f"/van-ban/{nothing.pk}/").status_code == 200  # opened: read already
    foreign = other_unit_document(work)
    response = client.post(
        URL,
        {"action": "read", "documents": [informed.pk, shared.pk, nothing.pk, foreign.pk]},
    )
    html = response.content.decode()
    assert "Đã làm xong 2 văn bản; 2 văn bản không làm được." in html
    assert escape(services.MSG_NOTHING_TO_READ) in html
    assert escape(bulk_views.MSG_NOT_VISIBLE) in html
    assert assignment(informed, role="info", assignee_user=work.reader).read_at is not None
    assert DocumentShare.objects.get(document=shared, user=work.reader).opened_at is not None


def test_the_chosen_documents_are_exported_those_one_may_see_only(work, client_for):
    first, second = register(work, code_number="1"), register(work, code_number="2")
    foreign = other_unit_document(work)
    response = client_for(work.clerk).post(
        URL, {"action": "export", "documents": [second.pk, foreign.pk, first.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="van-ban-duoc-chon-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0].startswith("Danh sách văn bản được chọn – ngày ")
    numbers = [row[1] for row in values[6:]]
    assert numbers == [second.number_symbol, first.number_symbol]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "present", "leader": "1"}, bulk_views.MSG_NONE_CHOSEN),
        ({"action": "delete", "documents": ["1"]}, bulk_views.MSG_UNKNOWN_ACTION),
        ({"action": "read", "documents": ["abc"]}, bulk_views.MSG_NOT_VISIBLE),
        ({"action": "present", "documents": ["1"]}, "Hãy chọn lãnh đạo để trình."),
        (
            {"action": "read", "documents": [str(n) for n in range(1, 202)]},
            bulk_views.MSG_TOO_MANY,
        ),
    ],
)
def test_bad_input_is_refused_with_a_message(work, client_for, data, message):
    document = register(work, code_number="1")
    response = client_for(work.clerk).post(URL, data, follow=True)
    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert statuses(document) == [None]


def test_a_get_is_not_an_action(work, client_for):
    assert client_for(work.clerk).get(URL).status_code == 405


def test_the_incoming_list_offers_the_same_actions_by_role(work, client_for):
    document = register(work, code_number="1")
    document_services.document_share(actor=work.clerk, document=document, user=work.reader)
    clerk = client_for(work.clerk).get("/van-ban/den/").content.decode()
    assert f'action="{URL}" id="bulk-form"' in clerk
    assert f'name="documents" value="{document.pk}" form="bulk-form"' in clerk
    assert 'value="present"' in clerk and 'value="direct"' not in clerk
    assert f'<option value="{work.director.pk}">{work.director.full_name}</option>' in clerk
    assert f'href="/van-ban/{document.pk}/#share-form" class="row-forward">Chuyển</a>' in clerk
    director = client_for(work.director).get("/van-ban/den/").content.decode()
    assert 'value="direct"' in director and 'value="present"' not in director
    reader = client_for(work.reader).get("/van-ban/den/").content.decode()
    assert 'value="read"' in reader and 'value="export"' in reader
    assert 'value="present"' not in reader and 'value="direct"' not in reader
    assert "row-forward" not in reader  # only clerks and leaders give documents
