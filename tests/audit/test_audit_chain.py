from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def verify_output() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out, stderr=out)
    return out.getvalue()


def test_security_actions_form_a_valid_chain(province):
    count, problems = audit_verify()
    assert problems == []
    assert count == AuditEvent.objects.count() > 5
    seqs = list(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert "Nhật ký toàn vẹn" in verify_output()


def test_events_cannot_be_changed_through_the_orm(province):
    event = AuditEvent.objects.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_detects_a_changed_event(province):
    event = AuditEvent.objects.filter(action="account.create").first()
    raw(
        "UPDATE audit_auditevent SET data = %s WHERE id = %s", ['{"username": "gia.mao"}', event.pk]
    )
    with pytest.raises(CommandError, match="bị can thiệp"):
        verify_output()
    _, problems = audit_verify()
    assert [p.seq for p in problems] == [event.seq]


def test_verify_detects_a_deleted_event_in_the_middle(province):
    event = AuditEvent.objects.order_by("seq")[2]
    raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    _, problems = audit_verify()
    assert problems and problems[0].seq == event.seq


def test_verify_detects_a_deleted_tail(province):
    last = AuditEvent.objects.order_by("-seq").first()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    _, problems = audit_verify()
    assert any("đã bị xóa" in p.message for p in problems)


def test_verify_detects_a_recomputed_forgery(province):
    """Rewriting an event's own hash still breaks the link from the next event."""
    event = AuditEvent.objects.order_by("seq")[1]
    forged = audit_record.__module__  # any marker value
    raw(
        "UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s",
        [forged, "0" * 64, event.pk],
    )
    _, problems = audit_verify()
    assert {p.seq for p in problems} >= {event.seq, event.seq + 1}


def test_an_event_hash_is_recomputed_from_its_plain_fields_after_a_json_round_trip(province):
    """What an archival package carries (R19): the fields as JSON text give back the same hash,
    with no database, and any changed field gives another."""
    import json

    from vanban.audit.services import digest_of, event_fields

    audit_record(actor=None, action="test.plain", data={"tên": "Hồ sơ", "số": 3, "ds": [1, "a"]})
    for event in AuditEvent.objects.order_by("seq"):
        fields = json.loads(json.dumps(event_fields(event), ensure_ascii=False))
        assert digest_of(fields) == event.hash
    fields["action"] = "test.changed"
    assert digest_of(fields) != event.hash
