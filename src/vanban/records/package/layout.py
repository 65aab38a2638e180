"""Where things are in an archival package, and the XML names they use (docs/records.md).

METS.xml                                 structure: fonds > dossiers > documents > files
manifest-sha256.txt                      "<sha256>  <path>" for every other file
schemas/vanban-luu-tru.xsd               the metadata schema
schemas/premis-v3-subset.xsd             the PREMIS elements the events use
metadata/fonds.xml                       the fonds (TT 05/2025/TT-BNV)
metadata/trust-roots/<sha256>.cer        the trust roots the signatures were checked against
dossiers/<NN>/dossier.xml                the dossier (Appendix VI)
dossiers/<NN>/<DDD>/document.xml         a document (Appendix VI record fields)
dossiers/<NN>/<DDD>/events.xml           its PREMIS events, from the audit trail
dossiers/<NN>/<DDD>/files/<n>-<role>.<ext>
"""

from __future__ import annotations

from pathlib import Path

METS = "METS.xml"
MANIFEST = "manifest-sha256.txt"
# Made after the manifest, so outside it and outside METS.xml: the manifest's time-stamp token
# and the certificates, OCSP responses and CRLs that validate it.
MANIFEST_STAMP = "manifest-sha256.txt.tsr"
MANIFEST_VALIDATION_DIR = "manifest-validation/"
FONDS = "metadata/fonds.xml"
ROOTS_DIR = "metadata/trust-roots/"
SCHEMA_DIR = "schemas/"
SCHEMA = "vanban-luu-tru.xsd"
PREMIS_SCHEMA = "premis-v3-subset.xsd"
SCHEMA_FILES = (SCHEMA, PREMIS_SCHEMA)

NS_LT = "urn:vanban:luu-tru:1"
NS_METS = "http://www.loc.gov/METS/"
NS_XLINK = "http://www.w3.org/1999/xlink"
NS_PREMIS = "http://www.loc.gov/premis/v3"
NSMAP_METS = {None: NS_METS, "xlink": NS_XLINK}

PROFILE = "urn:vanban:luu-tru:goi-ho-so:1"


def schema_path(name: str) -> Path:
    """The schema shipped with the code (the same bytes go into every package)."""
    return Path(__file__).with_name("schema") / name


def dossier_dir(index: int) -> str:
    return f"dossiers/{index:02d}/"


def document_dir(dossier_index: int, ordinal: int) -> str:
    return f"{dossier_dir(dossier_index)}{ordinal:03d}/"


def lt(tag: str) -> str:
    return f"{{{NS_LT}}}{tag}"


def mets(tag: str) -> str:
    return f"{{{NS_METS}}}{tag}"


def premis(tag: str) -> str:
    return f"{{{NS_PREMIS}}}{tag}"


def xlink(tag: str) -> str:
    return f"{{{NS_XLINK}}}{tag}"


def outside_manifest(name: str) -> bool:
    """The manifest itself, its time-stamp and the validation data of the time-stamp."""
    return name in (MANIFEST, MANIFEST_STAMP) or name.startswith(MANIFEST_VALIDATION_DIR)
