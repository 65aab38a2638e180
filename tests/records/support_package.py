"""Archival package test data: a closed dossier of the Sở Thông tin và Truyền thông built
directly as rows (the dossier services are another part's), holding an outgoing document signed
and issued through the drafting services with the test PKI, and the draft version it came from;
the deployment's time-stamp service is the test PKI's."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.signing import pki
from tests.support import drafting
from tests.support.drafting import Team
from vanban.core import clock
from vanban.records.models import (
    Dossier,
    DossierItem,
    DossierStatus,
    Fonds,
    HandOver,
    HandOverItem,
    HandOverStatus,
    ItemKind,
    RetentionGroup,
    RetentionItem,
    RetentionKind,
    RetentionSchedule,
)


@contextmanager
def archive_settings(settings, tmp_path: Path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Own storage, the fixed clock of 25/11/2026 and the test PKI's time-stamp service."""
    drafting.own_storage(settings, tmp_path / "storage")
    settings.VANBAN_TSA_URL = pki().tsa_url
    with drafting.fixed_clock():
        yield


def retention_item() -> RetentionItem:
    schedule = RetentionSchedule.objects.create(
        name="Bảng thời hạn bảo quản hồ sơ, tài liệu phổ biến",
        legal_basis="Thông tư 10/2022/TT-BNV",
        in_force_from=dt.date(2023, 1, 1),
        created_at=clock.now(),
    )
    group = RetentionGroup.objects.create(schedule=schedule, number="I", title="Tài liệu tổng hợp")
    return RetentionItem.objects.create(
        group=group, number="5", title="Kế hoạch, báo cáo năm", kind=RetentionKind.PERMANENT
    )


def closed_dossier(team: Team, *, notation: str = "01.VP", items=()) -> Dossier:  # type: ignore[no-untyped-def]
    """A closed dossier of the Sở with `items` (documents or draft versions), in order."""
    from vanban.documents.models import Document

    now = clock.now()
    item = RetentionItem.objects.first() or retention_item()
    dossier = Dossier.objects.create(
        unit=team.province.stttt,
        year=2026,
        notation=notation,
        title="Hồ sơ kế hoạch chuyển đổi số của tỉnh năm 2027",
        retention_item=item,
        maintenance=item.maintenance,
        creator="Nguyễn Văn Soạn",
        description="Hồ sơ thử nghiệm gói lưu trữ",
        handler=team.drafter,
        status=DossierStatus.CLOSED,
        opened_at=now - dt.timedelta(days=30),
        closed_at=now,
        closed_by=team.drafter,
        work_ended_on=now.date(),
        updated_at=now,
    )
    for ordinal, target in enumerate(items, start=1):
        if isinstance(target, Document):
            kind, values = ItemKind.DOCUMENT, {"document": target}
        else:
            kind, values = ItemKind.DRAFT_VERSION, {"draft_version": target}
        DossierItem.objects.create(
            dossier=dossier,
            ordinal=ordinal,
            kind=kind,
            added_by=team.drafter,
            added_at=now,
            **values,
        )
    return dossier


def fonds_of(team: Team) -> Fonds:
    return Fonds.objects.get_or_create(
        unit=team.province.stttt,
        defaults={
            "name": "Phông Sở Thông tin và Truyền thông",
            "code": "STTTT",
            "opened_on": dt.date(2008, 4, 1),
        },
    )[0]


def hand_over_of(team: Team, dossiers: list[Dossier]) -> HandOver:
    now = clock.now()
    hand_over = HandOver.objects.create(
        unit=team.province.stttt,
        fonds=fonds_of(team),
        status=HandOverStatus.SUBMITTED,
        prepared_by=team.clerk,
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    for ordinal, dossier in enumerate(dossiers, start=1):
        HandOverItem.objects.create(hand_over=hand_over, dossier=dossier, ordinal=ordinal)
    return hand_over


def signed_dossier(team: Team) -> Dossier:
    """The issued outgoing document (signer's and organisation's signatures) and the draft
    version it was made from, in a closed dossier of a fonds."""
    draft, document = drafting.issued(team)
    fonds_of(team)
    return closed_dossier(team, items=[document, draft.versions.order_by("number").first()])


# ------------------------------------------------------------------ reading and tampering


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(path: Path, files: dict[str, bytes], out: Path) -> Path:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out


def rehashed(files: dict[str, bytes], changed: str, old_size: int) -> dict[str, bytes]:
    """`files` with the SHA-256 and size of `changed` written anew wherever they are recorded
    (the document's metadata, METS.xml, then the manifest): a careful tampering that only the
    deeper checks can find."""
    digests = {}
    for line in files["manifest-sha256.txt"].decode().splitlines():
        digest, name = line.split("  ", 1)
        digests[name] = digest
    result = dict(files)
    sizes = {changed: old_size}
    queue = [changed]
    while queue:
        name = queue.pop()
        old, new = digests[name], hashlib.sha256(result[name]).hexdigest()
        old_len, new_len = sizes[name], len(result[name])
        for other in list(result):
            if not other.endswith(".xml") or other == name or old.encode() not in result[other]:
                continue
            text = result[other].replace(old.encode(), new.encode())
            text = text.replace(f'SIZE="{old_len}"'.encode(), f'SIZE="{new_len}"'.encode())
            text = text.replace(
                f"<Size>{old_len}</Size>".encode(), f"<Size>{new_len}</Size>".encode()
            )
            result[other] = text
            sizes.setdefault(other, len(files[other]))
            queue.append(other)
    lines = [
        f"{hashlib.sha256(data).hexdigest()}  {name}\n"
        for name, data in sorted(result.items())
        if name != "manifest-sha256.txt"
    ]
    result["manifest-sha256.txt"] = "".join(lines).encode()
    return result


def pdf_path(files: dict[str, bytes], role: str = "tep-chinh") -> str:
    [name] = [n for n in files if n.endswith(f"-{role}.pdf") and "/001/" in n]
    return name


def without_revocation_data(pdf: bytes) -> bytes:
    """The archival PDF with an update that empties its document security store's OCSP
    responses and CRLs: the validation data are lost."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    dss = writer.root["/DSS"]
    for key in ("/OCSPs", "/CRLs", "/VRI"):
        if key in dss:
            del dss[key]
    dss["/OCSPs"] = generic.ArrayObject()
    dss["/CRLs"] = generic.ArrayObject()
    writer.update_container(dss)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_once(django_db_blocker, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """One package of `signed_dossier`, built once for a module of checks that read the ZIP
    alone: its rows are rolled back when it is written."""
    from django.conf import settings
    from django.db import transaction
    from django.test import override_settings

    from tests.support.province import find_province
    from vanban.records.package import build_dossier_package

    directory = tmp_path_factory.mktemp("goi-luu-tru")
    storage = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(directory / "storage")},
        },
    }
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES=storage, VANBAN_TSA_URL=pki().tsa_url),
        drafting.fixed_clock(),
        transaction.atomic(),
    ):
        province = find_province()
        assert province is not None
        team = drafting.make_team(province)
        path = build_dossier_package(signed_dossier(team), team.drafter, out=directory / "goi.zip")
        transaction.set_rollback(True)
    return path
