"""Archival package test data: a closed dossier of the Sở Thông tin và Truyền thông built
directly as rows (the dossier services are another part's), holding an outgoing document signed
and issued through the drafting services with the test PKI, and the draft version it came from;
the deployment's time-stamp service is the test PKI's."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest

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


@pytest.fixture
def archive_env(settings, tmp_path):
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
    """`files` with the SHA-256 of `changed` written anew in METS.xml, in the document's
    metadata that lists it and in the manifest: a careful tampering that only deeper checks
    can find."""
    old = None
    result = dict(files)
    # The previous hash is the one the manifest lists.
    for line in files["manifest-sha256.txt"].decode().splitlines():
        digest, name = line.split("  ", 1)
        if name == changed:
            old = digest
    assert old is not None
    new = hashlib.sha256(files[changed]).hexdigest()
    size = len(files[changed])
    for name in list(result):
        if name.endswith(".xml") and name != changed and old.encode() in result[name]:
            text = result[name].replace(old.encode(), new.encode())
            text = text.replace(f'SIZE="{old_size}"'.encode(), f'SIZE="{size}"'.encode())
            text = text.replace(
                f"<Size>{old_size}</Size>".encode(), f"<Size>{size}</Size>".encode()
            )
            result[name] = text
    # Sizes written in METS and the document metadata follow the new bytes.
    manifest_lines = []
    for name, data in sorted(result.items()):
        if name != "manifest-sha256.txt":
            manifest_lines.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    result["manifest-sha256.txt"] = "".join(manifest_lines).encode()
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
