"""`vanban backup DIR` and `vanban restore DIR` between two instances (docs/deployment.md).

Each instance is a separate deployment on this machine (tests.interop.deployment): its own data
directory, storage and database (a SQLite file, or a database of its own on the PostgreSQL server
of the test run). The backup is taken while a clerk of the source registers incoming documents
through the real service in another process; the restore goes into a new instance.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.interop.deployment import ROOT, Instance, _vanban

HERE = "tests.core.test_backup"


# ---------------------------------------------------------------- inside an instance


def setup_source() -> dict[str, Any]:
    """A province with one Sở and its clerk."""
    from tests.support.province import make_user
    from vanban.accounts.models import Role
    from vanban.accounts.services import unit_create

    root = unit_create(
        actor=None,
        name="Ủy ban nhân dân tỉnh Bến Tre",
        symbol="UBND",
        abbreviation="ubndtinh",
        agency_code="000.00.00.H07",
        parent=None,
    )
    unit = unit_create(
        actor=None,
        name="Sở Thông tin và Truyền thông",
        symbol="STTTT",
        abbreviation="stttt",
        agency_code="000.00.12.H07",
        parent=root,
    )
    clerk = make_user(unit, "Võ Thị Thu Trang", (Role.CLERK,))
    return {"unit": unit.pk, "clerk": clerk.pk}


def register(
    *, unit: int, clerk: int, first: int, count: int = 0, started: str = "", stop: str = ""
) -> int:
    """Registers incoming documents, each with a PDF and a DOCX attachment, through the service:
    `count` of them, or (with `stop`) until the file `stop` exists. `started` is created after
    the first one. Returns how many were registered."""
    from tests.support.documents import DECLARED, incoming_input
    from tests.support.files import docx_bytes, pdf_bytes, upload
    from vanban.accounts.models import Unit, User
    from vanban.documents import services

    actor, where = User.objects.get(pk=clerk), Unit.objects.get(pk=unit)
    done = 0
    while (count and done < count) or (stop and not Path(stop).exists() and done < 500):
        number = first + done
        services.incoming_register(
            actor=actor,
            unit=where,
            data=incoming_input(code_number=str(number), subject=f"Văn bản số {number}"),
            refusals=DECLARED,
            main_file=upload(f"van-ban-{number}.pdf", pdf_bytes(f"Văn bản số {number}")),
            attachments=[upload(f"phu-luc-{number}.docx", docx_bytes(f"Phụ lục {number}"))],
        )
        done += 1
        if started and done == 1:
            Path(started).touch()
    return done


def store_without_row() -> str:
    """A file in storage whose row is not committed (a registration in progress, or a crash)."""
    from tests.support.files import pdf_bytes, upload
    from vanban.documents import files

    prepared = files.file_prepare(upload("dang-vao-so.pdf", pdf_bytes("Dở dang")), actor=None)
    return files.file_store(prepared)


def counts() -> dict[str, int]:
    """Rows of the main tables, read through the ORM."""
    from vanban.accounts.models import Unit, User
    from vanban.audit.models import AuditChainHead, AuditEvent
    from vanban.documents.models import Document, DocumentFile

    head = AuditChainHead.objects.filter(pk=1).first()
    return {
        "accounts.Unit": Unit.objects.count(),
        "accounts.User": User.objects.count(),
        "documents.Document": Document.objects.count(),
        "documents.DocumentFile": DocumentFile.objects.count(),
        "audit.AuditEvent": AuditEvent.objects.count(),
        "audit_last_seq": head.last_seq if head else 0,
    }


def tables() -> list[str]:
    from django.db import connection

    return sorted(connection.introspection.table_names())


# ---------------------------------------------------------------- the test process


def run(instance: Instance, *args: str) -> tuple[int, str]:
    """`vanban <args>` in the instance's environment: exit code and output (both streams)."""
    done = subprocess.run(  # noqa: S603
        [*_vanban(), *args],
        cwd=ROOT,
        env=instance.env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout.decode() + done.stderr.decode()


def stored_files(instance: Instance) -> list[str]:
    media = instance.directory / "media"
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("backup")


@pytest.fixture(scope="module")
def migrated(base):
    """A freshly migrated, empty instance whose database the others copy (the migrations run
    once for the module)."""
    instance = Instance("backup_migrated", base / "migrated", base / "pki")
    try:
        instance.migrate()
        yield instance
    finally:
        instance.close()


@pytest.fixture(scope="module")
def source(base, migrated):
    """The instance that is backed up: migrated, a Sở, a clerk and three documents."""
    instance = Instance("backup_source", base / "source", base / "pki")
    try:
        instance.migrate(like=migrated)
        people = instance.call(f"{HERE}:setup_source")
        instance.call(f"{HERE}:register", **people, first=1, count=3)
        instance.people = people  # type: ignore[attr-defined]
        yield instance
    finally:
        instance.close()


@pytest.fixture
def new_instance(base, request):
    """Empty instances (no database table, no stored file), dropped after the test."""
    made: list[Instance] = []

    def make(name: str) -> Instance:
        name = f"backup_{request.node.name[5:25]}_{name}"
        instance = Instance(name, base / name, base / "pki")
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.close()


@pytest.fixture(scope="module")
def backup(source, base) -> Path:
    """A finished backup of the source, for the refusals."""
    directory = base / "backup-for-refusals"
    source.command("backup", str(directory))
    return directory


def test_backup_while_a_clerk_registers_restores_into_a_new_instance(source, base, new_instance):
    before = source.call(f"{HERE}:counts")
    in_progress = source.call(f"{HERE}:store_without_row")
    started, stop = base / "registering", base / "stop-registering"
    registered: list[int] = []
    clerk = threading.Thread(
        target=lambda: registered.append(
            source.call(
                f"{HERE}:register", **source.people, first=100, started=str(started), stop=str(stop)
            )
        )
    )
    clerk.start()
    try:
        deadline = time.monotonic() + 120
        while not started.exists():
            assert clerk.is_alive() and time.monotonic() < deadline, source.logs()
            time.sleep(0.05)
        directory = base / "backup-during-registrations"
        output = source.command("backup", str(directory))
        time.sleep(1)  # the clerk keeps registering after the snapshot
    finally:
        stop.touch()
        clerk.join(timeout=180)
    after = source.call(f"{HERE}:counts")
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    documents = manifest["counts"]["documents.Document"]
    assert f"Đã sao lưu vào {directory}: cơ sở dữ liệu" in output
    # The snapshot fell in the middle of the registrations.
    assert before["documents.Document"] < documents < after["documents.Document"]
    assert after["documents.Document"] == before["documents.Document"] + registered[0]
    # Every file the snapshot references is in the backup, with the SHA-256 of the manifest.
    referenced = [entry for entry in manifest["files"] if entry["referenced"]]
    assert (
        len(referenced)
        == manifest["referenced_files"]
        == manifest["counts"]["documents.DocumentFile"]
    )
    assert manifest["missing_files"] == manifest["changed_files"] == []
    extra = [entry["name"] for entry in manifest["files"] if not entry["referenced"]]
    assert in_progress in extra
    assert manifest["audit"]["last_seq"] == manifest["counts"]["audit.AuditEvent"]
    assert manifest["database"]["engine"] in ("postgresql", "sqlite")
    assert set(manifest["versions"]) >= {"vanban", "django", "python"}

    target = new_instance("target")
    assert target.call(f"{HERE}:tables") == []
    output = target.command("restore", str(directory))
    assert f"{len(referenced)} tệp ({len(extra)} tệp không được bản chụp" in output
    assert "Kiểm tra tệp: " in output and "0 thiếu, 0 bị thay đổi, 0 mồ côi." in output
    assert "Phục hồi hoàn tất, không có vấn đề." in output
    restored = target.call(f"{HERE}:counts")
    assert restored == {
        **{label: manifest["counts"][label] for label in restored if label in manifest["counts"]},
        "audit_last_seq": manifest["audit"]["last_seq"],
    }
    assert restored["documents.Document"] == documents
    assert len(stored_files(target)) == len(referenced)
    assert in_progress not in stored_files(target)
    # The restored instance passes the operators' own checks.
    assert "0 thiếu, 0 bị thay đổi, 0 mồ côi." in target.command("files", "check")
    assert (
        target.command("audit", "verify").strip()
        == f"Nhật ký toàn vẹn: {manifest['audit']['last_seq']} sự kiện đã kiểm tra."
    )
    # The restored instance keeps working: its next number follows the restored ones.
    assert target.call(f"{HERE}:register", **source.people, first=9000, count=1) == 1
    assert target.call(f"{HERE}:counts")["documents.Document"] == documents + 1


def test_a_changed_file_in_the_backup_is_refused_and_nothing_is_restored(
    backup, base, new_instance
):
    altered = base / "altered-backup"
    shutil.copytree(backup, altered)
    manifest = json.loads((altered / "manifest.json").read_text("utf-8"))
    victim = next(e["name"] for e in manifest["files"] if e["name"].endswith(".pdf"))
    path = altered / "files" / victim
    path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOF\n% sua"))
    target = new_instance("target")
    code, output = run(target, "restore", str(altered))
    assert code == 1
    assert (
        "Bản sao lưu không còn nguyên vẹn (mã băm SHA-256 không khớp với manifest.json): "
        f"1 tệp bị thiếu hoặc bị thay đổi (files/{victim}). Không có gì được phục hồi."
    ) in output
    assert target.call(f"{HERE}:tables") == []
    assert stored_files(target) == []


def test_a_changed_database_dump_or_an_added_file_is_refused(backup, base, new_instance):
    altered = base / "altered-dump"
    shutil.copytree(backup, altered)
    manifest = json.loads((altered / "manifest.json").read_text("utf-8"))
    dump = altered / manifest["database"]["file"]
    dump.write_bytes(dump.read_bytes() + b"\0")
    (altered / "files" / "documents" / "them.pdf").write_bytes(b"%PDF-1.4 them")
    target = new_instance("target")
    code, output = run(target, "restore", str(altered))
    assert code == 1
    assert f"1 tệp bị thiếu hoặc bị thay đổi ({dump.name})" in output
    assert "1 tệp không có trong manifest.json (documents/them.pdf)" in output
    assert target.call(f"{HERE}:tables") == []


def test_restore_into_a_database_that_is_not_empty_is_refused(backup, migrated, new_instance):
    target = new_instance("target")
    target.migrate(like=migrated)
    tables_before = target.call(f"{HERE}:tables")
    code, output = run(target, "restore", str(backup))
    assert code == 1
    assert (
        f"Cơ sở dữ liệu đích không trống (có {len(tables_before)} bảng): chỉ phục hồi vào một "
        "cơ sở dữ liệu mới tạo, chưa chạy `vanban migrate`. Không có gì được phục hồi."
    ) in output
    assert target.call(f"{HERE}:tables") == tables_before
    assert target.call(f"{HERE}:counts")["documents.Document"] == 0
    assert stored_files(target) == []


def test_restore_into_a_storage_that_is_not_empty_is_refused(backup, new_instance):
    target = new_instance("target")
    leftover = target.directory / "media" / "documents" / "cu.pdf"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"%PDF-1.4 cu")
    code, output = run(target, "restore", str(backup))
    assert code == 1
    assert (
        "Kho lưu trữ tệp đích không trống (có tệp documents/cu.pdf): chỉ phục hồi vào một kho "
        "trống. Không có gì được phục hồi."
    ) in output
    assert target.call(f"{HERE}:tables") == []
    assert stored_files(target) == ["documents/cu.pdf"]


def test_an_unfinished_backup_and_a_used_directory_are_refused(source, backup, base, new_instance):
    code, output = run(source, "backup", str(backup))
    assert code == 1
    assert f"Thư mục {backup} đã có dữ liệu: hãy chọn một thư mục mới hoặc trống." in output
    inside = source.directory / "media" / "sao-luu"
    code, output = run(source, "backup", str(inside))
    assert code == 1
    assert f"Thư mục {inside} nằm trong kho lưu trữ tệp" in output
    assert not inside.exists()
    unfinished = base / "unfinished"
    shutil.copytree(backup, unfinished)
    (unfinished / "manifest.json").unlink()
    target = new_instance("target")
    code, output = run(target, "restore", str(unfinished))
    assert code == 1
    assert "Không có manifest.json trong" in output and "chưa hoàn tất" in output
    assert target.call(f"{HERE}:tables") == []


def delete_file_of_first_document() -> str:
    """Someone removed a stored file by hand."""
    from django.core.files.storage import default_storage

    from vanban.documents.models import DocumentFile

    name = DocumentFile.objects.order_by("pk").first().storage_name
    default_storage.delete(name)
    return name


def test_a_file_missing_from_storage_is_reported_by_backup_and_restore(
    base, migrated, new_instance
):
    broken = new_instance("broken")
    broken.migrate(like=migrated)
    people = broken.call(f"{HERE}:setup_source")
    broken.call(f"{HERE}:register", **people, first=1, count=2)
    gone = broken.call(f"{HERE}:delete_file_of_first_document")
    directory = base / "backup-with-a-missing-file"
    code, output = run(broken, "backup", str(directory))
    assert code == 1
    assert f"Thiếu tệp trong kho lưu trữ: {gone}" in output
    assert (
        "Bản sao lưu đã ghi xong nhưng kho lưu trữ có 1 tệp thiếu và 0 tệp bị thay đổi: chạy "
        "`vanban files check`."
    ) in output
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    assert manifest["missing_files"] == [gone]
    assert manifest["referenced_files"] == 4
    assert len(manifest["files"]) == 3

    target = new_instance("target")
    code, output = run(target, "restore", str(directory))
    assert code == 1
    assert "Kiểm tra tệp: 4 bản ghi tệp, 1 thiếu, 0 bị thay đổi, 0 mồ côi." in output
    assert "Phục hồi xong nhưng có 1 vấn đề cần xem lại." in output
    assert target.call(f"{HERE}:counts")["documents.Document"] == 2


def test_a_manifest_that_is_not_one_is_refused(backup, base, new_instance):
    altered = base / "manifest-without-files"
    shutil.copytree(backup, altered)
    manifest = json.loads((altered / "manifest.json").read_text("utf-8"))
    del manifest["files"]
    (altered / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    target = new_instance("target")
    code, output = run(target, "restore", str(altered))
    assert code == 1
    assert "manifest.json không đúng định dạng bản sao lưu của phiên bản này." in output
    assert target.call(f"{HERE}:tables") == []
