"""Drafting rules through the services: refusals of R13, who may take each step, steps taken in
the wrong state, returns, versions, comments, issue once, update and replace.

Every refusal asserts the Vietnamese reason and that nothing changed: drafts, versions, comments,
events, statuses, documents, deliveries, stored files and the audit trail."""

import datetime as dt
import html
from functools import partial
from typing import Any

import pytest
from django.core.files.storage import default_storage

from tests.support import refusals
from tests.support.documents import DECLARED, doc_type
from tests.support.drafting import (
    SUBJECT,
    create_draft,
    draft_input,
    issue,
    issued,
    organisation_key,
    pdf,
    to_approved,
    to_approving,
    to_approving_again,
    to_reviewing,
    to_signed,
)
from tests.support.files import docx_bytes, pdf_bytes, upload
from tests.support.province import make_user
from vanban.accounts import services as account_services
from vanban.accounts.models import Role, Unit
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.models import Notification
from vanban.documents.models import Document, DocumentFile, RegisterSeries
from vanban.documents.services import Refusals
from vanban.drafting import services
from vanban.drafting.models import (
    Decision,
    Draft,
    DraftAction,
    DraftComment,
    DraftEvent,
    DraftStatus,
    DraftVersion,
)
from vanban.drafting.services import ExternalRecipient
from vanban.exchange import delivery
from vanban.exchange.models import BusinessType, Delivery
from vanban.signatures.models import VerificationReport

pytestmark = pytest.mark.django_db


def stored(prefix: str = "drafts") -> list[str]:
    found: list[str] = []

    def walk(path: str) -> None:
        dirs, names = default_storage.listdir(path)
        found.extend(f"{path}/{n}" for n in names)
        for d in dirs:
            walk(f"{path}/{d}")

    if default_storage.exists(prefix):
        walk(prefix)
    return sorted(found)


def state() -> dict[str, Any]:
    return {
        "drafts": list(
            Draft.objects.order_by("pk").values_list(
                "pk",
                "status",
                "current_version_id",
                "approved_version_id",
                "content_decision",
                "format_decision",
                "reviewer_id",
                "checker_id",
                "document_id",
                "signed_version_id",
                "signed_sha256",
            )
        ),
        "versions": DraftVersion.objects.count(),
        "comments": list(DraftComment.objects.values_list("pk", "text", "answered_at")),
        "events": DraftEvent.objects.count(),
        "documents": Document.objects.count(),
        "files": DocumentFile.objects.count(),
        "series": list(RegisterSeries.objects.values_list("pk", "next_number")),
        "deliveries": Delivery.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "reports": VerificationReport.objects.count(),
        "stored": stored() + stored("documents") + stored("signatures"),
    }


refused = partial(refusals.refused, state=state)


# ---------------------------------------------------------------- creating, R13


def test_a_draft_is_created_with_its_first_version_and_trail(team):
    draft = create_draft(team)
    assert draft.status == DraftStatus.DRAFTING
    assert [r.label for r in draft.recipients.order_by("order")] == [
        "Sở Nội vụ (000.00.05.H07)",
        "Bộ Thông tin và Truyền thông (000.00.00.G22)",
    ]
    assert draft.recipients.get(order=0).unit == team.province.snv
    assert draft.signer_block() == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", team.signer.full_name]
    event = draft.events.get()
    assert (event.action, event.actor, event.actor_name, event.version.number) == (
        DraftAction.CREATED,
        team.drafter,
        team.drafter.full_name,
        1,
    )
    audit = AuditEvent.objects.get(action="draft.create")
    assert audit.data["sensitive_declared"] is True
    assert audit.data["sha256"] == draft.current_version.sha256
    assert len(stored()) == 1


@pytest.mark.parametrize(
    ("authority", "title", "position", "block", "register_title"),
    [
        ("", "", "Giám đốc", ["GIÁM ĐỐC", "Phạm Minh Đức"], "Giám đốc"),
        (
            "TM",
            "Ủy ban nhân dân",
            "Chủ tịch",
            ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Phạm Minh Đức"],
            "TM. Ủy ban nhân dân, Chủ tịch",
        ),
        (
            "TL",
            "Giám đốc",
            "Chánh Văn phòng",
            ["TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG", "Phạm Minh Đức"],
            "TL. Giám đốc, Chánh Văn phòng",
        ),
        (
            "TUQ",
            "Giám đốc",
            "Trưởng phòng",
            ["TUQ. GIÁM ĐỐC", "TRƯỞNG PHÒNG", "Phạm Minh Đức"],
            "TUQ. Giám đốc, Trưởng phòng",
        ),
        ("Q", "Giám đốc", "", ["Q. GIÁM ĐỐC", "Phạm Minh Đức"], "Q. Giám đốc"),
    ],
)
def test_authority_forms_of_the_signer_block(
    team, authority, title, position, block, register_title
):
    draft = create_draft(team, authority=authority, authority_title=title, signer_position=position)
    assert draft.signer_block() == block
    assert draft.signer_title == register_title


def test_authority_needs_whom_the_signer_signs_for(team):
    refused(
        lambda: create_draft(team, authority="KT", authority_title=""),
        ServiceError,
        "Hãy nhập tập thể hoặc người đứng đầu được thay mặt.",
        "authority_title",
    )
    refused(
        lambda: create_draft(team, authority="", signer_position=""),
        ServiceError,
        "Hãy nhập chức vụ người ký.",
        "signer_position",
    )


def test_a_secret_stamp_in_the_file_refuses_the_draft(team):
    stamped = upload("Kế hoạch.pdf", pdf_bytes("MẬT", SUBJECT), "application/pdf")
    refused(
        lambda: services.draft_create(
            actor=team.drafter,
            issuing_unit=team.province.stttt,
            data=draft_input(),
            signer=team.signer,
            refusals=DECLARED,
            content_file=stamped,
            recipient_units=[team.province.snv],
        ),
        ServiceError,
        "Tệp “Kế hoạch.pdf” có dấu chỉ độ mật “MẬT”: văn bản mật không được đưa vào hệ thống "
        "(Quy chế, Điều 4). Không có gì được lưu.",
        "content_file",
    )
    assert stored() == []


def test_a_secret_stamp_in_a_new_version_is_refused(team):
    draft = create_draft(team)
    stamped = upload("Bản 2.docx", docx_bytes("TỐI MẬT", "Nội dung"))
    refused(
        lambda: services.draft_version_add(actor=team.drafter, draft=draft, content_file=stamped),
        ServiceError,
        "Tệp “Bản 2.docx” có dấu chỉ độ mật “TỐI MẬT”: văn bản mật không được đưa vào hệ thống "
        "(Quy chế, Điều 4). Không có gì được lưu.",
        "content_file",
    )


def test_declared_secret_or_undeclared_drafts_are_refused(team):
    def make(refusals: Refusals):  # type: ignore[no-untyped-def]
        return lambda: services.draft_create(
            actor=team.drafter,
            issuing_unit=team.province.stttt,
            data=draft_input(),
            signer=team.signer,
            refusals=refusals,
            content_file=pdf(),
            recipient_units=[team.province.snv],
        )

    refused(
        make(Refusals(secrecy="toi_mat", sensitive_declared=True)),
        ServiceError,
        "Văn bản có độ mật “Tối mật” không được đưa vào hệ thống (Quy chế, Điều 4); hãy xử lý "
        "theo quy định về bảo vệ bí mật nhà nước. Không có gì được lưu.",
        "secrecy",
    )
    refused(
        make(Refusals()),
        ServiceError,
        "Hãy xác nhận văn bản không có nội dung nhạy cảm chưa được cấp có thẩm quyền kết luận "
        "và không có nội dung độc hại (Quy chế, Điều 4).",
        "sensitive_declared",
    )


def test_create_refusals(team):
    province = team.province
    refused(
        lambda: create_draft(team, units=[], external=[]),
        ServiceError,
        "Hãy chọn ít nhất một nơi nhận (đơn vị trong hệ thống hoặc cơ quan ngoài hệ thống).",
        "recipient_units",
    )
    refused(
        lambda: create_draft(team, units=[province.stttt]),
        ServiceError,
        "Nơi nhận trong hệ thống không gồm chính cơ quan ban hành.",
        "recipient_units",
    )
    refused(
        lambda: create_draft(team, external=[ExternalRecipient("Bộ Nội vụ", "G12")]),
        ServiceError,
        "Mã định danh “G12” của Bộ Nội vụ phải có dạng V1V2V3.Z1Z2.Y1Y2.H##.",
        "external_recipients",
    )
    refused(
        lambda: create_draft(team, subject="  "),
        ServiceError,
        "Hãy nhập trích yếu.",
        "subject",
    )
    refused(
        lambda: services.draft_create(
            actor=team.drafter,
            issuing_unit=province.stttt,
            data=draft_input(),
            signer=team.checker,
            refusals=DECLARED,
            content_file=pdf(),
            recipient_units=[province.snv],
        ),
        ServiceError,
        "Người ký phải là lãnh đạo đang hoạt động của cơ quan ban hành.",
        "signer",
    )
    # A unit that is neither the drafter's nor above it.
    refused(
        lambda: services.draft_create(
            actor=team.drafter,
            issuing_unit=province.snv,
            data=draft_input(),
            signer=team.signer,
            refusals=DECLARED,
            content_file=pdf(),
            recipient_units=[],
            external_recipients=[ExternalRecipient("Bộ Nội vụ")],
        ),
        ServiceError,
        "Cơ quan ban hành phải là đơn vị của bạn hoặc đơn vị cấp trên.",
        "issuing_unit",
    )
    refused(
        lambda: create_draft(team, document_type=None),
        ServiceError,
        "Hãy chọn loại văn bản.",
        "document_type",
    )
    refused(
        lambda: create_draft(team, due_date=dt.date(2026, 11, 24)),
        ServiceError,
        "Hạn trả lời không thể trước ngày hôm nay.",
        "due_date",
    )


# ---------------------------------------------------------------- who and when


def test_steps_by_the_wrong_person_are_refused(team):
    draft = create_draft(team)
    refused(
        lambda: services.draft_version_add(actor=team.colleague, draft=draft, content_file=pdf()),
        AccessDenied,
        "Chỉ người soạn thảo được thực hiện thao tác này.",
    )
    refused(
        lambda: services.draft_submit(
            actor=team.signer, draft=draft, reviewer=team.head, checker=team.checker
        ),
        AccessDenied,
        "Chỉ người soạn thảo được thực hiện thao tác này.",
    )
    to_reviewing(team, draft)
    refused(
        lambda: services.draft_review_content(actor=team.signer, draft=draft, accept=True),
        AccessDenied,
        "Chỉ lãnh đạo đơn vị được giao kiểm tra nội dung dự thảo.",
    )
    refused(
        lambda: services.draft_check_format(actor=team.head, draft=draft, accept=True),
        AccessDenied,
        "Chỉ người được giao kiểm tra thể thức dự thảo.",
    )
    services.draft_review_content(actor=team.head, draft=draft, accept=True)
    services.draft_check_format(actor=team.checker, draft=draft, accept=True)
    refused(
        lambda: services.draft_approve(actor=team.head, draft=draft, accept=True),
        AccessDenied,
        "Chỉ người ký được phê duyệt dự thảo.",
    )
    services.draft_approve(actor=team.signer, draft=draft, accept=True)
    for person in (team.drafter, team.signer, team.clerk_snv):
        refused(
            lambda person=person: services.draft_issue(actor=person, draft=draft),
            AccessDenied,
            "Chỉ văn thư của cơ quan ban hành được cấp số và ban hành văn bản.",
        )
    refused(
        lambda: services.draft_comment(actor=team.colleague, draft=draft, text="Ý kiến"),
        AccessDenied,
        "Bạn không được xin ý kiến về dự thảo này, hoặc đã góp ý.",
    )


def test_submit_needs_a_leader_of_the_unit_and_another_person_to_check_the_format(team):
    draft = create_draft(team)
    refused(
        lambda: services.draft_submit(
            actor=team.drafter, draft=draft, reviewer=team.checker, checker=team.checker
        ),
        ServiceError,
        "Người kiểm tra nội dung phải là lãnh đạo đơn vị soạn thảo.",
        "reviewer",
    )
    refused(
        lambda: services.draft_submit(
            actor=team.drafter, draft=draft, reviewer=team.head, checker=team.drafter
        ),
        ServiceError,
        "Người kiểm tra thể thức phải là người khác người soạn thảo.",
        "checker",
    )
    refused(
        lambda: services.draft_submit(
            actor=team.drafter, draft=draft, reviewer=team.head, checker=team.staff_snv
        ),
        ServiceError,
        "Người kiểm tra thể thức phải là cán bộ đang hoạt động của cơ quan ban hành.",
        "checker",
    )


def test_steps_in_the_wrong_state_are_refused(team):
    draft = create_draft(team)
    refused(
        lambda: services.draft_review_content(actor=team.head, draft=draft, accept=True),
        AccessDenied,
        "Chỉ lãnh đạo đơn vị được giao kiểm tra nội dung dự thảo.",
    )
    refused(
        lambda: services.draft_approve(actor=team.signer, draft=draft, accept=True),
        ServiceError,
        "Dự thảo đang được soạn thảo, chưa được trình kiểm tra.",
    )
    refused(
        lambda: services.draft_issue(actor=team.clerk, draft=draft),
        ServiceError,
        "Dự thảo đang được soạn thảo, chưa được trình kiểm tra.",
    )
    to_reviewing(team, draft)
    for call in (
        lambda: services.draft_version_add(actor=team.drafter, draft=draft, content_file=pdf()),
        lambda: services.draft_submit(
            actor=team.drafter, draft=draft, reviewer=team.head, checker=team.checker
        ),
        lambda: services.draft_approve(actor=team.signer, draft=draft, accept=True),
    ):
        refused(call, ServiceError, "Dự thảo đang được kiểm tra nội dung và thể thức.")
    services.draft_review_content(actor=team.head, draft=draft, accept=True)
    refused(
        lambda: services.draft_review_content(actor=team.head, draft=draft, accept=False, note="x"),
        ServiceError,
        "Bạn đã kiểm tra nội dung dự thảo này.",
    )
    services.draft_check_format(actor=team.checker, draft=draft, accept=True)
    refused(
        lambda: services.draft_issue(actor=team.clerk, draft=draft),
        ServiceError,
        "Dự thảo đang chờ phê duyệt.",
    )
    services.draft_approve(actor=team.signer, draft=draft, accept=True)
    refused(
        lambda: services.draft_approve(actor=team.signer, draft=draft, accept=True),
        ServiceError,
        "Dự thảo đã được phê duyệt, đang chờ văn thư ban hành.",
    )
    to_signed(team, draft)
    issue(team, draft)
    for call in (
        lambda: services.draft_issue(actor=team.clerk, draft=draft),
        lambda: services.draft_version_add(actor=team.drafter, draft=draft, content_file=pdf()),
        lambda: services.draft_comments_request(
            actor=team.drafter, draft=draft, people=[team.colleague], deadline=dt.date(2026, 12, 1)
        ),
    ):
        refused(call, ServiceError, "Dự thảo đã được ban hành; không thay đổi được nữa.")


def test_a_draft_is_issued_once_and_sent_once(team):
    draft, document = issued(team)
    assert Delivery.objects.filter(document=document).count() == 1
    refused(
        lambda: services.draft_issue(actor=team.clerk, draft=Draft.objects.get(pk=draft.pk)),
        ServiceError,
        "Dự thảo đã được ban hành; không thay đổi được nữa.",
    )
    # Even a stale copy of the draft read before the issue: the locked row decides.
    stale = Draft.objects.get(pk=draft.pk)
    stale.status = DraftStatus.APPROVED
    refused(
        lambda: issue(team, stale),
        ServiceError,
        "Dự thảo đã được ban hành; không thay đổi được nữa.",
    )


def test_issuing_gives_the_document_to_its_drafter_only(team):
    """R14: the drafter reads what was issued from her draft (and files it, R19); a colleague of
    the unit who had no part in it does not."""
    assert not Document.objects.visible_to(team.drafter).exists()
    _draft, document = issued(team)
    assert list(Document.objects.visible_to(team.drafter)) == [document]
    assert not Document.objects.visible_to(team.outsider).filter(pk=document.pk).exists()
    share = document.shares.get(user=team.drafter)
    assert (share.granted_by, share.for_reading) == (team.clerk, False)


# ---------------------------------------------------------------- returns and versions


def test_returned_checks_and_approval_send_the_draft_back_to_the_drafter(team):
    draft = create_draft(team)
    to_reviewing(team, draft)
    refused(
        lambda: services.draft_review_content(actor=team.head, draft=draft, accept=False),
        ServiceError,
        "Hãy nhập ý kiến.",
        "note",
    )
    services.draft_review_content(
        actor=team.head, draft=draft, accept=False, note="Bổ sung mục tiêu cụ thể."
    )
    draft.refresh_from_db()
    assert (draft.status, draft.content_decision) == (DraftStatus.DRAFTING, Decision.RETURNED)
    # The checker can no longer check this round.
    refused(
        lambda: services.draft_check_format(actor=team.checker, draft=draft, accept=True),
        ServiceError,
        "Dự thảo đang được soạn thảo, chưa được trình kiểm tra.",
    )
    assert Notification.objects.filter(
        recipient=team.drafter, title__startswith="Dự thảo bị trả lại để sửa"
    ).exists()
    services.draft_version_add(actor=team.drafter, draft=draft, content_file=pdf("Bản 2.pdf"))
    to_approving(team, draft)
    services.draft_approve(actor=team.signer, draft=draft, accept=False, note="Chưa đạt.")
    draft.refresh_from_db()
    assert (draft.status, draft.approved_version) == (DraftStatus.DRAFTING, None)
    returned = draft.events.get(action=DraftAction.APPROVAL_RETURNED)
    assert (returned.actor, returned.text, returned.version.number) == (team.signer, "Chưa đạt.", 2)


def test_a_new_version_after_approval_voids_it(team):
    draft = create_draft(team)
    to_approved(team, draft)
    version = services.draft_version_add(
        actor=team.drafter, draft=draft, content_file=pdf("Bản 2.pdf"), note="Sửa lỗi chính tả"
    )
    draft.refresh_from_db()
    # The checks of version 1 do not count for version 2: back to the same checkers.
    assert (draft.status, draft.is_approved, version.number) == (
        DraftStatus.REVIEWING,
        False,
        2,
    )
    assert (draft.content_passed, draft.format_passed) == (False, False)
    assert (draft.content_version.number, draft.format_version.number) == (1, 1)
    voided = draft.events.get(action=DraftAction.APPROVAL_VOIDED)
    assert voided.text == (
        "Phê duyệt phiên bản 1 hết hiệu lực vì có phiên bản 2; cần kiểm tra và phê duyệt lại."
    )
    again = draft.events.get(action=DraftAction.CHECKS_AGAIN)
    assert (again.version.number, again.text) == (
        2,
        "Kết quả kiểm tra nội dung và thể thức của phiên bản 1 không áp dụng cho phiên bản 2; "
        f"chuyển lại {team.head.full_name} (nội dung) và {team.checker.full_name} (thể thức) "
        "kiểm tra.",
    )
    assert Notification.objects.filter(
        recipient=team.signer, title__startswith="Cần phê duyệt lại dự thảo (phiên bản 2)"
    ).exists()
    for person in (team.head, team.checker):
        assert Notification.objects.filter(
            recipient=person, title__startswith="Dự thảo có phiên bản mới (2), cần kiểm tra lại"
        ).exists()
    assert sorted(DraftVersion.objects.values_list("number", flat=True)) == [1, 2]
    assert len(stored()) == 2
    refused(
        lambda: services.draft_issue(actor=team.clerk, draft=draft),
        ServiceError,
        "Dự thảo đang được kiểm tra nội dung và thể thức.",
    )
    to_approving_again(team, draft)
    services.draft_approve(actor=team.signer, draft=draft, accept=True)
    to_signed(team, draft)
    document = issue(team, draft)
    # The main file is version 2 with the signatures appended (incremental updates).
    main = document.files.get()
    assert main.original_name == version.original_name
    assert (
        default_storage.open(main.storage_name)
        .read()
        .startswith(default_storage.open(version.storage_name).read())
    )


# ---------------------------------------------------------------- comments


def test_comments_with_a_deadline_once_per_person_and_late_ones_show_as_late(team):
    draft = create_draft(team)
    rows = services.draft_comments_request(
        actor=team.drafter,
        draft=draft,
        people=[team.colleague, team.checker, team.drafter],
        deadline=dt.date(2026, 11, 26),
        note="Xin ý kiến trước ngày 26",
    )
    assert sorted(r.person_id for r in rows) == sorted([team.colleague.pk, team.checker.pk])
    refused(
        lambda: services.draft_comments_request(
            actor=team.drafter, draft=draft, people=[team.colleague], deadline=dt.date(2026, 12, 1)
        ),
        ServiceError,
        "Những người được chọn đều đang được xin ý kiến và chưa trả lời.",
        "people",
    )
    refused(
        lambda: services.draft_comments_request(
            actor=team.drafter, draft=draft, people=[team.head], deadline=dt.date(2026, 11, 24)
        ),
        ServiceError,
        "Hạn góp ý không thể trước ngày hôm nay.",
        "deadline",
    )
    with clock.frozen(dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)):
        comment = services.draft_comment(actor=team.colleague, draft=draft, text="Đồng ý.")
    assert comment.is_late
    on_time = services.draft_comment(actor=team.checker, draft=draft, text="Sửa thể thức.")
    assert not on_time.is_late
    refused(
        lambda: services.draft_comment(actor=team.colleague, draft=draft, text="Thêm"),
        AccessDenied,
        "Bạn không được xin ý kiến về dự thảo này, hoặc đã góp ý.",
    )
    # Asked again after answering: a new request.
    services.draft_comments_request(
        actor=team.drafter, draft=draft, people=[team.colleague], deadline=dt.date(2026, 12, 1)
    )
    assert DraftComment.objects.filter(person=team.colleague).count() == 2
    assert draft.events.filter(action=DraftAction.COMMENT).count() == 2


# ---------------------------------------------------------------- issue


def test_issue_numbers_in_the_series_and_sends_to_every_unit_of_the_deployment(team, province):
    phong = account_services.unit_create(
        actor=None,
        name="Phòng Bưu chính, Viễn thông",
        symbol="BCVT",
        abbreviation="bcvtstttt",
        agency_code="000.01.12.H07",
        parent=province.stttt,
    )
    drafter = make_user(phong, "Ngô Văn Soạn")
    head = make_user(phong, "Trần Trưởng Phòng", (Role.LEADER,))
    _first, _doc = issued(team)
    draft = services.draft_create(
        actor=drafter,
        issuing_unit=province.stttt,
        data=draft_input(document_type=doc_type("Công văn"), subject="V/v kết nối liên thông"),
        signer=team.signer,
        refusals=DECLARED,
        content_file=pdf(),
        recipient_units=[province.snv, province.root],
    )
    assert draft.unit == phong
    services.draft_submit(actor=drafter, draft=draft, reviewer=head, checker=team.checker)
    services.draft_review_content(actor=head, draft=draft, accept=True)
    services.draft_check_format(actor=team.checker, draft=draft, accept=True)
    services.draft_approve(actor=team.signer, draft=draft, accept=True)
    to_signed(team, draft)
    document = issue(team, draft)
    # One outgoing series for every type: number 2; công văn symbol with the drafting unit.
    assert document.number_symbol == "02/STTTT-BCVT"
    assert document.archive_holder == "VT, BCVT"
    assert sorted(d.recipient_unit.name for d in document.deliveries.all()) == [
        "Sở Nội vụ",
        "Ủy ban nhân dân tỉnh Bến Tre",
    ]
    event = draft.events.get(action=DraftAction.ISSUED)
    assert event.text == (
        "Số, ký hiệu 02/STTTT-BCVT ngày 25/11/2026; ký số tổ chức bằng chứng thư của "
        "Sở Thông tin và Truyền thông; gửi 2 đơn vị trong hệ thống."
    )
    assert Notification.objects.filter(
        recipient=team.clerk_snv, title__startswith="Văn bản đến mới: Công văn số 02/STTTT-BCVT"
    ).exists()


def test_a_failed_delivery_undoes_the_whole_issue(team):
    """The issue and the deliveries are one transaction: no number taken, no document, no file
    left in storage when a recipient unit cannot receive it."""
    draft = create_draft(team)
    to_approved(team, draft)
    to_signed(team, draft)
    organisation_key(team)
    Unit.objects.filter(pk=team.province.snv.pk).update(is_active=False)
    refused(
        lambda: issue(team, draft),
        ServiceError,
        "Đơn vị “Sở Nội vụ” không còn hoạt động.",
        "units",
    )
    assert stored("documents") == []
    Unit.objects.filter(pk=team.province.snv.pk).update(is_active=True)
    assert issue(team, draft).number_symbol == "01/KH-STTTT"


def test_a_changed_stored_signed_file_stops_the_issue(team):
    """What is issued is the personally signed file, read back by its SHA-256."""
    draft = create_draft(team)
    to_approved(team, draft)
    to_signed(team, draft)
    organisation_key(team)
    with default_storage.open(draft.signed_storage_name, "wb") as handle:
        handle.write(pdf_bytes("Nội dung bị sửa ngoài hệ thống"))
    refused(
        lambda: issue(team, draft),
        ServiceError,
        "Tệp trong kho lưu trữ đã bị thay đổi (mã băm SHA-256 không khớp với lúc vào sổ) "
        "nên không tải xuống. Hãy báo quản trị hệ thống.",
    )


def follow_up(team, original, business_type):  # type: ignore[no-untyped-def]
    """A draft updating or replacing `original`."""
    return services.draft_create(
        actor=team.drafter,
        issuing_unit=team.province.stttt,
        data=draft_input(subject="Kế hoạch (sửa đổi)"),
        signer=team.signer,
        refusals=DECLARED,
        content_file=pdf(),
        recipient_units=[team.province.snv],
        business_type=business_type,
        original_document=original,
    )


def test_a_recalled_document_is_corrected_only_where_its_take_back_was_refused(team):
    """16: the document stays in force at that recipient, so its sender may still update or
    replace it; given back everywhere (15), it may not."""
    _first, kept = issued(team)
    received = Delivery.objects.get(document=kept)
    delivery.delivery_register(actor=team.clerk_snv, delivery=received, refusals=DECLARED)
    delivery.document_recall(actor=team.signer, document=kept, reason="Sai số liệu")
    received.refresh_from_db()
    delivery.delivery_recall_answer(
        actor=team.clerk_snv, delivery=received, accept=False, note="Đang triển khai."
    )
    assert follow_up(team, kept, BusinessType.UPDATE).original_document == kept

    _second, given_back = issued(team, subject="Kế hoạch thứ hai")
    # Still in the queue: given back at once (15).
    delivery.document_recall(actor=team.signer, document=given_back, reason="Sai số liệu")
    refused(
        lambda: follow_up(team, given_back, BusinessType.REPLACE),
        ServiceError,
        "Văn bản đã bị thu hồi nên không cập nhật hoặc thay thế được.",
        "original_document",
    )


def test_update_and_replace_link_to_the_original_at_each_recipient(team, client_for):
    first, original = issued(team)
    received = Delivery.objects.get(document=original)
    delivery.delivery_register(actor=team.clerk_snv, delivery=received, refusals=DECLARED)
    replacing = services.draft_create(
        actor=team.drafter,
        issuing_unit=team.province.stttt,
        data=draft_input(subject="Kế hoạch (thay thế)"),
        signer=team.signer,
        refusals=DECLARED,
        content_file=pdf(),
        recipient_units=[team.province.snv],
        business_type=BusinessType.REPLACE,
        original_document=original,
    )
    to_approved(team, replacing)
    to_signed(team, replacing)
    document = issue(team, replacing)
    copy = Delivery.objects.get(document=document)
    assert (copy.business_type, copy.original) == (BusinessType.REPLACE, received)
    incoming = delivery.delivery_register(actor=team.clerk_snv, delivery=copy, refusals=DECLARED)
    assert incoming.description == "Thay thế văn bản số 01/KH-STTTT ngày 25/11/2026"
    assert incoming.register_number == 2
    # The original is replaced, at the sender and in the recipient's register: no second update
    # or replacement of it (its replacement is the one to correct).
    original.refresh_from_db()
    assert original.replaced_by == document
    assert Document.objects.get(pk=received.incoming_document_id).replaced_by == incoming
    for business_type in (BusinessType.UPDATE, BusinessType.REPLACE):
        refused(
            lambda business_type=business_type: follow_up(team, original, business_type),
            ServiceError,
            f"Văn bản đã được thay thế bằng văn bản số {document.number_symbol}; không cập nhật "
            "hoặc thay thế được nữa.",
            "original_document",
        )
    # The original's draft page gives the reason instead of the two buttons; the replacement's
    # page still offers them.
    pages = {d.pk: client_for(team.drafter).get(f"/du-thao/{d.pk}/") for d in (first, replacing)}
    shown = html.unescape(pages[first.pk].content.decode())
    assert "Văn bản đã được thay thế bằng văn bản số" in shown
    assert "Soạn văn bản thay thế" not in shown
    assert "Soạn văn bản thay thế" in html.unescape(pages[replacing.pk].content.decode())
    assert follow_up(team, document, BusinessType.UPDATE).original_document == document
    # The original must be an outgoing document of the issuing unit that the drafter may reach.
    refused(
        lambda: services.draft_create(
            actor=team.drafter,
            issuing_unit=team.province.stttt,
            data=draft_input(),
            signer=team.signer,
            refusals=DECLARED,
            content_file=pdf(),
            recipient_units=[team.province.snv],
            business_type=BusinessType.UPDATE,
            original_document=incoming,
        ),
        NotFound,
        "Không tìm thấy văn bản được cập nhật hoặc thay thế.",
    )
    refused(
        lambda: services.draft_create(
            actor=team.drafter,
            issuing_unit=team.province.stttt,
            data=draft_input(),
            signer=team.signer,
            refusals=DECLARED,
            content_file=pdf(),
            recipient_units=[team.province.snv],
            business_type=BusinessType.UPDATE,
        ),
        ServiceError,
        "Hãy chọn văn bản được cập nhật hoặc thay thế.",
        "original_document",
    )
