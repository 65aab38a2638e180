"""The agency directory that a scan's issuing body is matched against (R14; docs/ocr-fields.md):
the active units of the deployment and the agencies that partner systems serve under an open
code (R15). The record proposed from a scan (`documents.ocr_fields.propose`) fills the unit when
the heading names a unit of the deployment, else the outside agency's name and code."""

from vanban.accounts.models import Unit
from vanban.documents.ocr_fields import DirectoryEntry

from .models import PartnerCode

# Between a unit's name and its parent's in a directory name, as the unit pickers write paths
# (accounts.unit_fields.PATH_SEPARATOR).
SEPARATOR = " – "


def agency_directory() -> list[DirectoryEntry]:
    """Every active unit, named with its parent's name ("Sở Tài chính – Ủy ban nhân dân tỉnh
    Bến Tre", as its heading reads: NĐ 30/2020 Appendix I, the parent body above the issuer), with
    its agency code and id; then every open agency code of the partner systems (a closed code,
    QĐ 09/2025/QĐ-TTg, issues nothing new) that is not a unit's. Two queries whatever the size."""
    entries = []
    codes = set()
    units = (
        Unit.objects.filter(is_active=True).select_related("parent").order_by("level", "name", "pk")
    )
    for unit in units:
        name = unit.name
        if unit.parent is not None:
            name = f"{name}{SEPARATOR}{unit.parent.name}"
        entries.append(DirectoryEntry(name=name, code=unit.agency_code, unit_id=unit.pk))
        codes.add(unit.agency_code)
    partner_codes = PartnerCode.objects.filter(closed_on__isnull=True).order_by("agency_code")
    for agency_code, agency_name in partner_codes.values_list("agency_code", "name"):
        if agency_code not in codes:
            entries.append(DirectoryEntry(name=agency_name, code=agency_code))
            codes.add(agency_code)
    return entries
