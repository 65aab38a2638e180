"""records.reorganise: the ended agency's fonds closes at its end date with every dossier it
holds, the successor's opens on the effective date, and open dossiers are warned of
(CV 414/BNV-VTLTNN)."""

import datetime as dt

import pytest

from tests.records.support_handover import build_archive, closed_dossier, submitted
from tests.reorganisation_work.conftest import chain_ok, end_into, successor
from tests.support.drafting import NOW
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.records import handover, reorganise
from vanban.records.models import Dossier, DossierStatus, Fonds, HandOverStatus

EFFECTIVE = dt.date(2026, 7, 1)


@pytest.fixture(autouse=True)
def _clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def archive(province):
    return build_archive(province)


def test_the_fonds_closes_and_the_successor_gets_its_own(archive):
    so = archive.province.stttt
    kept = closed_dossier(archive)
    pending = closed_dossier(archive, title="Báo cáo năm 2025")
    hand_over = submitted(archive, pending)
    still_open = closed_dossier(
        archive, title="Hồ sơ chuyển đổi số 2026", status=DossierStatus.OPEN
    )
    target = successor(archive.province.root)
    transfer = end_into(so, target, EFFECTIVE)

    lines = reorganise.transfer_preview(transfer)
    assert [(line.label, line.count) for line in lines] == [
        ("Phông lưu trữ đóng ngày 30/06/2026", 1),
        ("Phông lưu trữ mở ngày 01/07/2026", 1),
    ]
    assert lines[0].examples == ("Sở Thông tin và Truyền thông tỉnh Bến Tre",)
    assert lines[0].warnings == (
        f"Hồ sơ {still_open.notation} – Hồ sơ chuyển đổi số 2026 (2025) đang lập; văn phòng của "
        "Sở Thông tin và Truyền thông cần kết thúc hồ sơ.",
        "Còn 1 lần nộp lưu chờ lưu trữ kiểm tra; lưu trữ vẫn tiếp nhận được sau khi phông đóng.",
    )
    assert lines[1].examples == ("Phông Sở Khoa học và Công nghệ",)
    assert lines[0].conflicts == () and lines[1].conflicts == ()
    assert Fonds.objects.get(unit=so).closed_on is None  # read only

    assert reorganise.transfer_apply(transfer) == {"fonds_closed": 1, "fonds_opened": 1}
    closed = Fonds.objects.get(unit=so)
    assert closed.closed_on == dt.date(2026, 6, 30)
    opened = Fonds.objects.get(unit=target)
    assert (opened.name, opened.opened_on, opened.closed_on, opened.note) == (
        "Phông Sở Khoa học và Công nghệ",
        EFFECTIVE,
        None,
        "Mở theo 1234/QĐ-UBND",
    )
    # Every dossier stays in the ended agency with its state.
    assert {d.pk: (d.unit_id, d.status) for d in Dossier.objects.all()} == {
        kept.pk: (so.pk, DossierStatus.CLOSED),
        pending.pk: (so.pk, DossierStatus.SUBMITTED),
        still_open.pk: (so.pk, DossierStatus.OPEN),
    }
    # The closed fonds takes no new hand-over, and the archive still accepts the pending one.
    with pytest.raises(ServiceError, match="đã đóng ngày 30/06/2026"):
        handover.fonds_for(so)
    handover.handover_accept(actor=archive.archivist, hand_over=hand_over)
    hand_over.refresh_from_db()
    assert hand_over.status == HandOverStatus.ACCEPTED

    events = AuditEvent.objects.count()
    assert reorganise.transfer_apply(transfer) == {"fonds_closed": 0, "fonds_opened": 0}
    assert reorganise.transfer_preview(transfer) == [
        lines[0].__class__(
            label="Hồ sơ đang lập của đơn vị kết thúc",
            count=0,
            warnings=lines[0].warnings[:1],
        )
    ]
    assert AuditEvent.objects.count() == events
    assert chain_ok()


def test_a_successor_with_a_fonds_keeps_it_and_a_rename_changes_nothing(archive):
    so = archive.province.stttt
    snv = archive.province.snv
    Fonds.objects.create(unit=snv, name="Sở Nội vụ tỉnh Bến Tre", opened_on=dt.date(2008, 4, 1))
    assert reorganise.transfer_apply(end_into(so, so, EFFECTIVE)) == {
        "fonds_closed": 0,
        "fonds_opened": 0,
    }
    assert Fonds.objects.get(unit=so).closed_on is None
    transfer = end_into(so, snv, EFFECTIVE)
    assert [line.label for line in reorganise.transfer_preview(transfer)] == [
        "Phông lưu trữ đóng ngày 30/06/2026"
    ]
    assert reorganise.transfer_apply(transfer) == {"fonds_closed": 1, "fonds_opened": 0}
    assert Fonds.objects.filter(unit=snv).count() == 1
    actions = list(
        AuditEvent.objects.filter(action__startswith="records.fonds").values_list("action", "data")
    )
    assert actions == [
        (
            "records.fonds_close",
            {
                "name": "Sở Thông tin và Truyền thông tỉnh Bến Tre",
                "closed_on": "2026-06-30",
                "decision": "1234/QĐ-UBND",
                "plan": "vinh-long-2026",
            },
        )
    ]
