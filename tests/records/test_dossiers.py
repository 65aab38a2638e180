"""Electronic dossiers through their services (R19; NĐ 30/2020 Art. 29-30; Appendix VI)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from tests.records.support_dossiers import (
    TODAY,
    _fixed_clock,  # noqa: F401 - the autouse clock of these tests
    add,
    draft_version,
    incoming,
    open_dossier,
    ordinals,
    outgoing,
    processed,
    rec_fixture,  # noqa: F401 - the `rec` fixture
    state,
)
from tests.support.drafting import VN
from tests.support.refusals import refused
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.documents.models import Document
from vanban.documents.services import document_share
from vanban.records import dossiers as services
from vanban.records import rules
from vanban.records.models import (
    Dossier,
    DossierItem,
    DossierStatus,
    ItemKind,
    ListStatus,
)

pytestmark = pytest.mark.django_db


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


# ---------------------------------------------------------------- opening


def test_open_from_the_approved_list_takes_the_entry(rec):
    dossier = open_dossier(rec, description="Tuyển dụng đợt 1", rights="Công khai")
    assert dossier.notation == "01.TCCB"
    assert dossier.title == "Hồ sơ tuyển dụng công chức năm 2026"
    assert dossier.retention_item == rec.ten_years
    assert dossier.maintenance == "10 năm"
    assert dossier.year == 2026
    assert dossier.ad_hoc is False
    assert dossier.entry == rec.entry
    assert dossier.creator == "Nguyễn Văn Lập"
    assert dossier.rights == "Công khai"
    assert dossier.language == "Tiếng Việt"
    assert dossier.status == DossierStatus.OPEN
    assert dossier.file_code == f"{rec.province.stttt.agency_code}.2026.01.TCCB"
    [event] = _events("records.dossier_opened")
    assert event.data["notation"] == "01.TCCB"
    assert event.data["ad_hoc"] is False


def test_creator_is_cut_to_thirty_characters(rec):
    rec.handler.full_name = "Nguyễn Thị Hoàng Phương Thảo Nguyên Xuân"
    rec.handler.save()
    dossier = open_dossier(rec)
    assert dossier.creator == rec.handler.full_name[:30]
    assert len(dossier.creator) == 30


def test_the_same_entry_twice_is_refused_in_vietnamese(rec):
    open_dossier(rec)
    refused(
        lambda: open_dossier(rec),
        ServiceError,
        "Số và ký hiệu hồ sơ “01.TCCB” đã dùng cho hồ sơ “Hồ sơ tuyển dụng công chức năm "
        "2026” năm 2026; hãy chọn số và ký hiệu khác.",
        "notation",
        state=state,
    )


def test_an_entry_of_a_list_not_approved_is_refused(rec):
    DossierList = type(rec.dossier_list)
    DossierList.objects.filter(pk=rec.dossier_list.pk).update(status=ListStatus.SUBMITTED)
    refused(lambda: open_dossier(rec), ServiceError, services.MSG_ENTRY_NOT_APPROVED, state=state)


def test_only_the_person_in_charge_or_the_office_opens_an_entry(rec):
    refused(
        lambda: services.dossier_open_from_entry(actor=rec.colleague, entry=rec.entry),
        AccessDenied,
        "Hồ sơ “Hồ sơ tuyển dụng công chức năm 2026” trong danh mục do Nguyễn Văn Lập lập; "
        "bạn không lập hồ sơ này.",
        state=state,
    )
    refused(
        lambda: services.dossier_open_from_entry(actor=rec.other, entry=rec.free_entry),
        AccessDenied,
        f"Bạn không thuộc {rec.province.stttt.name} nên không lập hồ sơ của cơ quan này.",
        state=state,
    )
    by_clerk = services.dossier_open_from_entry(actor=rec.clerk, entry=rec.entry)
    assert by_clerk.handler == rec.clerk
    by_colleague = services.dossier_open_from_entry(actor=rec.colleague, entry=rec.free_entry)
    assert by_colleague.notation == "02.TCCB"


def test_secret_rights_are_refused(rec):
    refused(
        lambda: open_dossier(rec, rights="Mật"),
        ServiceError,
        services.MSG_RIGHTS,
        "rights",
        state=state,
    )


def test_ad_hoc_dossiers_are_numbered_and_marked(rec):
    first = services.dossier_open_ad_hoc(
        actor=rec.handler,
        unit=rec.province.stttt,
        title="Hồ sơ xử lý sự cố mạng tháng 11",
        item=rec.five_years,
    )
    second = services.dossier_open_ad_hoc(
        actor=rec.handler, unit=rec.province.stttt, title="Hồ sơ khác", item=rec.two_years
    )
    symbol = rec.province.stttt.symbol
    assert (first.notation, second.notation) == (f"PS01.{symbol}", f"PS02.{symbol}")
    assert first.ad_hoc and first.entry is None
    assert first.maintenance == "5 năm"
    typed = services.dossier_open_ad_hoc(
        actor=rec.handler,
        unit=rec.province.stttt,
        title="Hồ sơ có ký hiệu riêng",
        item=rec.permanent,
        notation="05.CNTT",
    )
    assert typed.notation == "05.CNTT"
    assert typed.maintenance == "Vĩnh viễn"


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"title": ""}, "Hãy nhập tiêu đề hồ sơ.", "title"),
        ({"title": "x" * 501}, "Tiêu đề hồ sơ dài quá 500 ký tự.", "title"),
        ({"notation": "X" * 21}, "Số và ký hiệu hồ sơ dài quá 20 ký tự.", "notation"),
        (
            {"notation": "01 TCCB"},
            "Số và ký hiệu hồ sơ chỉ gồm chữ, số và các dấu . - / _ (không có khoảng trắng).",
            "notation",
        ),
        ({"item": None}, services.MSG_RETENTION, "retention_item"),
        ({"retired": True}, services.MSG_RETENTION, "retention_item"),
        ({"description": "x" * 501}, "Chú giải dài quá 500 ký tự.", "description"),
    ],
)
def test_ad_hoc_refusals(rec, changes, message, field):
    values = {"title": "Hồ sơ phát sinh", "item": rec.five_years, "notation": "", "description": ""}
    if changes.pop("retired", False):
        values["item"] = rec.retired
    values.update(changes)
    description = values.pop("description")
    refused(
        lambda: services.dossier_open_ad_hoc(
            actor=rec.handler,
            unit=rec.province.stttt,
            fields=services.DossierFields(description=description),
            **values,
        ),
        ServiceError,
        message,
        field,
        state=state,
    )


def test_a_typed_notation_already_used_is_refused(rec):
    open_dossier(rec)
    refused(
        lambda: services.dossier_open_ad_hoc(
            actor=rec.handler,
            unit=rec.province.stttt,
            title="Trùng",
            item=rec.two_years,
            notation="01.TCCB",
        ),
        ServiceError,
        "Số và ký hiệu hồ sơ “01.TCCB” đã dùng cho hồ sơ “Hồ sơ tuyển dụng công chức năm "
        "2026” năm 2026; hãy chọn số và ký hiệu khác.",
        "notation",
        state=state,
    )


def test_approved_entries_mark_the_opened_ones(rec):
    open_dossier(rec)
    entries = services.approved_entries(user=rec.handler, year=2026)
    assert [(e.code, e.opened) for e in entries] == [("01.TCCB", True), ("02.TCCB", False)]
    assert services.approved_entries(user=rec.other, year=2026) == []


# ---------------------------------------------------------------- items


def test_one_document_in_several_dossiers_without_a_copy(rec):
    document = incoming(rec)
    first = open_dossier(rec)
    second = services.dossier_open_ad_hoc(
        actor=rec.handler, unit=rec.province.stttt, title="Hồ sơ thứ hai", item=rec.two_years
    )
    documents_before = Document.objects.count()
    one = add(rec, first, document)
    two = add(rec, second, document)
    assert one.document_id == two.document_id == document.pk
    assert Document.objects.count() == documents_before
    assert (one.ordinal, two.ordinal, one.kind) == (1, 1, ItemKind.DOCUMENT)
    assert len(_events("records.dossier_item_added")) == 2


def test_the_same_document_twice_in_one_dossier_is_refused(rec):
    document = incoming(rec)
    dossier = open_dossier(rec)
    add(rec, dossier, document)
    refused(
        lambda: add(rec, dossier, document),
        ServiceError,
        "Văn bản này đã có trong hồ sơ “01.TCCB”.",
        state=state,
    )


def test_a_document_the_person_cannot_read_is_refused(rec):
    hidden = incoming(rec, share=False)
    dossier = open_dossier(rec)
    refused(lambda: add(rec, dossier, hidden), NotFound, "Không tìm thấy văn bản.", state=state)


def test_draft_versions_and_processing_results_join(rec):
    dossier = open_dossier(rec)
    version = draft_version(rec)
    _document, result = processed(rec)
    assert add(rec, dossier, version).kind == ItemKind.DRAFT_VERSION
    assert add(rec, dossier, result).kind == ItemKind.PROGRESS_FILE
    assert list(DossierItem.objects.filter(dossier=dossier).values_list("ordinal", flat=True)) == [
        1,
        2,
    ]


def test_a_draft_and_a_result_the_person_cannot_see_are_refused(rec):
    version = draft_version(rec)
    _document, result = processed(rec)
    dossier = services.dossier_open_ad_hoc(
        actor=rec.colleague, unit=rec.province.stttt, title="Hồ sơ khác", item=rec.two_years
    )
    refused(
        lambda: add(rec, dossier, version, actor=rec.colleague),
        NotFound,
        "Không tìm thấy dự thảo.",
        state=state,
    )
    refused(
        lambda: add(rec, dossier, result, actor=rec.colleague),
        NotFound,
        "Không tìm thấy văn bản.",
        state=state,
    )


def test_only_the_handler_or_the_office_changes(rec):
    document = incoming(rec)
    dossier = open_dossier(rec)
    document_share(actor=rec.clerk, document=document, user=rec.colleague)
    refused(
        lambda: add(rec, dossier, document, actor=rec.colleague),
        AccessDenied,
        services.MSG_CHANGE_ONLY,
        state=state,
    )
    refused(
        lambda: add(rec, dossier, document, actor=rec.leader),
        AccessDenied,
        services.MSG_CHANGE_ONLY,
        state=state,
    )
    assert add(rec, dossier, document, actor=rec.clerk).ordinal == 1


def test_order_move_and_remove_keep_ordinals_without_gaps(rec):
    dossier = open_dossier(rec)
    docs = [incoming(rec, code_number=str(n)) for n in range(1, 5)]
    items = [add(rec, dossier, d) for d in docs]
    ids = [d.pk for d in docs]
    services.dossier_item_move(actor=rec.handler, dossier=dossier, item_id=items[2].pk, up=True)
    assert ordinals(dossier) == [(1, ids[0]), (2, ids[2]), (3, ids[1]), (4, ids[3])]
    # Up at the top changes nothing.
    services.dossier_item_move(actor=rec.handler, dossier=dossier, item_id=items[0].pk, up=True)
    assert ordinals(dossier)[0] == (1, ids[0])
    services.dossier_items_order(
        actor=rec.handler,
        dossier=dossier,
        numbers={items[0].pk: 4, items[1].pk: 1, items[2].pk: 1, items[3].pk: 9},
    )
    # Ties keep their previous order (item 3 stood before item 2).
    assert ordinals(dossier) == [(1, ids[2]), (2, ids[1]), (3, ids[0]), (4, ids[3])]
    services.dossier_item_remove(actor=rec.handler, dossier=dossier, item_id=items[1].pk)
    assert ordinals(dossier) == [(1, ids[2]), (2, ids[0]), (3, ids[3])]
    assert Document.objects.filter(pk=ids[1]).exists()  # the record stays


def test_an_order_that_leaves_items_out_is_refused(rec):
    dossier = open_dossier(rec)
    items = [add(rec, dossier, incoming(rec, code_number=str(n))) for n in (1, 2)]
    refused(
        lambda: services.dossier_items_order(
            actor=rec.handler, dossier=dossier, numbers={items[0].pk: 1}
        ),
        ServiceError,
        services.MSG_ORDER,
        state=state,
    )


# ---------------------------------------------------------------- completeness and closing


def test_completeness_lists_every_problem(rec):
    dossier = open_dossier(rec)
    waiting = incoming(rec, code_number="40", due_date=dt.date(2026, 12, 1))
    add(rec, dossier, waiting)
    unanswered, _result = processed(rec)  # done, asks a reply, no reply
    add(rec, dossier, unanswered)
    version = draft_version(rec)
    add(rec, dossier, version)
    problems = services.dossier_problems(dossier)
    assert [p.key for p in problems] == [
        f"processing-{waiting.pk}",
        f"reply-{waiting.pk}",
        f"reply-{unanswered.pk}",
        f"draft-{version.pk}",
    ]
    assert problems[0].message == (
        "Văn bản đến số 40/QĐ-UBND (thứ tự 1) chưa xử lý xong (chờ trình)."
    )
    assert problems[2].message == (
        "Văn bản đến số 27/QĐ-UBND (thứ tự 2) yêu cầu trả lời trước ngày 10/12/2026 nhưng "
        "chưa có văn bản trả lời đã ban hành."
    )
    assert problems[3].message == (
        "Dự thảo “Kế hoạch chuyển đổi số của tỉnh năm 2027” (phiên bản 1, thứ tự 3) chưa được "
        "ban hành."
    )


def test_a_reply_number_or_an_outgoing_reply_answers(rec):
    dossier = open_dossier(rec)
    answered, _result = processed(rec, reply="12/STTTT-VP")
    add(rec, dossier, answered)
    assert services.dossier_problems(dossier) == []
    other = services.dossier_open_ad_hoc(
        actor=rec.handler, unit=rec.province.stttt, title="Hồ sơ khác", item=rec.two_years
    )
    document = Document.objects.get(pk=answered.pk)
    # Without the reply number: an outgoing document in the dossier answers it.
    type(document.processing).objects.filter(pk=document.processing.pk).update(reply_reference="")
    add(rec, other, document)
    assert [p.key for p in services.dossier_problems(other)] == [f"reply-{document.pk}"]
    add(rec, other, outgoing(rec))
    assert services.dossier_problems(other) == []


def test_close_needs_every_warning_confirmed(rec):
    dossier = open_dossier(rec)
    version = draft_version(rec)
    add(rec, dossier, version)
    refused(
        lambda: services.dossier_close(actor=rec.handler, dossier=dossier),
        ServiceError,
        services.MSG_UNCONFIRMED,
        "confirmed",
        state=state,
    )
    closed = services.dossier_close(
        actor=rec.handler, dossier=dossier, confirmed=[f"draft-{version.pk}"]
    )
    assert closed.status == DossierStatus.CLOSED
    assert closed.closed_by == rec.handler
    assert closed.closed_at == clock.now()
    assert closed.work_ended_on == TODAY
    assert closed.handover_due_on == dt.date(2027, 11, 25)
    [event] = _events("records.dossier_closed")
    assert event.data["warnings"] == [services.dossier_problems(dossier)[0].message]


def test_close_with_a_second_look_at_the_retention(rec):
    with clock.frozen(dt.datetime(2026, 11, 2, 9, 0, tzinfo=VN)):
        dossier = open_dossier(rec, construction=True)
    add(rec, dossier, outgoing(rec))
    closed = services.dossier_close(
        actor=rec.handler,
        dossier=dossier,
        work_ended_on=dt.date(2026, 11, 30) - dt.timedelta(days=10),
        item=rec.permanent,
    )
    assert closed.retention_item == rec.permanent
    assert closed.maintenance == "Vĩnh viễn"
    # Construction projects: three months after the work ended (Art. 31).
    assert closed.handover_due_on == dt.date(2027, 2, 20)
    [event] = _events("records.dossier_closed")
    assert event.data["retention"] == {
        "old": {"item": rec.ten_years.pk, "maintenance": "10 năm"},
        "new": {"item": rec.permanent.pk, "maintenance": "Vĩnh viễn"},
    }


def test_short_retention_is_not_handed_over(rec):
    dossier = open_dossier(rec)
    add(rec, dossier, outgoing(rec))
    closed = services.dossier_close(actor=rec.handler, dossier=dossier, item=rec.two_years)
    assert closed.handover_due_on is None


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (dt.date(2026, 11, 26), "Ngày kết thúc công việc không được sau hôm nay (25/11/2026)."),
        (
            dt.date(2026, 11, 24),
            "Ngày kết thúc công việc không được trước ngày mở hồ sơ (25/11/2026).",
        ),
    ],
)
def test_work_ended_on_bounds(rec, day, message):
    dossier = open_dossier(rec)
    add(rec, dossier, outgoing(rec))
    refused(
        lambda: services.dossier_close(actor=rec.handler, dossier=dossier, work_ended_on=day),
        ServiceError,
        message,
        "work_ended_on",
        state=state,
    )


def test_an_empty_dossier_is_not_closed(rec):
    dossier = open_dossier(rec)
    refused(
        lambda: services.dossier_close(actor=rec.handler, dossier=dossier),
        ServiceError,
        services.MSG_EMPTY,
        state=state,
    )


def _closed(rec):
    dossier = open_dossier(rec)
    document = outgoing(rec)
    add(rec, dossier, document)
    return services.dossier_close(actor=rec.handler, dossier=dossier), document


def test_a_closed_dossier_is_frozen(rec):
    dossier, _document = _closed(rec)
    item = DossierItem.objects.get(dossier=dossier)
    frozen = "Hồ sơ đã kết thúc ngày 25/11/2026, không thay đổi được."
    other = incoming(rec)
    for call in (
        lambda: add(rec, dossier, other),
        lambda: services.dossier_item_remove(actor=rec.handler, dossier=dossier, item_id=item.pk),
        lambda: services.dossier_item_move(
            actor=rec.handler, dossier=dossier, item_id=item.pk, up=False
        ),
        lambda: services.dossier_items_order(
            actor=rec.handler, dossier=dossier, numbers={item.pk: 1}
        ),
        lambda: services.dossier_edit(
            actor=rec.clerk, dossier=dossier, title="Sửa", fields=services.DossierFields()
        ),
        lambda: services.dossier_close(actor=rec.handler, dossier=dossier),
    ):
        refused(call, ServiceError, frozen, state=state)
    assert not rules.can_change(rec.handler, Dossier.objects.get(pk=dossier.pk))


def test_the_head_reopens_with_a_reason(rec):
    dossier, _document = _closed(rec)
    refused(
        lambda: services.dossier_reopen(actor=rec.handler, dossier=dossier, reason="Bổ sung"),
        AccessDenied,
        f"Chỉ thủ trưởng cơ quan (lãnh đạo {rec.province.stttt.name}) được mở lại hồ sơ đã "
        "kết thúc.",
        state=state,
    )
    refused(
        lambda: services.dossier_reopen(actor=rec.leader, dossier=dossier, reason="  "),
        ServiceError,
        services.MSG_REASON,
        "reason",
        state=state,
    )
    reopened = services.dossier_reopen(
        actor=rec.leader, dossier=dossier, reason="Bổ sung quyết định tuyển dụng"
    )
    assert reopened.status == DossierStatus.OPEN
    assert (reopened.closed_at, reopened.handover_due_on, reopened.closed_by) == (None, None, None)
    [event] = _events("records.dossier_reopened")
    assert event.data["reason"] == "Bổ sung quyết định tuyển dụng"
    assert event.data["closed"]["handover_due_on"] == "2027-11-25"
    refused(
        lambda: services.dossier_reopen(actor=rec.leader, dossier=dossier, reason="Lại"),
        ServiceError,
        services.MSG_NOT_CLOSED,
        state=state,
    )


@pytest.mark.parametrize("status", [DossierStatus.SUBMITTED, DossierStatus.ARCHIVED])
def test_a_dossier_handed_over_is_never_reopened(rec, status):
    dossier, _document = _closed(rec)
    Dossier.objects.filter(pk=dossier.pk).update(status=status)
    refused(
        lambda: services.dossier_reopen(actor=rec.leader, dossier=dossier, reason="Bổ sung"),
        ServiceError,
        services.MSG_HANDED_OVER,
        state=state,
    )


# ---------------------------------------------------------------- reading given


def test_share_and_unshare(rec):
    dossier = open_dossier(rec)
    assert not rules.can_read(rec.shared, dossier)
    services.dossier_share(actor=rec.handler, dossier=dossier, user=rec.shared)
    assert rules.can_read(rec.shared, dossier)
    refused(
        lambda: services.dossier_share(actor=rec.handler, dossier=dossier, user=rec.shared),
        ServiceError,
        "Phạm Thị Đọc đã đọc được hồ sơ này.",
        "user",
        state=state,
    )
    refused(
        lambda: services.dossier_share(actor=rec.clerk, dossier=dossier, user=rec.colleague),
        AccessDenied,
        services.MSG_SHARE_ONLY,
        state=state,
    )
    services.dossier_unshare(actor=rec.leader, dossier=dossier, user_id=rec.shared.pk)
    assert not rules.can_read(rec.shared, dossier)
    assert [e.data["name"] for e in _events("records.dossier_shared")] == ["Phạm Thị Đọc"]
    assert len(_events("records.dossier_unshared")) == 1


def test_a_closed_dossier_may_still_be_given_to_read(rec):
    dossier, _document = _closed(rec)
    services.dossier_share(actor=rec.handler, dossier=dossier, user=rec.shared)
    assert rules.can_read(rec.shared, dossier)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.SUBMITTED)
    refused(
        lambda: services.dossier_share(actor=rec.handler, dossier=dossier, user=rec.colleague),
        ServiceError,
        services.MSG_SHARE_HANDED,
        state=state,
    )


# ---------------------------------------------------------------- concurrent writers

WRITERS = 8


def _all_at_once(work) -> list[BaseException]:
    """`work(i)` in WRITERS threads released together; the errors they raised."""
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_and_opens_keep_numbers_unique(document_types, rec):
    dossier = open_dossier(rec)
    documents = [incoming(rec, code_number=str(100 + i)) for i in range(WRITERS)]
    errors = _all_at_once(lambda i: add(rec, dossier, documents[i]))
    assert errors == []
    assert sorted(
        DossierItem.objects.filter(dossier=dossier).values_list("ordinal", flat=True)
    ) == (list(range(1, WRITERS + 1)))
    errors = _all_at_once(
        lambda i: services.dossier_open_ad_hoc(
            actor=rec.handler, unit=rec.province.stttt, title=f"Hồ sơ {i}", item=rec.two_years
        )
    )
    assert errors == []
    symbol = rec.province.stttt.symbol
    assert sorted(Dossier.objects.filter(ad_hoc=True).values_list("notation", flat=True)) == [
        f"PS{n:02d}.{symbol}" for n in range(1, WRITERS + 1)
    ]
