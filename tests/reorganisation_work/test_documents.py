"""documents.reorganise: the ended unit's series close at its end date with their numbers, the
successor's open for the effective year from 01, and no number is taken in a closed series
(CV 414/BNV-VTLTNN; NĐ 30/2020 Art. 15-16)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.reorganisation_work.conftest import chain_ok, end_into, successor
from tests.support.documents import DECLARED, doc_type, incoming_input
from tests.support.files import pdf_upload
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.documents import reorganise, services
from vanban.documents.models import Document, RegisterSeries
from vanban.documents.services import DocumentInput

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30))
EFFECTIVE = dt.date(2026, 11, 26)  # the Sở ends on 25/11/2026


@pytest.fixture(autouse=True)
def _clock():
    with clock.frozen(NOW):
        yield


def outgoing(clerk, unit, type_name: str = "Quyết định", **overrides) -> Document:
    values = {
        "document_type": doc_type(type_name),
        "subject": f"{type_name} thử nghiệm",
        "recipients": "Các sở, ban, ngành tỉnh",
        "signer_name": "Phạm Minh Đức",
        "signer_position": "Giám đốc",
    }
    values.update(overrides)
    return services.outgoing_register(
        actor=clerk,
        unit=unit,
        data=DocumentInput(**values),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )


def incoming(clerk, unit, number: str = "15") -> Document:
    return services.incoming_register(
        actor=clerk,
        unit=unit,
        data=incoming_input(code_number=number),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )


@pytest.fixture
def registered(office):
    so = office.province.stttt
    first = outgoing(office.clerk, so)
    second = outgoing(office.clerk, so, "Công văn", drafting_symbol="VP")
    normative = outgoing(office.clerk, so, legal_normative=True)
    arrived = incoming(office.clerk, so)
    return [first, second, normative, arrived]


def test_series_close_and_open_and_numbering_goes_on_in_the_successor(
    office, registered, client_for
):
    so = office.province.stttt
    target = successor(office.province.root)
    target_clerk = make_user(target, "Phan Thị Văn Thư", (Role.CLERK,))
    before = {d.pk: (d.series_id, d.register_number, d.number_symbol) for d in registered}
    transfer = end_into(so, target, EFFECTIVE)

    lines = reorganise.transfer_preview(transfer)
    assert [(line.label, line.count) for line in lines] == [
        ("Sổ văn bản khóa ngày 25/11/2026", 3),
        ("Sổ văn bản mở ở Sở Khoa học và Công nghệ năm 2026", 3),
    ]
    assert "Sổ đăng ký văn bản đi (2026): số cuối 02" in lines[0].examples
    assert "Sổ đăng ký văn bản đến (2026): số cuối 01" in lines[0].examples
    assert RegisterSeries.objects.filter(unit=so, is_active=True).count() == 3  # read only

    assert reorganise.transfer_apply(transfer) == {"series_closed": 3, "series_opened": 3}

    closed = RegisterSeries.objects.filter(unit=so)
    assert {(s.is_active, s.closed_on) for s in closed} == {(False, dt.date(2026, 11, 25))}
    assert {s.next_number for s in closed if s.direction == "out" and not s.legal_normative} == {3}
    opened = RegisterSeries.objects.filter(unit=target)
    assert sorted((s.year, s.direction, s.legal_normative, s.next_number) for s in opened) == [
        (2026, "in", False, 1),
        (2026, "out", False, 1),
        (2026, "out", True, 1),
    ]
    # Every document keeps its series, number and symbol, and is still in the register.
    after = {
        d.pk: (d.series_id, d.register_number, d.number_symbol)
        for d in Document.objects.filter(pk__in=before)
    }
    assert after == before
    assert registered[0].number_symbol == "01/QĐ-STTTT"

    # The successor numbers from 01 in its new series.
    new = outgoing(target_clerk, target)
    assert new.number_symbol == "01/QĐ-SKHCN"
    assert new.series.unit_id == target.pk
    assert incoming(target_clerk, target).register_number == 1

    # The closed series takes no number; nothing is written.
    count = Document.objects.count()
    numbers = list(RegisterSeries.objects.filter(unit=so).values_list("pk", "next_number"))
    with pytest.raises(ServiceError, match="đã khóa ngày 25/11/2026 vì đơn vị kết thúc"):
        outgoing(office.clerk, so)
    with pytest.raises(ServiceError, match=r"Sổ đăng ký văn bản đến.*đã khóa"):
        incoming(office.clerk, so, "16")
    assert Document.objects.count() == count
    assert list(RegisterSeries.objects.filter(unit=so).values_list("pk", "next_number")) == numbers

    # The registers page still shows the closed series with their numbers.
    page = client_for(office.clerk).get("/van-ban/so-van-ban/", {"unit": so.pk, "year": 2026})
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("Đã khóa sổ ngày 25/11/2026") == 3

    # Applied twice: nothing more.
    events = AuditEvent.objects.count()
    assert reorganise.transfer_apply(transfer) == {"series_closed": 0, "series_opened": 0}
    assert reorganise.transfer_preview(transfer) == []
    assert AuditEvent.objects.count() == events
    assert chain_ok()


def test_audit_events_name_the_decision(office, registered):
    target = successor(office.province.root)
    transfer = end_into(office.province.stttt, target, EFFECTIVE)
    reorganise.transfer_apply(transfer)
    events = AuditEvent.objects.filter(action__in=["series.close", "series.create"]).order_by("seq")
    closes = [e for e in events if e.action == "series.close"]
    assert len(closes) == 3 and {e.data["decision"] for e in closes} == {"1234/QĐ-UBND"}
    assert sorted(e.data["last_number"] for e in closes) == [1, 1, 2]
    assert [e.unit_id for e in events if e.action == "series.create"] == [target.pk] * 3


def test_a_successor_keeps_the_series_it_has(office, registered):
    target = successor(office.province.root)
    target_clerk = make_user(target, "Phan Thị Văn Thư", (Role.CLERK,))
    outgoing(target_clerk, target)  # its own outgoing series of 2026, at 02 now
    transfer = end_into(office.province.stttt, target, EFFECTIVE)
    assert reorganise.transfer_apply(transfer) == {"series_closed": 3, "series_opened": 2}
    kept = RegisterSeries.objects.get(unit=target, direction="out", legal_normative=False)
    assert kept.next_number == 2


def test_a_rename_closes_nothing(office, registered):
    so = office.province.stttt
    transfer = end_into(so, so, EFFECTIVE)
    assert reorganise.transfer_preview(transfer) == []
    assert reorganise.transfer_apply(transfer) == {"series_closed": 0, "series_opened": 0}
    assert outgoing(office.clerk, so).number_symbol == "03/QĐ-STTTT"


def test_an_ended_unit_opens_no_new_series(office):
    so = office.province.stttt
    end_into(so, successor(office.province.root), dt.date(2026, 11, 1))
    with pytest.raises(ServiceError, match="đã kết thúc hoạt động ngày 31/10/2026"):
        outgoing(office.clerk, so)
    with pytest.raises(ServiceError, match="đã kết thúc hoạt động"):
        services.series_create(actor=office.clerk, unit=so, year=2026, direction="in")
    assert not RegisterSeries.objects.filter(unit=so).exists()
