"""Backup and restore of a whole instance: database, stored files, manifest (docs/deployment.md).

Order of a backup: the database snapshot first, then the stored files, then the manifest. A file is
written to storage before its row commits (documents/files.py), so every file that the snapshot
references is already in storage when the copy of the files starts: copying files AFTER the
snapshot puts all of them in the backup. Files stored after the snapshot are copied too; they are
extra, and a restore leaves out the ones under a file prefix that the snapshot does not reference.
Copying the files first and dumping later can miss a file whose row committed in between.

A restore goes only into an empty database and an empty storage, checks every SHA-256 of the
manifest before changing anything, then loads the database and the files and runs the checks of
`vanban files check` and `vanban audit verify` (R25: the audit trail must still be whole).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection

from vanban.audit.models import AuditChainHead
from vanban.audit.services import audit_verify
from vanban.core import clock
from vanban.documents.files import FILE_SOURCES, files_check

MANIFEST_NAME = "manifest.json"
FORMAT = 1
FILES_DIR = "files"
DATABASE_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK_SIZE = 1024 * 1024
MANIFEST_KEYS = {"created_at", "versions", "database", "counts", "audit", "migrations", "files"}
PROBLEMS_SHOWN = 10  # names listed in a refusal; the rest are counted


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message is Vietnamese, for the operator."""


Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


# ---------------------------------------------------------------- what a snapshot holds


@dataclass
class Snapshot:
    counts: dict[str, int]
    audit: dict[str, Any]
    referenced: dict[str, str]  # storage name -> SHA-256 recorded in its row
    migrations: list[list[str]]  # [app, name] of every applied migration


def _tables() -> list[tuple[str, str]]:
    """(model label, table) of every model of the project's apps, in a stable order."""
    tables = []
    for config in apps.get_app_configs():
        if not config.name.startswith("vanban."):
            continue
        for model in config.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.append((model._meta.label, model._meta.db_table))
    return sorted(set(tables))


def _snapshot_read(cursor: Any) -> Snapshot:
    """Counts, audit chain head, file references and migrations, read through a DB-API cursor
    (the exported PostgreSQL snapshot, the SQLite copy, or the restored database)."""

    quote = connection.ops.quote_name
    counts = {}
    for label, table in _tables():
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - model tables
        counts[label] = int(cursor.fetchone()[0])
    head = AuditChainHead._meta

    def column(meta: Any, name: str) -> str:
        return quote(str(meta.get_field(name).column))

    cursor.execute(
        f"SELECT {column(head, 'last_seq')}, {column(head, 'last_hash')} "  # noqa: S608
        f"FROM {quote(head.db_table)} ORDER BY {column(head, 'id')}"
    )
    row = cursor.fetchone()
    audit = {"last_seq": int(row[0]) if row else 0, "last_hash": row[1] if row else ""}
    referenced: dict[str, str] = {}
    for source in FILE_SOURCES:
        meta = apps.get_model(source.model)._meta
        name, sha = column(meta, source.storage_field), column(meta, source.sha256_field)
        cursor.execute(
            f"SELECT {name}, {sha} FROM {quote(meta.db_table)} WHERE {name} <> ''"  # noqa: S608
        )
        referenced.update({str(n): str(h) for n, h in cursor.fetchall()})
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations = [[str(app), str(name)] for app, name in cursor.fetchall()]
    return Snapshot(counts, audit, referenced, migrations)


# ---------------------------------------------------------------- database engines


def _engine() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(
            f"Chỉ sao lưu và phục hồi được PostgreSQL và SQLite, không phải {connection.vendor}."
        )
    return connection.vendor


def _pg_env() -> dict[str, str]:
    """Environment for pg_dump/pg_restore: the configured database, its password never on the
    command line."""
    from django.db.backends.postgresql.client import DatabaseClient

    settings = connection.settings_dict
    _args, extra = DatabaseClient.settings_to_cmd_args_env(settings, [])
    env = {**os.environ, **(extra or {})}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("NAME", "PGDATABASE"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    return env


def _run(command: list[str], env: dict[str, str] | None = None) -> str:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(
            f"Không tìm thấy chương trình {command[0]}: cài gói postgresql-client cùng phiên bản "
            "chính với máy chủ PostgreSQL."
        )
    done = subprocess.run(  # noqa: S603 - fixed programs, arguments from our own settings
        [program, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} thất bại ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def _pg_dump(target: Path) -> tuple[Snapshot, dict[str, str]]:
    """pg_dump in custom format of an exported REPEATABLE READ snapshot; the counts and file
    references are read in that same snapshot, so the manifest describes exactly the dump."""
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot_id, server_version = cursor.fetchone()
            env = _pg_env()
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                    f"--file={target}",
                    "--no-password",
                ],
                env,
            )
            snapshot = _snapshot_read(cursor)
            cursor.execute("COMMIT")
    finally:
        raw.close()
    versions = {"postgresql": str(server_version), "pg_dump": _run(["pg_dump", "--version"])}
    return snapshot, {key: value.strip() for key, value in versions.items()}


def _sqlite_path() -> str:
    name = str(connection.settings_dict["NAME"])
    if name in ("", ":memory:") or name.startswith("file:"):
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu hay phục hồi được.")
    return name


def _sqlite_copy(source: sqlite3.Connection, target_path: str) -> None:
    """The online backup API: one step, under one read lock, so the copy is one consistent
    state even while other processes write (WAL)."""
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        target.close()


def _sqlite_dump(target: Path) -> tuple[Snapshot, dict[str, str]]:
    source = sqlite3.connect(_sqlite_path(), timeout=60)
    try:
        _sqlite_copy(source, str(target))
    finally:
        source.close()
    copy = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)
    try:
        snapshot = _snapshot_read(copy.cursor())
    finally:
        copy.close()
    return snapshot, {"sqlite": sqlite3.sqlite_version}


# ---------------------------------------------------------------- files


def storage_walk_all() -> Iterator[str]:
    """Every stored name, from the storage's root, through the storage API (disk and S3)."""
    pending = [""]
    while pending:
        path = pending.pop()
        try:
            directories, names = default_storage.listdir(path)
        except FileNotFoundError:
            continue
        prefix = f"{path}/" if path else ""
        for name in sorted(names):
            yield prefix + name
        pending.extend(prefix + directory for directory in sorted(directories, reverse=True))


def _safe_relative(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _copy_out(name: str, target: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with default_storage.open(name, "rb") as source, target.open("wb") as out:
        while chunk := source.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _file_prefixes() -> list[str]:

    return sorted({source.prefix.rstrip("/") + "/" for source in FILE_SOURCES})


# ---------------------------------------------------------------- backup


@dataclass
class BackupResult:
    directory: Path
    manifest: dict[str, Any]
    missing: list[str] = field(default_factory=list)  # referenced, not in storage
    changed: list[str] = field(default_factory=list)  # referenced, SHA-256 differs


def _versions() -> dict[str, str]:
    try:
        vanban = metadata.version("vanban")
    except metadata.PackageNotFoundError:
        vanban = "?"
    return {"vanban": vanban, "django": django.get_version(), "python": platform.python_version()}


def backup_create(*, directory: Path, progress: Progress = _quiet) -> BackupResult:
    """Database snapshot, then every stored file, then the manifest (written last: a backup
    without a manifest is unfinished and a restore refuses it)."""
    engine = _engine()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(
            f"Thư mục {directory} đã có dữ liệu: hãy chọn một thư mục mới hoặc trống."
        )
    location = getattr(default_storage, "location", None)  # local storage only
    if location and directory.resolve().is_relative_to(Path(location).resolve()):
        raise BackupError(
            f"Thư mục {directory} nằm trong kho lưu trữ tệp ({location}): hãy chọn một thư mục "
            "ở ngoài kho."
        )
    directory.mkdir(parents=True, exist_ok=True)
    started = clock.now()
    database_file = directory / DATABASE_FILES[engine]
    progress(f"Sao lưu cơ sở dữ liệu ({engine}) vào {database_file.name}...")
    dump = _pg_dump if engine == "postgresql" else _sqlite_dump
    snapshot, database_versions = dump(database_file)
    database_sha, database_size = _hash_file(database_file)

    progress("Sao chép các tệp trong kho lưu trữ (sau bản chụp cơ sở dữ liệu)...")
    entries, copied = [], {}
    for name in storage_walk_all():
        if not _safe_relative(name):
            raise BackupError(f"Tên tệp không hợp lệ trong kho lưu trữ: {name!r}.")
        try:
            sha, size = _copy_out(name, directory / FILES_DIR / name)
        except FileNotFoundError:
            # Removed since the listing: the clean-up of a refused upload. A referenced file
            # cannot go away like this; if it did, it is reported below as missing.
            (directory / FILES_DIR / name).unlink(missing_ok=True)
            continue
        copied[name] = sha
        entries.append(
            {"name": name, "size": size, "sha256": sha, "referenced": name in snapshot.referenced}
        )
    result = BackupResult(directory=directory, manifest={})
    for name, recorded in sorted(snapshot.referenced.items()):
        if name not in copied:
            result.missing.append(name)
        elif copied[name] != recorded:
            result.changed.append(name)

    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "finished_at": clock.now().isoformat(),
        "versions": {**_versions(), **database_versions},
        "database": {
            "engine": engine,
            "file": database_file.name,
            "size": database_size,
            "sha256": database_sha,
        },
        "counts": snapshot.counts,
        "audit": snapshot.audit,
        "migrations": snapshot.migrations,
        "referenced_files": len(snapshot.referenced),
        "missing_files": result.missing,
        "changed_files": result.changed,
        "files": entries,
    }
    temporary = directory / f".{MANIFEST_NAME}.tmp"
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    temporary.replace(directory / MANIFEST_NAME)
    result.manifest = manifest
    return result


# ---------------------------------------------------------------- restore


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    restored_files: int = 0
    skipped_files: int = 0  # under a file prefix, not referenced by the snapshot
    counts_differ: dict[str, tuple[int, int]] = field(default_factory=dict)
    files_report: Any = None
    audit_count: int = 0
    audit_problems: list[Any] = field(default_factory=list)
    audit_head_differs: bool = False

    @property
    def problems(self) -> int:
        files = self.files_report.problems if self.files_report is not None else 0
        return (
            len(self.counts_differ)
            + files
            + len(self.audit_problems)
            + int(self.audit_head_differs)
        )


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:PROBLEMS_SHOWN])
    more = len(names) - PROBLEMS_SHOWN
    return shown + (f" và {more} tệp khác" if more > 0 else "")


def manifest_read(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST_NAME
    if not path.is_file():
        raise BackupError(
            f"Không có {MANIFEST_NAME} trong {directory}: đây không phải bản sao lưu của vanban "
            "hoặc bản sao lưu chưa hoàn tất."
        )
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được {MANIFEST_NAME}: {exc}.") from exc
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not set(manifest) >= MANIFEST_KEYS
        or not isinstance(manifest["database"], dict)
        or not isinstance(manifest["files"], list)
    ):
        raise BackupError(f"{MANIFEST_NAME} không đúng định dạng bản sao lưu của phiên bản này.")
    return manifest


def manifest_verify(directory: Path, manifest: dict[str, Any]) -> None:
    """Every file of the backup against its SHA-256 and size; no file missing, none added."""
    database = manifest["database"]
    damaged: list[str] = []
    if database.get("file") not in DATABASE_FILES.values():
        raise BackupError(f"{MANIFEST_NAME} có tên tệp cơ sở dữ liệu không hợp lệ.")
    database_path = directory / str(database["file"])
    if not database_path.is_file() or _hash_file(database_path) != (
        database["sha256"],
        database["size"],
    ):
        damaged.append(database_path.name)
    listed = set()
    for entry in manifest["files"]:
        name = str(entry["name"])
        if not _safe_relative(name):
            raise BackupError(f"{MANIFEST_NAME} có tên tệp không hợp lệ: {name!r}.")
        listed.add(name)
        path = directory / FILES_DIR / name
        if not path.is_file() or _hash_file(path) != (entry["sha256"], entry["size"]):
            damaged.append(f"{FILES_DIR}/{name}")
    root = directory / FILES_DIR
    added = sorted(
        path.relative_to(root).as_posix()
        for path in (root.rglob("*") if root.is_dir() else [])
        if path.is_file() and path.relative_to(root).as_posix() not in listed
    )
    if damaged or added:
        parts = []
        if damaged:
            parts.append(f"{len(damaged)} tệp bị thiếu hoặc bị thay đổi ({_listing(damaged)})")
        if added:
            parts.append(f"{len(added)} tệp không có trong {MANIFEST_NAME} ({_listing(added)})")
        raise BackupError(
            "Bản sao lưu không còn nguyên vẹn (mã băm SHA-256 không khớp với "
            f"{MANIFEST_NAME}): {'; '.join(parts)}. Không có gì được phục hồi."
        )


def _known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _target_check(manifest: dict[str, Any]) -> None:
    engine = _engine()
    if manifest["database"]["engine"] != engine:
        raise BackupError(
            f"Bản sao lưu là cơ sở dữ liệu {manifest['database']['engine']}, còn cơ sở dữ liệu "
            f"đích là {engine}: chỉ phục hồi được vào cùng loại. Không có gì được phục hồi."
        )
    unknown = [
        f"{app}.{name}"
        for app, name in manifest["migrations"]
        if (app, name) not in _known_migrations()
    ]
    if unknown:
        raise BackupError(
            "Bản sao lưu được tạo bởi phiên bản vanban mới hơn (có bước cập nhật cơ sở dữ liệu "
            f"chưa biết: {_listing(unknown)}): hãy cài phiên bản "
            f"{manifest['versions'].get('vanban', '?')} trở lên. Không có gì được phục hồi."
        )
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"Cơ sở dữ liệu đích không trống (có {len(tables)} bảng): chỉ phục hồi vào một cơ sở "
            "dữ liệu mới tạo, chưa chạy `vanban migrate`. Không có gì được phục hồi."
        )
    stored = next(storage_walk_all(), None)
    if stored is not None:
        raise BackupError(
            f"Kho lưu trữ tệp đích không trống (có tệp {stored}): chỉ phục hồi vào một kho trống. "
            "Không có gì được phục hồi."
        )


def _load_database(directory: Path, manifest: dict[str, Any]) -> None:
    path = directory / str(manifest["database"]["file"])
    connection.close()
    if manifest["database"]["engine"] == "postgresql":
        _run(
            [
                "pg_restore",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                "--no-password",
                f"--dbname={_pg_env()['PGDATABASE']}",
                str(path),
            ],
            _pg_env(),
        )
    else:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(_sqlite_path(), timeout=60)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
            finally:
                target.close()
        finally:
            source.close()
    connection.close()


def backup_restore(*, directory: Path, progress: Progress = _quiet) -> RestoreResult:
    """Restore into an empty database and an empty storage; refusals change nothing."""

    manifest = manifest_read(directory)
    progress("Kiểm tra mã băm SHA-256 của mọi tệp trong bản sao lưu...")
    manifest_verify(directory, manifest)
    _target_check(manifest)

    progress(f"Nạp cơ sở dữ liệu ({manifest['database']['engine']})...")
    _load_database(directory, manifest)

    result = RestoreResult(manifest=manifest)
    prefixes = tuple(_file_prefixes())
    progress("Chép các tệp vào kho lưu trữ...")
    for entry in manifest["files"]:
        name = str(entry["name"])
        if name.startswith(prefixes) and not entry["referenced"]:
            result.skipped_files += 1  # stored after the snapshot, or an orphan already then
            continue
        with (directory / FILES_DIR / name).open("rb") as handle:
            saved = default_storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"Kho lưu trữ lưu tệp {name} dưới tên khác ({saved}).")
        result.restored_files += 1

    progress("Đối chiếu số bản ghi, tệp và nhật ký kiểm toán...")
    with connection.cursor() as cursor:
        restored = _snapshot_read(cursor)
    for label, count in manifest["counts"].items():
        if restored.counts.get(label) != count:
            result.counts_differ[label] = (count, restored.counts.get(label, 0))
    result.audit_head_differs = restored.audit != manifest["audit"]
    result.files_report = files_check(verify_hashes=True)
    result.audit_count, result.audit_problems = audit_verify()
    return result
