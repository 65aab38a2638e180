"""Two of a unit's IT staff act on the same new report at the same moment (PostgreSQL): the
report's row is locked, so one change wins and the other is refused against the status it then
finds; the history has exactly one line after the report was made (R21)."""

import threading

import pytest
from django.db import connection, connections

from tests.oversight.support_faults import report
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.core.errors import ServiceError
from vanban.oversight import faults
from vanban.oversight.models_faults import FaultReport, FaultReportChange, FaultStatus

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (CI runs this test there)",
)


@pytest.mark.django_db(transaction=True)
def test_two_administrators_triage_at_once_and_one_wins(province):
    second = make_user(province.stttt, "Mai Văn Kỹ", (Role.UNIT_ADMIN,))
    made = report(province.staff_stttt)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor, to_status: str) -> None:
        try:
            barrier.wait()
            faults.fault_report_change(
                actor=actor, report_id=made.pk, to_status=to_status, note="Đã xem."
            )
            outcomes.append(to_status)
        except ServiceError as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(province.admin_stttt, FaultStatus.ESCALATED)),
        threading.Thread(target=act, args=(second, FaultStatus.FIXED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = FaultReport.objects.get(pk=made.pk).status
    assert final in (FaultStatus.ESCALATED, FaultStatus.FIXED)
    assert outcomes.count(final) == 1
    refusal = next(o for o in outcomes if o != final)
    assert refusal.startswith(f"Báo lỗi số {made.pk} đang ở trạng thái")
    assert FaultReportChange.objects.filter(report=made).count() == 2
