"""drafting.reorganise: drafts of the ended unit not yet issued go to its successor with a line
in their trail; issued drafts stay with the ended unit (CV 414/BNV-VTLTNN)."""

import pytest

from tests.reorganisation_work.conftest import chain_ok, end_into, successor
from tests.support import drafting
from tests.support.drafting import create_draft, issued, to_approved
from tests.support.province import make_user
from tests.support.workflow import TODAY
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.documents.models import Document
from vanban.drafting import reorganise
from vanban.drafting.models import Draft, DraftAction, DraftEvent, DraftStatus

pytestmark = pytest.mark.django_db
EFFECTIVE = TODAY
MOVED = (
    "Chuyển dự thảo từ Sở Thông tin và Truyền thông sang Sở Khoa học và Công nghệ theo "
    "1234/QĐ-UBND (sắp xếp tổ chức, có hiệu lực từ ngày 25/11/2026)."
)


@pytest.fixture(autouse=True)
def _storage_and_clock(settings, tmp_path):
    drafting.own_storage(settings, tmp_path)
    with drafting.fixed_clock():
        yield


def test_drafts_not_issued_go_to_the_successor(team, client_for):
    so = team.province.stttt
    drafting_one = create_draft(team)
    approved = to_approved(team, create_draft(team, subject="Kế hoạch chuyển đổi số năm 2027"))
    done, document = issued(team, subject="Kế hoạch ứng dụng công nghệ thông tin năm 2026")
    target = successor(team.province.root)
    leader = make_user(target, "Nguyễn Văn Giám Đốc", (Role.LEADER,))
    transfer = end_into(so, target, EFFECTIVE)

    (line,) = reorganise.transfer_preview(transfer)
    assert (line.label, line.count) == ("Dự thảo chưa ban hành", 2)
    assert line.examples[0] == f"Kế hoạch: {drafting_one.subject} (Đang soạn thảo)"
    assert len(line.warnings) == 1 and "đã phê duyệt" in line.warnings[0]
    assert Draft.objects.filter(unit=so).count() == 3  # read only

    assert reorganise.transfer_apply(transfer) == {"drafts_moved": 2}
    units = {d.pk: (d.unit_id, d.issuing_unit_id, d.status) for d in Draft.objects.all()}
    assert units == {
        drafting_one.pk: (target.pk, target.pk, DraftStatus.DRAFTING),
        approved.pk: (target.pk, target.pk, DraftStatus.APPROVED),
        done.pk: (so.pk, so.pk, DraftStatus.ISSUED),
    }
    document.refresh_from_db()
    assert (document.unit_id, document.number_symbol) == (so.pk, "01/KH-STTTT")
    assert Document.objects.filter(unit=target).count() == 0
    events = DraftEvent.objects.filter(action=DraftAction.TRANSFERRED)
    assert sorted(e.draft_id for e in events) == sorted([drafting_one.pk, approved.pk])
    assert {(e.text, e.actor_id) for e in events} == {(MOVED, None)}

    # The successor's leader finds the draft and its trail line.
    page = client_for(leader).get(f"/du-thao/{drafting_one.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Chuyển đơn vị do sắp xếp tổ chức" in text and MOVED in text

    count = AuditEvent.objects.count()
    assert reorganise.transfer_apply(transfer) == {"drafts_moved": 0}
    assert reorganise.transfer_preview(transfer) == []
    assert AuditEvent.objects.count() == count
    assert chain_ok()


def test_the_plan_may_give_a_draft_to_another_unit_and_a_rename_moves_nothing(team):
    so = team.province.stttt
    first = create_draft(team)
    second = create_draft(team, subject="Kế hoạch khác")
    assert reorganise.transfer_apply(end_into(so, so, EFFECTIVE)) == {"drafts_moved": 0}
    other = successor(
        team.province.root, "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", "000.00.15.H61"
    )
    target = successor(team.province.root)
    transfer = end_into(so, target, EFFECTIVE, overrides=((f"draft:{second.pk}", other.pk),))
    assert reorganise.transfer_apply(transfer) == {"drafts_moved": 2}
    assert Draft.objects.get(pk=first.pk).unit_id == target.pk
    assert Draft.objects.get(pk=second.pk).issuing_unit_id == other.pk
    audit = AuditEvent.objects.get(action="draft.transfer", data__to=other.pk)
    assert audit.data["fields"] == ["unit", "issuing_unit"]
