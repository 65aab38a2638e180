"""The hand-over to the agency archive and the fonds (R19; NĐ 30/2020 Art. 31; CV 414/BNV-VTLTNN):
the fonds opened and closed, the daily notices, the list sent, accepted and returned, keeping
back with the head's approval, and what each refusal leaves unchanged."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.support.drafting import NOW
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.models import Notification
from vanban.core.schedule import DAILY_JOBS, due_jobs_enqueue
from vanban.records import handover, rules
from vanban.records.models import (
    Dossier,
    DossierStatus,
    Fonds,
    HandOverStatus,
    KeepBackStatus,
)
from vanban.records.tasks import handover_notice_task

from .support_handover import (
    TODAY,
    accepted,
    build_archive,
    closed_dossier,
    due_soon,
    far,
    notices,
    overdue,
    state,
    submitted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def archive(province):
    return build_archive(province)


def last_action() -> str:
    return AuditEvent.objects.order_by("-seq").values_list("action", flat=True).first()


def refused(call, exc=ServiceError, match: str = ""):
    before = state()
    with pytest.raises(exc) as info:
        call()
    assert state() == before
    if match:
        assert match in info.value.message
    return info.value.message


# ---------------------------------------------------------------- fonds


def test_a_fonds_per_agency_opened_by_its_administrators(archive):
    p = archive.province
    fonds = handover.fonds_open(
        actor=p.admin_snv,
        unit=p.snv,
        name=" Sở Nội vụ tỉnh Bến Tre ",
        code="SNV",
        opened_on=dt.date(2008, 4, 1),
    )
    assert (fonds.name, fonds.code, fonds.closed_on) == ("Sở Nội vụ tỉnh Bến Tre", "SNV", None)
    assert last_action() == "records.fonds_open"
    assert handover.fonds_for(p.snv) == fonds
    # One fonds per agency, even for the province administrator.
    refused(
        lambda: handover.fonds_open(
            actor=p.province_admin, unit=p.snv, name="Phông khác", opened_on=TODAY
        ),
        match="đã có phông lưu trữ “Sở Nội vụ tỉnh Bến Tre”",
    )
    # The administrator of another unit, a staff member, a clerk: not theirs.
    for actor in (p.admin_snv, p.staff_stttt, archive.clerk):
        refused(
            lambda actor=actor: handover.fonds_open(
                actor=actor, unit=p.root, name="UBND tỉnh", opened_on=TODAY
            ),
            AccessDenied,
            match="Chỉ quản trị tỉnh hoặc quản trị của Ủy ban nhân dân tỉnh Bến Tre",
        )
    refused(
        lambda: handover.fonds_open(actor=p.province_admin, unit=p.root, name=" ", opened_on=TODAY),
        match="Hãy nhập tên phông.",
    )
    refused(
        lambda: handover.fonds_open(
            actor=p.province_admin, unit=p.root, name="UBND tỉnh", opened_on=TODAY + dt.timedelta(1)
        ),
        match="không được sau hôm nay",
    )
    root = handover.fonds_open(
        actor=p.province_admin, unit=p.root, name="UBND tỉnh Bến Tre", opened_on=TODAY
    )
    assert root.unit == p.root


def test_fonds_for_refuses_without_an_open_fonds(archive):
    p = archive.province
    with pytest.raises(ServiceError) as info:
        handover.fonds_for(p.snv)
    assert info.value.message == (
        "Chưa mở phông lưu trữ cho Sở Nội vụ; hãy đề nghị quản trị mở phông trước khi nộp lưu."
    )
    handover.fonds_close(actor=p.admin_stttt, fonds=archive.fonds, closed_on=dt.date(2025, 6, 30))
    with pytest.raises(ServiceError) as info:
        handover.fonds_for(p.stttt)
    assert info.value.message == (
        "Phông lưu trữ “Sở Thông tin và Truyền thông tỉnh Bến Tre” đã đóng ngày 30/06/2025; "
        "không nhận thêm hồ sơ nộp lưu vào phông này."
    )


def test_a_closed_fonds_keeps_what_it_holds_and_takes_nothing_more(archive):
    """CV 414/BNV-VTLTNN: the fonds of an agency that stops closes that day; it is not merged."""
    p = archive.province
    kept = accepted(archive, overdue(archive))
    draft = handover.handover_create(
        actor=archive.clerk, unit=p.stttt, dossier_ids=[due_soon(archive).pk]
    )
    pending = submitted(archive, due_soon(archive, title="Báo cáo quý IV"))
    refused(
        lambda: handover.fonds_close(actor=p.admin_stttt, fonds=archive.fonds, closed_on=TODAY),
        match="còn 1 lần nộp lưu đang chờ lưu trữ kiểm tra",
    )
    handover.handover_accept(actor=archive.archivist, hand_over=pending)
    refused(
        lambda: handover.fonds_close(
            actor=p.admin_stttt, fonds=archive.fonds, closed_on=dt.date(2008, 3, 1)
        ),
        match="phải từ ngày mở phông (01/04/2008)",
    )
    refused(
        lambda: handover.fonds_close(
            actor=p.admin_stttt, fonds=archive.fonds, closed_on=TODAY + dt.timedelta(days=1)
        ),
        match="không được sau hôm nay",
    )
    refused(
        lambda: handover.fonds_close(actor=p.admin_snv, fonds=archive.fonds, closed_on=TODAY),
        AccessDenied,
    )
    fonds = handover.fonds_close(
        actor=p.admin_stttt,
        fonds=archive.fonds,
        closed_on=dt.date(2025, 6, 30),
        note="Hợp nhất theo Quyết định số 1200/QĐ-UBND",
    )
    assert fonds.closed_on == dt.date(2025, 6, 30)
    assert last_action() == "records.fonds_close"
    refused(
        lambda: handover.fonds_close(actor=p.province_admin, fonds=fonds, closed_on=TODAY),
        match="đã đóng ngày 30/06/2025",
    )
    # Nothing more goes in: no new list, and the list not yet sent cannot be sent.
    another = due_soon(archive, title="Kế hoạch năm 2026")
    refused(
        lambda: handover.handover_create(
            actor=archive.clerk, unit=p.stttt, dossier_ids=[another.pk]
        ),
        match="đã đóng ngày 30/06/2025",
    )
    refused(
        lambda: handover.handover_submit(actor=archive.clerk, hand_over=draft),
        match="đã đóng ngày 30/06/2025",
    )
    # A second fonds for the agency (a merge into a new one) is refused; what it holds stays.
    refused(
        lambda: handover.fonds_open(
            actor=p.province_admin, unit=p.stttt, name="Sở Khoa học và Công nghệ", opened_on=TODAY
        ),
        match="phông đã đóng không mở lại",
    )
    assert Fonds.objects.get(pk=fonds.pk).hand_overs.filter(status="accepted").count() == 2
    assert Dossier.objects.get(pk=kept.items.get().dossier_id).status == DossierStatus.ARCHIVED


# ---------------------------------------------------------------- notices


def test_notices_go_once_ahead_and_once_overdue(archive, django_capture_on_commit_callbacks):
    soon = due_soon(archive)
    late = overdue(archive, handler=archive.handler2)
    far(archive)
    closed_dossier(archive, item=archive.two_years, title="Công văn trao đổi")  # stays at the unit
    run = handover.handover_notices_send()
    assert (run.ahead, run.overdue) == (1, 1)
    assert notices() == [
        ("Mai Thị Lưu", "Hồ sơ quá hạn nộp lưu"),
        ("Mai Thị Lưu", "Hồ sơ sắp đến hạn nộp lưu"),
        ("Nguyễn Thu Phương", "Hồ sơ sắp đến hạn nộp lưu"),
        ("Trương Văn Nam", "Hồ sơ quá hạn nộp lưu"),
        ("Võ Thị Thu Trang", "Hồ sơ quá hạn nộp lưu"),
        ("Võ Thị Thu Trang", "Hồ sơ sắp đến hạn nộp lưu"),
    ]
    body = Notification.objects.filter(title="Hồ sơ sắp đến hạn nộp lưu").first().body
    assert body == (
        f"Hồ sơ 2025.{soon.notation} “Kế hoạch chuyển đổi số năm 2025” của Sở Thông tin và "
        "Truyền thông đến hạn nộp lưu ngày 10/12/2026 (còn 15 ngày)."
    )
    links = dict(
        Notification.objects.filter(title="Hồ sơ quá hạn nộp lưu").values_list(
            "recipient__full_name", "link"
        )
    )
    assert links == {
        "Trương Văn Nam": "/ho-so/nop-luu/",
        "Võ Thị Thu Trang": "/ho-so/nop-luu/",
        "Mai Thị Lưu": "/ho-so/luu-tru/cho-kiem-tra/",
    }
    soon.refresh_from_db()
    late.refresh_from_db()
    assert soon.handover_notified_on == TODAY and soon.handover_overdue_notified_on is None
    assert late.handover_overdue_notified_on == TODAY
    assert last_action() == "records.handover_notice"
    # Again the same day, and the next days through the task: nothing more.
    assert handover.handover_notices_send().ahead == 0
    with clock.frozen(NOW + dt.timedelta(days=3)):
        assert handover_notice_task.enqueue().return_value == {"ahead": 0, "overdue": 0}
    # The day after the due date, the dossier still at the unit: one overdue notice.
    with clock.frozen(NOW + dt.timedelta(days=16)):
        assert handover_notice_task.enqueue().return_value == {"ahead": 0, "overdue": 1}
        assert handover_notice_task.enqueue().return_value == {"ahead": 0, "overdue": 0}
    assert Notification.objects.count() == 9
    # The scheduler enqueues the job once a day after 07:15.
    (job,) = [job for job in DAILY_JOBS if job.name == "records_handover_notice"]
    assert job.at == dt.time(7, 15)
    morning = timezone.make_aware(dt.datetime(2026, 11, 26, 7, 0))
    assert due_jobs_enqueue(now=morning, jobs=[job]) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert due_jobs_enqueue(now=morning + dt.timedelta(minutes=20), jobs=[job]) == [
            "records_handover_notice"
        ]


def test_handed_over_and_kept_back_dossiers_are_not_noticed(archive):
    soon = due_soon(archive)
    accepted(archive, overdue(archive))
    soon.kept_back_until = dt.date(2027, 6, 30)
    soon.save(update_fields=["kept_back_until"])
    assert handover.handover_notices_send().__dict__ == {"ahead": 0, "overdue": 0}
    # After the date, it is overdue and noticed once.
    with clock.frozen(timezone.make_aware(dt.datetime(2027, 7, 1, 8))):
        run = handover.handover_notices_send()
    assert (run.ahead, run.overdue) == (0, 1)
    body = Notification.objects.get(recipient=archive.handler, title="Hồ sơ quá hạn nộp lưu").body
    assert "(đã hết thời gian giữ lại đến 30/06/2027)" in body


# ---------------------------------------------------------------- the list


def test_the_office_lists_sends_and_the_archive_accepts(archive):
    p = archive.province
    a, b = overdue(archive), due_soon(archive, item=archive.permanent, handler=archive.handler2)
    hand_over = handover.handover_create(
        actor=archive.clerk, unit=p.stttt, dossier_ids=[b.pk, a.pk]
    )
    assert hand_over.status == HandOverStatus.DRAFT and hand_over.fonds == archive.fonds
    assert [(i.ordinal, i.dossier_id) for i in hand_over.items.order_by("ordinal")] == [
        (1, a.pk),
        (2, b.pk),
    ]
    assert last_action() == "records.handover_create"
    handover.handover_submit(actor=archive.clerk, hand_over=hand_over)
    a.refresh_from_db()
    assert a.status == DossierStatus.SUBMITTED
    # Frozen for the unit; the archive reads it.
    assert not rules.can_change(archive.handler, a)
    assert rules.can_read(archive.archivist, a)
    assert not rules.can_read(archive.archivist_snv, a)
    assert notices("Mục lục") == [("Mai Thị Lưu", "Mục lục nộp lưu chờ kiểm tra")]
    assert last_action() == "records.handover_submit"
    # Only the unit's archive decides.
    for actor in (archive.archivist_snv, archive.clerk, archive.leader):
        refused(
            lambda actor=actor: handover.handover_accept(actor=actor, hand_over=hand_over),
            AccessDenied,
            match="Chỉ lưu trữ cơ quan của Sở Thông tin và Truyền thông",
        )
    refused(
        lambda: handover.handover_submit(actor=archive.clerk, hand_over=hand_over),
        match="đã gửi lưu trữ hoặc đã giao nhận",
    )
    done = handover.handover_accept(actor=archive.archivist, hand_over=hand_over)
    assert (done.status, done.minutes_number, done.checked_by) == (
        HandOverStatus.ACCEPTED,
        1,
        archive.archivist,
    )
    assert done.decided_at == NOW
    assert set(Dossier.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        DossierStatus.ARCHIVED
    }
    assert last_action() == "records.handover_accept"
    assert notices("Lưu trữ cơ quan đã tiếp nhận") == [
        ("Nguyễn Thu Phương", "Lưu trữ cơ quan đã tiếp nhận hồ sơ nộp lưu"),
        ("Trương Văn Nam", "Lưu trữ cơ quan đã tiếp nhận hồ sơ nộp lưu"),
        ("Võ Thị Thu Trang", "Lưu trữ cơ quan đã tiếp nhận hồ sơ nộp lưu"),
    ]
    a.refresh_from_db()
    assert rules.can_read(archive.handler, a) and not rules.can_change(archive.handler, a)
    assert rules.can_read(archive.archivist, a)
    refused(
        lambda: handover.handover_accept(actor=archive.archivist, hand_over=done),
        match="không ở trạng thái chờ lưu trữ kiểm tra",
    )
    # The next accepted list of the fonds is minutes number 2.
    assert accepted(archive, due_soon(archive, title="Báo cáo quý IV")).minutes_number == 2


def test_the_archive_returns_with_notes_and_the_unit_sends_again(archive):
    p = archive.province
    a, b = overdue(archive), due_soon(archive)
    hand_over = submitted(archive, a, b)
    stranger = far(archive)
    refused(
        lambda: handover.handover_return(actor=archive.archivist, hand_over=hand_over, reason=" "),
        match="Hãy nhập lý do trả lại.",
    )
    refused(
        lambda: handover.handover_return(
            actor=archive.archivist, hand_over=hand_over, reason="Thiếu", notes={stranger.pk: "x"}
        ),
        match="không có trong mục lục",
    )
    refused(
        lambda: handover.handover_return(
            actor=archive.archivist, hand_over=hand_over, reason="Thiếu", notes={a.pk: "x" * 501}
        ),
        match="dài quá 500 ký tự",
    )
    handover.handover_return(
        actor=archive.archivist,
        hand_over=hand_over,
        reason="Hồ sơ chưa đủ văn bản.",
        notes={a.pk: "Thiếu báo cáo tháng 12."},
    )
    hand_over.refresh_from_db()
    assert (hand_over.status, hand_over.return_reason) == (
        HandOverStatus.RETURNED,
        "Hồ sơ chưa đủ văn bản.",
    )
    assert dict(hand_over.items.values_list("dossier_id", "return_note")) == {
        a.pk: "Thiếu báo cáo tháng 12.",
        b.pk: "",
    }
    assert set(Dossier.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        DossierStatus.CLOSED
    }
    assert last_action() == "records.handover_return"
    assert ("Võ Thị Thu Trang", "Lưu trữ cơ quan trả lại mục lục nộp lưu") in notices()
    # The unit takes one dossier out and sends again; the notes are cleared.
    refused(
        lambda: handover.handover_remove(
            actor=archive.handler2, hand_over=hand_over, dossier_id=b.pk
        ),
        AccessDenied,
    )
    handover.handover_remove(actor=archive.clerk, hand_over=hand_over, dossier_id=b.pk)
    refused(
        lambda: handover.handover_remove(actor=archive.clerk, hand_over=hand_over, dossier_id=a.pk),
        match="phải còn ít nhất một hồ sơ",
    )
    handover.handover_add(actor=archive.clerk, hand_over=hand_over, dossier_ids=[b.pk])
    assert list(hand_over.items.order_by("ordinal").values_list("ordinal", "dossier_id")) == [
        (1, a.pk),
        (2, b.pk),
    ]
    handover.handover_submit(actor=archive.clerk, hand_over=hand_over)
    hand_over.refresh_from_db()
    assert hand_over.status == HandOverStatus.SUBMITTED and hand_over.return_reason == ""
    assert set(hand_over.items.values_list("return_note", flat=True)) == {""}
    assert ("Mai Thị Lưu", "Mục lục nộp lưu gửi lại chờ kiểm tra") in notices()
    assert p.stttt == hand_over.unit


def test_what_cannot_go_into_a_list(archive):
    p = archive.province
    other = due_soon(archive, handler=archive.handler2)
    mine = due_soon(archive, title="Hồ sơ của tôi")
    # A handler lists their own dossiers, not another's.
    refused(
        lambda: handover.handover_create(
            actor=archive.handler, unit=p.stttt, dossier_ids=[mine.pk, other.pk]
        ),
        AccessDenied,
        match="không do bạn lập",
    )
    own = handover.handover_create(actor=archive.handler, unit=p.stttt, dossier_ids=[mine.pk])
    assert own.prepared_by == archive.handler
    refused(
        lambda: handover.handover_create(actor=archive.clerk, unit=p.stttt, dossier_ids=[mine.pk]),
        match=f"Hồ sơ 2025.{mine.notation} đã có trong mục lục nộp lưu số {own.pk}",
    )
    still_open = closed_dossier(archive, status=DossierStatus.OPEN, title="Đang lập")
    refused(
        lambda: handover.handover_create(
            actor=archive.clerk, unit=p.stttt, dossier_ids=[still_open.pk]
        ),
        match="chưa kết thúc (trạng thái: Đang lập)",
    )
    short = closed_dossier(archive, item=archive.two_years, title="Công văn")
    refused(
        lambda: handover.handover_create(actor=archive.clerk, unit=p.stttt, dossier_ids=[short.pk]),
        match="có thời hạn bảo quản 2 năm, được giữ tại đơn vị, không nộp lưu",
    )
    kept = due_soon(archive, title="Giữ lại")
    kept.kept_back_until = dt.date(2027, 3, 1)
    kept.save(update_fields=["kept_back_until"])
    refused(
        lambda: handover.handover_create(actor=archive.clerk, unit=p.stttt, dossier_ids=[kept.pk]),
        match="đang được giữ lại tại đơn vị đến ngày 01/03/2027",
    )
    snv = due_soon(archive, unit=p.snv, handler=p.staff_snv, title="Của Sở Nội vụ")
    refused(
        lambda: handover.handover_create(actor=archive.clerk, unit=p.stttt, dossier_ids=[snv.pk]),
        match="không thuộc Sở Thông tin và Truyền thông",
    )
    refused(
        lambda: handover.handover_create(actor=archive.clerk, unit=p.stttt, dossier_ids=[]),
        match="Hãy chọn ít nhất một hồ sơ để nộp lưu.",
    )


# ---------------------------------------------------------------- keeping back


def test_keeping_back_needs_the_head_and_two_years_at_most(archive):
    soon = due_soon(archive)  # due 10/12/2026: at most 10/12/2028
    refused(
        lambda: handover.keep_back_request(
            actor=archive.handler, dossier=soon, reason="Còn tra cứu", until=dt.date(2028, 12, 11)
        ),
        match="tối đa 2 năm sau hạn nộp lưu (10/12/2026), tức đến ngày 10/12/2028",
    )
    refused(
        lambda: handover.keep_back_request(
            actor=archive.handler, dossier=soon, reason="Còn tra cứu", until=dt.date(2026, 12, 1)
        ),
        match="phải sau hôm nay và sau hạn nộp lưu",
    )
    refused(
        lambda: handover.keep_back_request(
            actor=archive.handler, dossier=soon, reason=" ", until=dt.date(2027, 12, 1)
        ),
        match="Hãy nhập lý do giữ lại.",
    )
    refused(
        lambda: handover.keep_back_request(
            actor=archive.handler2, dossier=soon, reason="Cần", until=dt.date(2027, 12, 1)
        ),
        AccessDenied,
    )
    short = closed_dossier(archive, item=archive.two_years, title="Công văn")
    refused(
        lambda: handover.keep_back_request(
            actor=archive.handler, dossier=short, reason="Cần", until=dt.date(2027, 12, 1)
        ),
        match="không thuộc diện phải nộp lưu",
    )
    keep = handover.keep_back_request(
        actor=archive.handler,
        dossier=soon,
        reason="Còn dùng để tổng kết giai đoạn 2021-2025.",
        until=dt.date(2028, 12, 10),
    )
    assert keep.status == KeepBackStatus.PENDING
    assert last_action() == "records.keep_back_request"
    assert notices("Đề nghị giữ lại") == [("Phạm Minh Đức", "Đề nghị giữ lại hồ sơ chờ duyệt")]
    refused(
        lambda: handover.keep_back_request(
            actor=archive.clerk, dossier=soon, reason="Cần", until=dt.date(2027, 12, 1)
        ),
        match="đang chờ thủ trưởng duyệt",
    )
    for actor in (archive.clerk, archive.handler, archive.archivist, archive.province.admin_stttt):
        refused(
            lambda actor=actor: handover.keep_back_decide(
                actor=actor, keep_back=keep, approve=True
            ),
            AccessDenied,
            match="Chỉ thủ trưởng (lãnh đạo) của Sở Thông tin và Truyền thông",
        )
    handover.keep_back_decide(actor=archive.leader, keep_back=keep, approve=True)
    soon.refresh_from_db()
    assert soon.kept_back_until == dt.date(2028, 12, 10)
    assert last_action() == "records.keep_back_approve"
    assert ("Nguyễn Thu Phương", "Thủ trưởng đồng ý giữ lại hồ sơ") in notices()
    refused(
        lambda: handover.keep_back_decide(actor=archive.leader, keep_back=keep, approve=False),
        match="đã được quyết định",
    )
    # Left out of the due list and the notices until then.
    page = handover.due_page(user=archive.clerk)
    assert [r.dossier for r in page.rows] == [] and page.kept == [soon]
    assert handover.handover_notices_send().ahead == 0


def test_the_head_refuses_to_keep_back(archive):
    late = overdue(archive)
    keep = handover.keep_back_request(
        actor=archive.clerk, dossier=late, reason="Đang thanh tra", until=dt.date(2027, 5, 1)
    )
    handover.keep_back_decide(actor=archive.leader, keep_back=keep, approve=False)
    keep.refresh_from_db()
    late.refresh_from_db()
    assert keep.status == KeepBackStatus.REFUSED and late.kept_back_until is None
    assert last_action() == "records.keep_back_refuse"
    assert ("Võ Thị Thu Trang", "Thủ trưởng không đồng ý giữ lại hồ sơ") in notices()
    # Once in a list sent to the archive, it can no longer be kept back.
    again = handover.keep_back_request(
        actor=archive.clerk, dossier=late, reason="Đang thanh tra", until=dt.date(2027, 5, 1)
    )
    submitted(archive, late)
    refused(
        lambda: handover.keep_back_decide(actor=archive.leader, keep_back=again, approve=True),
        match="đã nộp lưu nên không giữ lại được nữa",
    )
