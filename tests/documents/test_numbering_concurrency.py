"""Gap-free, duplicate-free numbers when many clerks register at the same moment (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from tests.support.documents import DECLARED, doc_type, incoming_input, scan
from tests.support.files import pdf_bytes, upload
from tests.support.province import make_user
from vanban.accounts import services as account_services
from vanban.accounts.models import Role
from vanban.documents import services
from vanban.documents.models import Direction, Document, RegisterSeries
from vanban.documents.services import DocumentInput

INCOMING = 50
OUTGOING = 30

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (CI runs this test there)",
)


@pytest.mark.django_db(transaction=True)
def test_many_clerks_registering_at_once_get_consecutive_unique_numbers(document_types):
    root = account_services.unit_create(
        actor=None,
        name="UBND tỉnh",
        symbol="UBND",
        abbreviation="ubndtinh",
        agency_code="000.00.00.H07",
        parent=None,
    )
    unit = account_services.unit_create(
        actor=None,
        name="Sở Tư pháp",
        symbol="STP",
        abbreviation="stp",
        agency_code="000.00.03.H07",
        parent=root,
    )
    clerks = [make_user(unit, f"Văn Thư Số {chr(65 + i)}", (Role.CLERK,)) for i in range(10)]
    decision = doc_type("Quyết định")
    pdf = pdf_bytes("Quyết định thử nghiệm đồng thời")
    barrier = threading.Barrier(INCOMING + OUTGOING)
    errors: list[BaseException] = []

    def incoming(i: int) -> None:
        try:
            barrier.wait()
            services.incoming_register(
                actor=clerks[i % len(clerks)],
                unit=unit,
                refusals=DECLARED,
                data=incoming_input(code_number=str(1000 + i)),
                main_file=scan(),
            )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def outgoing(i: int) -> None:
        try:
            barrier.wait()
            services.outgoing_register(
                actor=clerks[i % len(clerks)],
                unit=unit,
                refusals=DECLARED,
                data=DocumentInput(
                    document_type=decision, subject=f"Quyết định {i}", recipients="Các sở, ngành"
                ),
                main_file=upload(f"qd-{i}.pdf", pdf),
            )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=incoming, args=(i,)) for i in range(INCOMING)]
    threads += [threading.Thread(target=outgoing, args=(i,)) for i in range(OUTGOING)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    arrival = sorted(
        Document.objects.filter(unit=unit, direction=Direction.INCOMING).values_list(
            "register_number", flat=True
        )
    )
    assert arrival == list(range(1, INCOMING + 1))
    symbols = sorted(
        Document.objects.filter(unit=unit, direction=Direction.OUTGOING).values_list(
            "code_number", flat=True
        )
    )
    assert symbols == [f"{n:02d}" for n in range(1, OUTGOING + 1)]
    counters = dict(
        RegisterSeries.objects.filter(unit=unit).values_list("direction", "next_number")
    )
    assert counters == {"in": INCOMING + 1, "out": OUTGOING + 1}
