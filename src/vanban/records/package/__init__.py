"""The archival package of dossiers (R19; Luật Lưu trữ 2024; TT 05/2025/TT-BNV): one ZIP with
METS.xml at its root, the metadata of the fonds, the dossiers and their documents, each file with
its SHA-256, the PREMIS events of each document taken from the audit trail, and the signed PDFs
extended to PAdES B-LTA (validation data and an archival time-stamp) so that `vanban archive
verify` checks the whole package later with no server and no network (docs/records.md)."""

from .build import build_dossier_package, build_hand_over_package
from .verify import PackageReport, verify_package

__all__ = [
    "PackageReport",
    "build_dossier_package",
    "build_hand_over_package",
    "verify_package",
]
