"""Two clerks confirming the same scan at the same moment register it once (PostgreSQL): the
item's row lock makes the second wait, then refuses it with the reason, nothing stored."""

import threading

import pytest
from django.db import connection, connections

from tests.support.documents import DECLARED, incoming_input
from tests.support.province import make_user, province_root_and_stttt
from tests.support.scan_pages import queued_scan
from vanban.accounts.models import Role
from vanban.core.errors import ServiceError
from vanban.documents.models import Document
from vanban.paper import services
from vanban.paper.models import ScanItem

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (CI runs this test there)",
)

CLERKS = 4


@pytest.mark.django_db(transaction=True)
def test_clerks_confirming_one_scan_at_once_register_it_once(document_types, own_storage):
    _root, unit = province_root_and_stttt()
    clerks = [make_user(unit, f"Văn Thư Số {chr(65 + i)}", (Role.CLERK,)) for i in range(CLERKS)]
    item = queued_scan(unit, clerks[0])
    barrier = threading.Barrier(CLERKS)
    refusals: list[str] = []
    errors: list[BaseException] = []

    def confirm(clerk) -> None:
        try:
            barrier.wait()
            services.scan_register(
                actor=clerk,
                item=ScanItem.objects.get(pk=item.pk),
                data=incoming_input(),
                refusals=DECLARED,
                confirm_duplicate=True,
            )
        except ServiceError as exc:
            refusals.append(exc.message)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(clerk,)) for clerk in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert refusals == ["Bản quét này đã được vào sổ."] * (CLERKS - 1)
    document = Document.objects.get()
    item.refresh_from_db()
    assert (item.status, item.document_id) == (ScanItem.Status.REGISTERED, document.pk)
