"""The processing services: each step, its trail, audit and shares; refusals change nothing."""

import datetime as dt

import pytest

from tests.support import refusals
from tests.support.province import make_user
from tests.support.snapshots import snapshot
from tests.support.workflow import (
    DIRECTION,
    NOW,
    TODAY,
    assignment,
    direct,
    directed,
    present,
    register,
)
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.models import Notification
from vanban.documents.models import Document, DocumentShare
from vanban.workflow import services
from vanban.workflow.models import (
    AssignmentStatus,
    DeadlinePolicy,
    ExtensionStatus,
    Processing,
    ProcessingStatus,
    Reminder,
    TrailEntry,
)

pytestmark = pytest.mark.django_db


def refused(exc_type, message, call):  # type: ignore[no-untyped-def]
    """The call raises `exc_type` with exactly `message` and changes nothing."""
    refusals.refused(call, exc_type, message, state=snapshot)


def trail(document: Document) -> list[tuple[str, str, str]]:
    return list(
        TrailEntry.objects.filter(document=document)
        .order_by("at", "pk")
        .values_list("action", "actor_name", "on_behalf_of_name")
    )


# ---------------------------------------------------------------- presenting and directing


def test_present_creates_the_record_shares_and_notifies(work):
    document = register(work)
    processing = present(work, document)
    assert (processing.status, processing.presented_to, processing.presented_by) == (
        ProcessingStatus.PRESENTED,
        work.director,
        work.clerk,
    )
    assert trail(document) == [("presented", "Võ Thị Thu Trang", "")]
    assert TrailEntry.objects.get().summary == "Trình lãnh đạo Phạm Minh Đức."
    assert AuditEvent.objects.filter(action="workflow.present", target_id=str(document.pk)).exists()
    assert Notification.objects.filter(
        recipient=work.director, title="Văn bản trình xin ý kiến chỉ đạo"
    ).exists()
    # Presented again, to another leader, until there is a direction.
    second = make_user(work.so, "Phan Phó Giám Đốc", (Role.LEADER,))
    services.processing_present(actor=work.clerk, document=document, leader=second)
    processing.refresh_from_db()
    assert processing.presented_to == second
    assert TrailEntry.objects.last().summary == "Trình lãnh đạo Phan Phó Giám Đốc (trình lại)."


def test_present_refusals_change_nothing(work):
    document = register(work)
    refused(
        AccessDenied,
        "Chỉ văn thư của đơn vị được trình văn bản.",
        lambda: services.processing_present(
            actor=work.director, document=document, leader=work.director
        ),
    )
    refused(
        AccessDenied,
        "Chỉ văn thư của đơn vị được trình văn bản.",
        lambda: services.processing_present(
            actor=work.other_clerk, document=document, leader=work.director
        ),
    )
    refused(
        ServiceError,
        "Chỉ trình văn bản cho lãnh đạo đang hoạt động của đơn vị.",
        lambda: services.processing_present(
            actor=work.clerk, document=document, leader=work.plan_head
        ),
    )
    direct_after = directed(work, code_number="16")
    refused(
        ServiceError,
        "Văn bản đã có ý kiến chỉ đạo; không trình lại.",
        lambda: present(work, direct_after),
    )


def test_direct_gives_the_work_and_shares_the_document(work):
    document = register(work)
    present(work, document)
    processing = direct(work, document)
    assert processing.status == ProcessingStatus.IN_PROGRESS
    assert processing.direction == DIRECTION
    assert processing.deadline == TODAY + dt.timedelta(days=7)
    rows = {
        (a.role, a.assignee_unit_id, a.assignee_user_id, a.deadline)
        for a in processing.assignments.all()
    }
    assert rows == {
        ("lead", None, work.plan_staff.pk, TODAY + dt.timedelta(days=7)),
        ("co", work.tech.pk, None, TODAY + dt.timedelta(days=7)),
        ("info", None, work.reader.pk, None),
    }
    # The lead person, the person for information and the co unit's leader see the document.
    for person in (work.plan_staff, work.reader, work.tech_head):
        assert Document.objects.visible_to(person).filter(pk=document.pk).exists()
    # Staff of the co unit who are not its leaders or clerks do not (until given a part).
    assert not Document.objects.visible_to(work.tech_staff).filter(pk=document.pk).exists()
    assert not Document.objects.visible_to(work.outsider).filter(pk=document.pk).exists()
    entry = TrailEntry.objects.get(action="directed")
    assert entry.text == DIRECTION
    assert entry.summary == (
        "Chủ trì: Ngô Minh Chủ; phối hợp: Phòng Công nghệ thông tin; "
        "nhận để biết: Hồ Thị Biết; hạn giải quyết: 02/12/2026."
    )
    titles = set(Notification.objects.values_list("recipient__full_name", "title"))
    assert ("Ngô Minh Chủ", "Được giao chủ trì xử lý văn bản") in titles
    assert ("Bùi Quốc Công", "Được giao phối hợp xử lý văn bản") in titles
    assert ("Hồ Thị Biết", "Văn bản gửi để biết") in titles


def test_default_deadline_comes_from_the_unit_policy_or_the_record(work):
    services.deadline_policy_update(
        actor=work.director,
        unit=work.so,
        values={
            "normal_days": 12,
            "urgent_days": 4,
            "very_urgent_days": 2,
            "flash_days": 1,
            "remind_before_days": 2,
        },
    )
    urgent = register(work, code_number="20", urgency=1)
    present(work, urgent)
    assert direct(work, urgent, deadline=None).deadline == TODAY + dt.timedelta(days=4)
    normal = register(work, code_number="21")
    present(work, normal)
    assert direct(work, normal, deadline=None).deadline == TODAY + dt.timedelta(days=12)
    stated = register(work, code_number="22", due_date=TODAY + dt.timedelta(days=3))
    present(work, stated)
    assert direct(work, stated, deadline=None).deadline == TODAY + dt.timedelta(days=3)


def test_defaults_apply_without_a_policy_row(work):
    assert DeadlinePolicy.for_unit(work.so.pk).days_for(0) == 10
    flash = register(work, code_number="30", urgency=3)
    present(work, flash)
    assert direct(work, flash, deadline=None).deadline == TODAY + dt.timedelta(days=1)
    assert not DeadlinePolicy.objects.exists()


def test_direct_refusals_change_nothing(work):
    waiting = register(work)
    refused(
        ServiceError,
        "Văn bản chưa được trình lãnh đạo.",
        lambda: direct(work, waiting),
    )
    document = register(work, code_number="16")
    present(work, document)
    refused(
        AccessDenied,
        services.MSG_NOT_LEADER,
        lambda: services.processing_direct(
            actor=work.clerk, document=document, direction="x", lead_user=work.plan_staff
        ),
    )
    refused(
        AccessDenied,
        services.MSG_NOT_LEADER,
        lambda: services.processing_direct(
            actor=work.plan_head, document=document, direction="x", lead_user=work.plan_staff
        ),
    )
    refused(ServiceError, "Hãy nhập ý kiến chỉ đạo.", lambda: direct(work, document, direction=" "))
    refused(
        ServiceError,
        "Hãy chọn đơn vị hoặc người chủ trì.",
        lambda: direct(work, document, lead_user=None),
    )
    refused(
        ServiceError,
        "Huỳnh Ngọc Lan không phải cán bộ đang hoạt động của Sở Thông tin và Truyền thông.",
        lambda: direct(work, document, lead_user=work.other_staff),
    )
    refused(
        ServiceError,
        "Sở Nội vụ không phải đơn vị trực thuộc Sở Thông tin và Truyền thông.",
        lambda: direct(work, document, co_units=[work.province.snv]),
    )
    refused(
        ServiceError,
        "Ngô Minh Chủ đã được chọn chủ trì, không chọn thêm phối hợp.",
        lambda: direct(work, document, co_users=[work.plan_staff]),
    )
    refused(
        ServiceError,
        "Ngô Minh Chủ đã được giao xử lý, không cần chọn nhận để biết.",
        lambda: direct(work, document, info_users=[work.plan_staff]),
    )
    refused(
        ServiceError,
        "Hạn giải quyết không được trước ngày hôm nay.",
        lambda: direct(work, document, deadline=TODAY - dt.timedelta(days=1)),
    )
    direct(work, document)
    refused(
        ServiceError,
        "Văn bản đã có ý kiến chỉ đạo và đang được xử lý.",
        lambda: direct(work, document),
    )


# ---------------------------------------------------------------- re-assignment inside a unit


def test_a_unit_leader_divides_the_unit_part_among_its_people(work):
    document = directed(work, lead_user=None, lead_unit=work.plan, co_units=[work.tech])
    unit_part = assignment(document, role="lead", parent=None)
    children = services.assignment_reassign(
        actor=work.plan_head,
        assignment=unit_part,
        lead_user=work.plan_staff,
        co_users=[work.plan_staff2],
        deadline=TODAY + dt.timedelta(days=5),
        note="Đồng chí Chủ dự thảo báo cáo, đồng chí Hà tổng hợp số liệu.",
    )
    assert {(c.role, c.assignee_user, c.deadline, c.parent_id) for c in children} == {
        ("lead", work.plan_staff, TODAY + dt.timedelta(days=5), unit_part.pk),
        ("co", work.plan_staff2, TODAY + dt.timedelta(days=5), unit_part.pk),
    }
    assert all(c.assigner_unit == work.plan for c in children)
    assert Document.objects.visible_to(work.plan_staff2).filter(pk=document.pk).exists()
    entry = TrailEntry.objects.get(action="reassigned")
    assert (entry.actor_name, entry.text) == (
        "Trần Thị Kế Hoạch",
        "Đồng chí Chủ dự thảo báo cáo, đồng chí Hà tổng hợp số liệu.",
    )
    assert entry.summary.startswith("Phân công trong Phòng Kế hoạch – Tài chính (phần chủ trì).")
    # The unit's lead person completes: the unit's part and then the document are done.
    lead = children[0] if children[0].role == "lead" else children[1]
    services.assignment_complete(actor=work.plan_staff, assignment=lead, result="Đã báo cáo.")
    unit_part.refresh_from_db()
    assert unit_part.status == AssignmentStatus.DONE
    processing = Processing.objects.get(document=document)
    assert processing.status == ProcessingStatus.DONE
    # Parts still open end with the document.
    assert set(processing.assignments.values_list("role", "status")) == {
        ("lead", "done"),
        ("co", "closed"),
        ("info", "closed"),
    }


def test_reassign_refusals_change_nothing(work):
    document = directed(work, lead_user=None, lead_unit=work.plan)
    unit_part = assignment(document, role="lead", parent=None)
    person_part = assignment(document, role="info")
    refused(
        AccessDenied,
        services.MSG_NOT_UNIT_LEADER,
        lambda: services.assignment_reassign(
            actor=work.tech_head, assignment=unit_part, lead_user=work.plan_staff
        ),
    )
    refused(
        AccessDenied,
        services.MSG_NOT_UNIT_LEADER,
        lambda: services.assignment_reassign(
            actor=work.plan_staff, assignment=unit_part, lead_user=work.plan_staff
        ),
    )
    refused(
        AccessDenied,
        services.MSG_NOT_UNIT_LEADER,
        lambda: services.assignment_reassign(
            actor=work.director, assignment=person_part, lead_user=work.plan_staff
        ),
    )
    refused(
        ServiceError,
        "Lý Thanh Tâm không phải cán bộ đang hoạt động của Phòng Kế hoạch – Tài chính.",
        lambda: services.assignment_reassign(
            actor=work.plan_head, assignment=unit_part, lead_user=work.tech_staff
        ),
    )
    refused(
        ServiceError,
        "Hạn giải quyết không được sau hạn của đơn vị (02/12/2026).",
        lambda: services.assignment_reassign(
            actor=work.plan_head,
            assignment=unit_part,
            lead_user=work.plan_staff,
            deadline=TODAY + dt.timedelta(days=8),
        ),
    )
    services.assignment_reassign(
        actor=work.plan_head, assignment=unit_part, lead_user=work.plan_staff
    )
    refused(
        ServiceError,
        "Việc này đã được phân công trong đơn vị.",
        lambda: services.assignment_reassign(
            actor=work.plan_head, assignment=unit_part, lead_user=work.plan_staff2
        ),
    )


# ---------------------------------------------------------------- handling


def test_progress_with_files_stores_them_hashed(work):
    import hashlib

    from django.core.files.storage import default_storage

    from tests.support.files import pdf_upload

    document = directed(work)
    lead = assignment(document, role="lead")
    entry = services.assignment_progress(
        actor=work.plan_staff,
        assignment=lead,
        text="Đã dự thảo báo cáo.",
        result_files=[pdf_upload("bao-cao.pdf", "Báo cáo kết quả")],
        draft_files=[pdf_upload("du-thao.pdf", "Dự thảo công văn trả lời")],
    )
    files = list(entry.files.order_by("kind"))
    assert [(f.kind, f.original_name, f.file_format) for f in files] == [
        ("reply_draft", "du-thao.pdf", "pdf"),
        ("result", "bao-cao.pdf", "pdf"),
    ]
    for f in files:
        data = default_storage.open(f.storage_name).read()
        assert hashlib.sha256(data).hexdigest() == f.sha256
    entry_trail = TrailEntry.objects.get(action="progress")
    assert entry_trail.progress == entry
    assert entry_trail.summary == "Cập nhật tiến độ phần chủ trì (Ngô Minh Chủ), kèm 2 tệp."


def test_progress_refusals_store_nothing(work):
    from tests.support.files import pdf_upload, upload

    document = directed(work)
    lead = assignment(document, role="lead")
    info = assignment(document, role="info")
    refused(
        AccessDenied,
        services.MSG_NOT_HANDLER,
        lambda: services.assignment_progress(actor=work.plan_staff2, assignment=lead, text="x"),
    )
    refused(
        ServiceError,
        services.MSG_INFO_ONLY,
        lambda: services.assignment_progress(actor=work.reader, assignment=info, text="x"),
    )
    refused(
        ServiceError,
        "Hãy nhập nội dung tiến độ.",
        lambda: services.assignment_progress(actor=work.plan_staff, assignment=lead, text=""),
    )
    refused(
        ServiceError,
        "Tệp “bi-mat.pdf” có dấu chỉ độ mật “MẬT”: văn bản mật không được đưa vào hệ thống "
        "(Quy chế, Điều 4). Không có gì được lưu.",
        lambda: services.assignment_progress(
            actor=work.plan_staff,
            assignment=lead,
            text="Kèm tệp",
            result_files=[pdf_upload("bi-mat.pdf", "MẬT", "Nội dung")],
        ),
    )
    refused(
        ServiceError,
        "Tệp “a.exe” không thuộc định dạng được phép (PDF, DOCX, DOC, ODT, XLSX, ODS, JPEG, PNG, "
        "TIFF, XML); định dạng được xác định theo nội dung tệp, không theo tên tệp.",
        lambda: services.assignment_progress(
            actor=work.plan_staff,
            assignment=lead,
            text="Kèm tệp",
            result_files=[upload("a.exe", b"MZ\x90\x00")],
        ),
    )


def test_co_handlers_complete_their_part_and_info_people_mark_read(work):
    document = directed(work)
    co = assignment(document, role="co")
    info = assignment(document, role="info")
    services.assignment_complete(actor=work.tech_head, assignment=co, result="Đã góp ý.")
    services.assignment_complete(actor=work.reader, assignment=info)
    co.refresh_from_db()
    info.refresh_from_db()
    assert (co.status, co.completed_by, info.status, info.status_label) == (
        "done",
        work.tech_head,
        "done",
        "Đã xem",
    )
    assert Processing.objects.get().status == ProcessingStatus.IN_PROGRESS
    assert [a for a, _n, _o in trail(document)][-2:] == ["completed", "read"]
    refused(
        ServiceError,
        "Việc này đã kết thúc.",
        lambda: services.assignment_complete(actor=work.tech_head, assignment=co),
    )


def test_the_lead_completes_the_document(work):
    document = directed(work)
    lead = assignment(document, role="lead")
    refused(
        ServiceError,
        "Hãy nhập kết quả giải quyết.",
        lambda: services.assignment_complete(actor=work.plan_staff, assignment=lead),
    )
    services.assignment_complete(
        actor=work.plan_staff,
        assignment=lead,
        result="Đã trình UBND tỉnh.",
        reply_reference="125/STTTT-KHTC",
    )
    processing = Processing.objects.get()
    assert (processing.status, processing.reply_reference, processing.completed_by) == (
        ProcessingStatus.DONE,
        "125/STTTT-KHTC",
        work.plan_staff,
    )
    assert TrailEntry.objects.last().summary == (
        "Hoàn thành phần chủ trì (Ngô Minh Chủ); văn bản hoàn thành xử lý; "
        "văn bản trả lời số 125/STTTT-KHTC."
    )
    assert Notification.objects.filter(
        recipient=work.director, title="Văn bản đã hoàn thành xử lý"
    ).exists()


def test_a_completed_document_refuses_every_step(work):
    document = directed(work)
    lead = assignment(document, role="lead")
    co = assignment(document, role="co")
    services.assignment_complete(actor=work.plan_staff, assignment=lead, result="Xong.")
    done = services.MSG_DONE
    refused(
        ServiceError,
        done,
        lambda: services.assignment_progress(actor=work.plan_staff, assignment=lead, text="x"),
    )
    refused(
        ServiceError,
        done,
        lambda: services.assignment_complete(actor=work.tech_head, assignment=co, result="x"),
    )
    refused(
        ServiceError,
        done,
        lambda: services.assignment_remind(actor=work.director, assignment=co, text="x"),
    )
    refused(
        ServiceError,
        done,
        lambda: services.extension_request(
            actor=work.tech_head,
            assignment=co,
            requested_deadline=TODAY + dt.timedelta(days=20),
            reason="x",
        ),
    )
    refused(
        ServiceError,
        done,
        lambda: services.assignment_reassign(
            actor=work.tech_head, assignment=co, lead_user=work.tech_staff
        ),
    )
    refused(ServiceError, done, lambda: present(work, document))
    refused(ServiceError, done, lambda: direct(work, document))


# ---------------------------------------------------------------- reminders and extensions


def test_formal_reminders_are_recorded_and_counted(work):
    document = directed(work)
    co = assignment(document, role="co")
    services.assignment_remind(actor=work.director, assignment=co, text="Đề nghị khẩn trương.")
    reminder = services.assignment_remind(actor=work.director, assignment=co, text="Nhắc lần hai.")
    co.refresh_from_db()
    assert co.reminder_count == 2
    assert Reminder.objects.count() == 2
    assert reminder.recipients == "Bùi Quốc Công"
    assert TrailEntry.objects.last().summary == "Đôn đốc Phòng Công nghệ thông tin (lần thứ 2)."
    assert Notification.objects.filter(
        recipient=work.tech_head, title="Đôn đốc xử lý văn bản", body__contains="Nhắc lần hai."
    ).exists()
    info = assignment(document, role="info")
    refused(
        AccessDenied,
        services.MSG_NOT_SUPERVISOR,
        lambda: services.assignment_remind(actor=work.clerk, assignment=co, text="x"),
    )
    refused(
        AccessDenied,
        services.MSG_NOT_SUPERVISOR,
        lambda: services.assignment_remind(actor=work.plan_staff, assignment=co, text="x"),
    )
    refused(
        ServiceError,
        services.MSG_INFO_ONLY,
        lambda: services.assignment_remind(actor=work.director, assignment=info, text="x"),
    )
    refused(
        ServiceError,
        "Hãy nhập nội dung đôn đốc.",
        lambda: services.assignment_remind(actor=work.director, assignment=co, text=""),
    )


def test_extension_granted_moves_the_deadline(work):
    document = directed(work)
    lead = assignment(document, role="lead")
    new = TODAY + dt.timedelta(days=15)
    request = services.extension_request(
        actor=work.plan_staff,
        assignment=lead,
        requested_deadline=new,
        reason="Chờ số liệu của các huyện.",
    )
    assert Notification.objects.filter(
        recipient=work.director, title="Đề nghị gia hạn xử lý văn bản"
    ).exists()
    refused(
        ServiceError,
        services.MSG_PENDING_EXISTS,
        lambda: services.extension_request(
            actor=work.plan_staff, assignment=lead, requested_deadline=new, reason="lần nữa"
        ),
    )
    services.extension_decide(actor=work.director, request=request, grant=True)
    lead.refresh_from_db()
    request.refresh_from_db()
    assert (lead.deadline, request.status, request.decided_by) == (
        new,
        ExtensionStatus.GRANTED,
        work.director,
    )
    assert Processing.objects.get().deadline == new
    assert [a for a, _n, _o in trail(document)][-2:] == ["ext_requested", "ext_granted"]
    assert TrailEntry.objects.last().summary == (
        "Đồng ý gia hạn phần chủ trì (Ngô Minh Chủ) đến 10/12/2026."
    )
    assert Notification.objects.filter(
        recipient=work.plan_staff, title="Đã đồng ý gia hạn"
    ).exists()
    refused(
        ServiceError,
        services.MSG_DECIDED,
        lambda: services.extension_decide(actor=work.director, request=request, grant=False),
    )


def test_extension_refused_needs_a_reason_and_keeps_the_deadline(work):
    document = directed(work)
    co = assignment(document, role="co")
    request = services.extension_request(
        actor=work.tech_head,
        assignment=co,
        requested_deadline=TODAY + dt.timedelta(days=10),
        reason="Nhiều việc.",
    )
    refused(
        ServiceError,
        "Hãy nhập lý do không đồng ý.",
        lambda: services.extension_decide(actor=work.director, request=request, grant=False),
    )
    refused(
        AccessDenied,
        services.MSG_NOT_DECIDER,
        lambda: services.extension_decide(actor=work.plan_head, request=request, grant=True),
    )
    services.extension_decide(
        actor=work.director, request=request, grant=False, reason="Việc cần hoàn thành đúng hạn."
    )
    co.refresh_from_db()
    request.refresh_from_db()
    assert co.deadline == TODAY + dt.timedelta(days=7)
    assert (request.status, request.decision_reason) == (
        ExtensionStatus.REFUSED,
        "Việc cần hoàn thành đúng hạn.",
    )
    entry = TrailEntry.objects.last()
    assert entry.summary == (
        "Không đồng ý gia hạn phần phối hợp (Phòng Công nghệ thông tin); hạn giữ nguyên 02/12/2026."
    )
    assert entry.text == "Việc cần hoàn thành đúng hạn."


def test_extension_request_refusals(work):
    document = directed(work, lead_user=None, lead_unit=work.plan)
    unit_part = assignment(document, role="lead")
    (child,) = services.assignment_reassign(
        actor=work.plan_head, assignment=unit_part, lead_user=work.plan_staff
    )
    refused(
        ServiceError,
        "Hạn đề nghị phải sau hạn hiện tại (02/12/2026).",
        lambda: services.extension_request(
            actor=work.plan_staff, assignment=child, requested_deadline=TODAY, reason="x"
        ),
    )
    refused(
        ServiceError,
        "Hạn đề nghị không được sau hạn của Phòng Kế hoạch – Tài chính (02/12/2026); lãnh đạo "
        "đơn vị cần đề nghị gia hạn trước.",
        lambda: services.extension_request(
            actor=work.plan_staff,
            assignment=child,
            requested_deadline=TODAY + dt.timedelta(days=9),
            reason="x",
        ),
    )
    refused(
        ServiceError,
        "Hãy nhập lý do đề nghị gia hạn.",
        lambda: services.extension_request(
            actor=work.plan_head,
            assignment=unit_part,
            requested_deadline=TODAY + dt.timedelta(days=9),
            reason="",
        ),
    )
    refused(
        AccessDenied,
        services.MSG_NOT_HANDLER,
        lambda: services.extension_request(
            actor=work.plan_staff2,
            assignment=child,
            requested_deadline=TODAY + dt.timedelta(days=7),
            reason="x",
        ),
    )
    # The unit's own request goes to the leaders of the unit that gave the work.
    request = services.extension_request(
        actor=work.plan_head,
        assignment=unit_part,
        requested_deadline=TODAY + dt.timedelta(days=9),
        reason="Chờ số liệu.",
    )
    refused(
        AccessDenied,
        services.MSG_NOT_DECIDER,
        lambda: services.extension_decide(actor=work.plan_head, request=request, grant=True),
    )


# ---------------------------------------------------------------- delegation


def delegate(work, **kwargs):  # type: ignore[no-untyped-def]
    values = {
        "starts_at": NOW - dt.timedelta(hours=1),
        "ends_at": NOW + dt.timedelta(days=3),
        "note": "Đi công tác Hà Nội.",
        "deputy": work.deputy,
    }
    values.update(kwargs)
    return services.delegation_create(actor=work.director, unit=work.so, **values)


def test_a_deputy_acts_for_the_leader_during_the_delegation(work):
    document = register(work)
    present(work, document)
    assert not Document.objects.visible_to(work.deputy).filter(pk=document.pk).exists()
    delegation = delegate(work)
    # What waits for the leader is given to the deputy at once.
    assert Document.objects.visible_to(work.deputy).filter(pk=document.pk).exists()
    assert Notification.objects.filter(recipient=work.deputy, title="Bạn được ủy quyền").exists()
    services.processing_direct(
        actor=work.deputy,
        document=document,
        direction=DIRECTION,
        lead_user=work.plan_staff,
        deadline=TODAY + dt.timedelta(days=5),
    )
    processing = Processing.objects.get()
    assert (processing.directed_by, processing.directed_for) == (work.deputy, work.director)
    assert trail(document)[-1] == ("directed", "Lê Văn Phó", "Phạm Minh Đức")
    lead = assignment(document, role="lead")
    assert lead.on_behalf_of == work.director
    services.assignment_remind(actor=work.deputy, assignment=lead, text="Khẩn trương.")
    assert trail(document)[-1] == ("reminded", "Lê Văn Phó", "Phạm Minh Đức")
    assert AuditEvent.objects.get(action="workflow.remind").data["on_behalf_of"] == (
        work.director.username
    )
    # After the period: refused, and nothing changes.
    with clock.frozen(delegation.ends_at + dt.timedelta(minutes=1)):
        refused(
            AccessDenied,
            services.MSG_NOT_SUPERVISOR,
            lambda: services.assignment_remind(actor=work.deputy, assignment=lead, text="x"),
        )


def test_before_the_period_or_after_it_ends_the_deputy_is_refused(work):
    document = register(work)
    present(work, document)
    delegation = delegate(work, starts_at=NOW + dt.timedelta(days=1))
    call = lambda: services.processing_direct(  # noqa: E731
        actor=work.deputy, document=document, direction="x", lead_user=work.plan_staff
    )
    refused(AccessDenied, services.MSG_NOT_LEADER, call)
    with clock.frozen(NOW + dt.timedelta(days=2)):
        services.delegation_end(actor=work.director, delegation=delegation)
        refused(AccessDenied, services.MSG_NOT_LEADER, call)
        refused(
            ServiceError,
            "Ủy quyền này đã kết thúc.",
            lambda: services.delegation_end(actor=work.director, delegation=delegation),
        )


def test_delegation_refusals(work):
    refused(
        AccessDenied,
        services.MSG_NOT_DELEGATOR,
        lambda: services.delegation_create(
            actor=work.plan_staff,
            unit=work.so,
            deputy=work.deputy,
            starts_at=NOW,
            ends_at=NOW + dt.timedelta(days=1),
        ),
    )
    refused(
        ServiceError,
        "Huỳnh Ngọc Lan không phải cán bộ của Sở Thông tin và Truyền thông.",
        lambda: delegate(work, deputy=work.other_staff),
    )
    refused(
        ServiceError,
        "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
        lambda: delegate(work, ends_at=NOW - dt.timedelta(hours=2)),
    )
    delegate(work)
    refused(
        ServiceError,
        "Trong khoảng thời gian này bạn đã ủy quyền cho người khác.",
        lambda: delegate(work, deputy=work.reader, starts_at=NOW + dt.timedelta(days=1)),
    )


# ---------------------------------------------------------------- deadline policy


def test_policy_is_edited_by_the_unit_leaders_and_admins_only(work):
    values = {
        "normal_days": 8,
        "urgent_days": 4,
        "very_urgent_days": 2,
        "flash_days": 1,
        "remind_before_days": 2,
    }
    services.deadline_policy_update(actor=work.province.admin_stttt, unit=work.so, values=values)
    assert DeadlinePolicy.objects.get(unit=work.so).normal_days == 8
    refused(
        AccessDenied,
        services.MSG_POLICY,
        lambda: services.deadline_policy_update(actor=work.clerk, unit=work.so, values=values),
    )
    refused(
        AccessDenied,
        services.MSG_POLICY,
        lambda: services.deadline_policy_update(actor=work.plan_head, unit=work.so, values=values),
    )
    refused(
        ServiceError,
        "Số ngày cho văn bản thường phải từ 1 đến 365.",
        lambda: services.deadline_policy_update(
            actor=work.director, unit=work.so, values={**values, "normal_days": 0}
        ),
    )


def test_shares_reach_unit_leaders_clerks_and_deputies(work):
    unit_clerk = make_user(work.tech, "Văn Thư Phòng", (Role.CLERK,))
    services.delegation_create(
        actor=work.tech_head,
        unit=work.tech,
        deputy=work.tech_staff,
        starts_at=NOW,
        ends_at=NOW + dt.timedelta(days=2),
    )
    document = directed(work)
    shared = set(DocumentShare.objects.filter(document=document).values_list("user_id", flat=True))
    assert {work.tech_head.pk, unit_clerk.pk, work.tech_staff.pk, work.plan_staff.pk} <= shared
    assert work.plan_head.pk not in shared
