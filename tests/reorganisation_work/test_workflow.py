"""workflow.reorganise: the open processing of the ended unit's incoming documents goes to its
successor with its deadlines, each hand-over is a step of the document's timeline, the
successor's clerk and leader then present and direct it through the pages, and delegations of
the ended unit end with their reason (Công điện 96/CĐ-TTg; CV 414/BNV-VTLTNN)."""

import datetime as dt

import pytest

from tests.reorganisation_work.conftest import chain_ok, end_into, successor
from tests.support import workflow
from tests.support.province import make_user
from tests.support.workflow import NOW, TODAY, Work, assignment, directed, register
from tests.workflow.test_pages import section, timeline
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.workflow import reorganise, services
from vanban.workflow.models import (
    Assignment,
    DeadlineAlert,
    DeadlinePolicy,
    Delegation,
    Processing,
    ProcessingStatus,
    TrailAction,
    TrailEntry,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_clock():
    with workflow.fixed_clock():
        yield


@pytest.fixture
def work(office) -> Work:
    return workflow.build_work(office)


EFFECTIVE = TODAY + dt.timedelta(days=1)
HANDED = (
    "Chuyển xử lý từ Sở Thông tin và Truyền thông sang Sở Khoa học và Công nghệ theo "
    "1234/QĐ-UBND (sắp xếp tổ chức, có hiệu lực từ ngày 26/11/2026)."
)


@pytest.fixture
def scene(work):
    """A waiting document, a presented one, one in progress (overdue), and one done."""
    waiting = register(work, code_number="21")
    presented = register(work, code_number="22")
    services.processing_present(actor=work.clerk, document=presented, leader=work.director)
    running = directed(work, code_number="23")
    Processing.objects.filter(document=running).update(deadline=TODAY - dt.timedelta(days=2))
    Assignment.objects.filter(document=running).update(deadline=TODAY - dt.timedelta(days=2))
    done = directed(work, code_number="24")
    services.assignment_complete(
        actor=work.plan_staff,
        assignment=assignment(done, role="lead"),
        result="Đã tham mưu xong.",
    )
    delegation = services.delegation_create(
        actor=work.director,
        unit=work.so,
        deputy=work.deputy,
        starts_at=NOW,
        ends_at=NOW + dt.timedelta(days=10),
    )
    target = successor(work.province.root)
    return {
        "waiting": waiting,
        "presented": presented,
        "running": running,
        "done": done,
        "delegation": delegation,
        "target": target,
        "clerk": make_user(target, "Phan Thị Văn Thư", (Role.CLERK,)),
        "leader": make_user(target, "Nguyễn Văn Giám Đốc", (Role.LEADER,)),
    }


def test_preview_reads_and_lists_open_work(work, scene):
    transfer = end_into(work.so, scene["target"], EFFECTIVE)
    trail = TrailEntry.objects.count()
    lines = {line.label: line for line in reorganise.transfer_preview(transfer)}
    assert lines["Văn bản đến đang xử lý"].count == 3
    assert lines["Văn bản đến đang xử lý"].warnings == (
        "1 văn bản đã quá hạn giải quyết; hạn giữ nguyên khi chuyển.",
    )
    assert lines["Văn bản đến đang xử lý"].examples[0].startswith("23/QĐ-UBND (số đến 3)")
    assert lines["Văn bản đến đang xử lý đã quá hạn"].count == 1
    assert lines["Văn bản đến đang xử lý đã quá hạn"].examples[0].startswith("23/QĐ-UBND")
    assert lines["Ủy quyền kết thúc"].count == 1
    assert "kết thúc hoạt động ngày 25/11/2026" in lines["Ủy quyền kết thúc"].examples[0]
    assert TrailEntry.objects.count() == trail
    assert Processing.objects.filter(unit=work.so).count() == 3  # presented, running, done


def test_open_processing_goes_to_the_successor(work, scene, client_for):
    target = scene["target"]
    transfer = end_into(work.so, target, EFFECTIVE)
    deadlines = dict(Assignment.objects.values_list("pk", "deadline"))

    assert reorganise.transfer_apply(transfer) == {
        "processing_moved": 3,
        "assignments_moved": 3,  # the running document's lead, co and information parts
        "delegations_ended": 1,
    }
    moved = {p.document_id: p for p in Processing.objects.all()}
    assert moved[scene["waiting"].pk].unit_id == target.pk
    assert moved[scene["waiting"].pk].status == ProcessingStatus.WAITING
    assert moved[scene["presented"].pk].unit_id == target.pk
    assert moved[scene["running"].pk].unit_id == target.pk
    assert moved[scene["running"].pk].deadline == TODAY - dt.timedelta(days=2)
    assert moved[scene["done"].pk].unit_id == work.so.pk  # finished: stays
    assert dict(Assignment.objects.values_list("pk", "deadline")) == deadlines
    assert set(
        Assignment.objects.filter(document=scene["running"]).values_list(
            "assigner_unit_id", flat=True
        )
    ) == {target.pk}
    # The documents stay the ended unit's, with their numbers.
    for key in ("waiting", "presented", "running", "done"):
        scene[key].refresh_from_db()
        assert scene[key].unit_id == work.so.pk
    assert scene["running"].register_number == 3

    handed = TrailEntry.objects.filter(action=TrailAction.TRANSFERRED)
    assert handed.count() == 3
    assert {e.summary for e in handed} >= {HANDED + " Thời hạn giải quyết giữ nguyên: 23/11/2026."}
    assert {e.actor_id for e in handed} == {None}

    delegation = Delegation.objects.get(pk=scene["delegation"].pk)
    assert delegation.ended_at == NOW
    assert delegation.end_reason == (
        "Sở Thông tin và Truyền thông kết thúc hoạt động ngày 25/11/2026 theo 1234/QĐ-UBND."
    )

    # The successor's clerk sees the hand-over in the timeline and presents the waiting one.
    clerk = client_for(scene["clerk"])
    waiting = scene["waiting"]
    assert "21/QĐ-UBND" in section(clerk.get("/xu-ly/viec-cua-toi/").content.decode(), "to-present")
    # The ended unit's clerk (still holding the role here) no longer finds it to present.
    old_clerk = client_for(work.clerk).get("/xu-ly/viec-cua-toi/").content.decode()
    assert "22/QĐ-UBND" not in old_clerk and "21/QĐ-UBND" not in old_clerk
    page = clerk.get(f"/xu-ly/van-ban/{waiting.pk}/").content.decode()
    assert any(HANDED in line for line in timeline(page))
    assert "Chuyển đơn vị xử lý do sắp xếp tổ chức" in section(page, "timeline")
    assert 'id="present-form"' in page
    response = clerk.post(
        f"/xu-ly/van-ban/{waiting.pk}/trinh/",
        {"leader": scene["leader"].pk, "note": "Kính trình Giám đốc."},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.awaiting_presentation is False
    assert "21/QĐ-UBND" not in clerk.get("/xu-ly/viec-cua-toi/").content.decode()

    # The successor's leader directs the one presented before the reorganisation.
    leader = client_for(scene["leader"])
    presented = scene["presented"]
    page = leader.get(f"/xu-ly/van-ban/{presented.pk}/").content.decode()
    assert 'id="direct-form"' in page
    response = leader.post(
        f"/xu-ly/van-ban/{presented.pk}/chi-dao/",
        {
            "direction": "Giao văn thư theo dõi.",
            "lead": f"user:{scene['clerk'].pk}",
            "deadline": "2026-12-10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    work_given = Assignment.objects.get(document=presented, role="lead")
    assert (work_given.assigner_unit_id, work_given.assignee_user_id) == (
        target.pk,
        scene["clerk"].pk,
    )

    # The ended unit's clerk cannot present it.
    refused = client_for(work.clerk).post(
        f"/xu-ly/van-ban/{scene['waiting'].pk}/trinh/", {"leader": work.director.pk}
    )
    assert refused.status_code in (403, 404)
    assert chain_ok()


def test_applied_twice_moves_nothing(work, scene):
    transfer = end_into(work.so, scene["target"], EFFECTIVE)
    reorganise.transfer_apply(transfer)
    events = AuditEvent.objects.count()
    trail = TrailEntry.objects.count()
    assert reorganise.transfer_apply(transfer) == {
        "processing_moved": 0,
        "assignments_moved": 0,
        "delegations_ended": 0,
    }
    assert reorganise.transfer_preview(transfer) == []
    assert (AuditEvent.objects.count(), TrailEntry.objects.count()) == (events, trail)


def test_the_plan_may_give_one_document_to_another_unit(work, scene):
    other = successor(
        work.province.root, "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", "000.00.15.H61"
    )
    running = Processing.objects.get(document=scene["running"])
    transfer = end_into(
        work.so, scene["target"], EFFECTIVE, overrides=((f"processing:{running.pk}", other.pk),)
    )
    reorganise.transfer_apply(transfer)
    assert Processing.objects.get(pk=running.pk).unit_id == other.pk
    assert Processing.objects.get(document=scene["presented"]).unit_id == scene["target"].pk


def test_a_rename_keeps_the_processing_and_ends_delegations_that_no_longer_hold(
    work, scene, client_for
):
    so = work.so
    # The deputy left the unit: the delegation no longer holds.
    work.deputy.unit = work.province.snv
    work.deputy.save(update_fields=["unit"])
    work.deputy.role_assignments.filter(unit=so).delete()
    transfer = end_into(so, so, EFFECTIVE)
    lines = reorganise.transfer_preview(transfer)
    assert [line.label for line in lines] == ["Ủy quyền kết thúc"]
    assert reorganise.transfer_apply(transfer) == {
        "processing_moved": 0,
        "assignments_moved": 0,
        "delegations_ended": 1,
    }
    assert Delegation.objects.get(pk=scene["delegation"].pk).end_reason == (
        "Lê Văn Phó không còn thuộc Sở Thông tin và Truyền thông "
        "(sắp xếp tổ chức theo 1234/QĐ-UBND)."
    )
    assert not TrailEntry.objects.filter(action=TrailAction.TRANSFERRED).exists()
    page = client_for(work.director).get("/xu-ly/uy-quyen/").content.decode()
    assert "Lê Văn Phó không còn thuộc Sở Thông tin và Truyền thông" in page


def test_the_successors_leader_directs_handed_over_documents_in_bulk(work, scene, client_for):
    reorganise.transfer_apply(end_into(work.so, scene["target"], EFFECTIVE))
    leader = client_for(scene["leader"])
    presented = scene["presented"]
    form = leader.post(
        "/xu-ly/viec-cua-toi/chon/", {"action": "direct", "documents": [presented.pk]}
    )
    assert form.status_code == 200
    assert 'id="bulk-direct-form"' in form.content.decode()
    response = leader.post(
        "/xu-ly/viec-cua-toi/chon/",
        {
            "action": "direct",
            "documents": [presented.pk],
            "direction": "Giao văn thư theo dõi.",
            "lead": f"user:{scene['clerk'].pk}",
            "deadline": "10/12/2026",
        },
    )
    assert response.status_code == 200
    assert "Đã làm xong 1 văn bản" in response.content.decode()
    lead = Assignment.objects.get(document=presented, role="lead")
    assert (lead.assigner_unit_id, lead.assignee_user_id) == (scene["target"].pk, scene["clerk"].pk)


def _remind_from(unit, days: int) -> None:
    DeadlinePolicy.objects.update_or_create(unit=unit, defaults={"remind_before_days": days})


def test_a_handed_over_document_is_reminded_by_its_successors_policy(work, scene):
    """The daily alerts read the `remind_before_days` of the unit now handling the document
    (its processing's unit), not of the ended unit that registered it (CV 414/BNV-VTLTNN)."""
    target = scene["target"]
    soon = directed(work, code_number="25", deadline=TODAY + dt.timedelta(days=4))
    _remind_from(work.so, 1)  # the ended unit would not remind yet
    _remind_from(target, 5)  # its successor reminds five days ahead
    reorganise.transfer_apply(end_into(work.so, target, EFFECTIVE))
    assert Processing.objects.get(document=soon).unit_id == target.pk
    assert soon.unit_id == work.so.pk

    run = services.deadline_alerts_send()
    reminded = set(DeadlineAlert.objects.values_list("assignment__document_id", flat=True))
    assert soon.pk in reminded
    assert run.due_soon >= 1

    # The other way round: the successor's short notice holds back the alert the ended unit's
    # long notice would have sent.
    DeadlineAlert.objects.all().delete()
    _remind_from(work.so, 10)
    _remind_from(target, 1)
    services.deadline_alerts_send()
    reminded = set(DeadlineAlert.objects.values_list("assignment__document_id", flat=True))
    assert soon.pk not in reminded
