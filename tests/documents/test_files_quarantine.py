"""`vanban files check --quarantine-orphans --grace-hours N`: orphans left by a crash are moved
aside once they are older than the grace period; younger ones may belong to a registration in
progress and stay where they are."""

import json
import os
import time

import pytest

from tests.documents import test_files_check
from tests.support.files import pdf_bytes, upload
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_verify
from vanban.documents import files

pytestmark = pytest.mark.django_db

# The fixture and helpers of the check's own tests: each test gets its own empty storage.
storage = test_files_check.storage
check, register = test_files_check.check, test_files_check.register


def orphan(store, text: str, *, hours_ago: float) -> str:
    """A stored file without a row (a crash before the commit), last written `hours_ago`."""
    name = files.file_store(files.file_prepare(upload("qd.pdf", pdf_bytes(text)), actor=None))
    written = time.time() - hours_ago * 3600
    os.utime(store.path(name), (written, written))
    return name


def test_old_orphans_are_moved_aside_young_ones_and_referenced_files_stay(office, storage):
    document = register(office, 15, attachments=1)
    kept_files = sorted(f.storage_name for f in document.files.all())
    old = orphan(storage, "Bị bỏ lại sau sự cố", hours_ago=30)
    young = orphan(storage, "Đang vào sổ", hours_ago=2)
    old_bytes = storage.open(old, "rb").read()
    events = AuditEvent.objects.count()

    output, error = check("--quarantine-orphans", "--grace-hours", "24")

    event = AuditEvent.objects.get(action="files.orphans_quarantined")
    folder = event.data["folder"]
    moved_to = f"{folder}/{old}"
    lines = output.splitlines()
    assert f"Tệp mồ côi (không có bản ghi): {young}" in lines
    assert f"Đã cách ly tệp mồ côi: {old} → {moved_to}" in lines
    assert lines[-2:] == [
        "Đã đối chiếu 2 bản ghi tệp với 4 tệp trong kho: 0 thiếu, 0 bị thay đổi, 1 mồ côi.",
        "Đã cách ly 1 tệp mồ côi cũ hơn 24 giờ (tệp mồ côi mới hơn được giữ nguyên vì có thể "
        "đang được vào sổ).",
    ]
    assert error == "Phát hiện 1 vấn đề về tệp văn bản."  # the young orphan
    assert folder.startswith("orphans/")
    assert not storage.exists(old)
    assert storage.open(moved_to, "rb").read() == old_bytes
    assert storage.exists(young)
    assert all(storage.exists(name) for name in kept_files)
    assert AuditEvent.objects.count() == events + 1
    assert event.actor is None
    assert event.data == {
        "grace_hours": 24,
        "folder": folder,
        "files": [
            {
                "name": old,
                "to": moved_to,
                "size": len(old_bytes),
                "sha256": files.hashlib.sha256(old_bytes).hexdigest(),
            }
        ],
    }
    assert audit_verify()[1] == []
    # The quarantine folder is not walked: a later check sees only the young orphan.
    assert check()[0].splitlines()[-1].endswith("0 thiếu, 0 bị thay đổi, 1 mồ côi.")


def test_without_old_orphans_nothing_moves_and_nothing_is_recorded(office, storage):
    register(office, 15)
    young = orphan(storage, "Đang vào sổ", hours_ago=23)
    events = AuditEvent.objects.count()
    output, error = check("--quarantine-orphans")  # 24 hours by default
    assert "Đã cách ly 0 tệp mồ côi cũ hơn 24 giờ" in output
    assert error == "Phát hiện 1 vấn đề về tệp văn bản."
    assert storage.exists(young)
    assert AuditEvent.objects.count() == events


def test_a_shorter_grace_period_moves_younger_orphans_and_json_lists_them(office, storage):
    register(office, 15)
    name = orphan(storage, "Bị bỏ lại", hours_ago=3)
    output, error = check("--quarantine-orphans", "--grace-hours", "2", "--json")
    assert error is None
    result = json.loads(output)
    assert result["orphans"] == []
    [moved] = result["quarantined"]
    assert moved["storage_name"] == name
    assert moved["moved_to"].endswith(f"/{name}")
    assert storage.exists(moved["moved_to"]) and not storage.exists(name)


def test_a_grace_period_under_one_hour_is_refused_and_nothing_moves(office, storage):
    name = orphan(storage, "Bị bỏ lại", hours_ago=30)
    events = AuditEvent.objects.count()
    _output, error = check("--quarantine-orphans", "--grace-hours", "0")
    assert error == (
        "--grace-hours phải từ 1 trở lên: tệp của một lần vào sổ đang diễn ra được lưu trước "
        "khi bản ghi của nó được ghi. Không có gì bị chuyển."
    )
    assert storage.exists(name)
    assert AuditEvent.objects.count() == events


def test_without_the_option_orphans_are_only_reported(office, storage):
    name = orphan(storage, "Bị bỏ lại", hours_ago=30)
    output, error = check()
    assert error == "Phát hiện 1 vấn đề về tệp văn bản."
    assert "cách ly" not in output
    assert storage.exists(name)
