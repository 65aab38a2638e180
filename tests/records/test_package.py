"""The archival package of a dossier and of a hand-over (R19; TT 05/2025/TT-BNV): its layout,
metadata, PREMIS events from the audit trail, the signed PDFs in their archival form (B-LTA,
time-stamped by the deployment's service), the refusals, and the audit event of the export."""

import pytest

from tests.records.support_package import (
    archive_env,  # noqa: F401 - fixture
    members,
    signed_dossier,
)
from vanban.records.package import build_dossier_package, verify_package

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("archive_env")]

LT = "{urn:vanban:luu-tru:1}"


def test_a_dossier_package_is_built_and_passes_every_check(team, tmp_path):
    dossier = signed_dossier(team)
    path = build_dossier_package(dossier, team.drafter, out=tmp_path / "goi.zip")
    files = members(path)
    report = verify_package(path)
    assert [c for c in report.checks if not c.ok] == []
    assert report.intact
    print(sorted(files))
