"""What the drafting of an issued document says about it beyond the document's record, for the
packages sent to other systems (edXML SignerInfo/Competence and Position, Bussiness/StaffInfo;
QCVN 102:2016/BTTTT, as the national samples fill them).

The register keeps the signer's title as one line ("KT. Chủ tịch, Phó Chủ tịch"); the draft keeps
the competence ("TM.", "KT.", "TL.", "TUQ.", "Q." and whom it acts for; NĐ 30/2020/NĐ-CP Art. 13),
the plain position and the person who drafted the document. Drafting sits above exchange in the
layers (docs/architecture.md), so it registers its source here in `AppConfig.ready()`, the way
apps register their checks with `documents.receipt_checks`. A document with no draft (registered
by hand) has no facts: the package then carries the register's title as Position and no StaffInfo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IssuingFacts:
    """The signer's competence ("KT. CHỦ TỊCH", empty when the signer signs in their own
    right) and position, and the drafter: their department, name, e-mail and mobile."""

    competence: str = ""
    position: str = ""
    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""
    drafter_id: int | None = None  # the drafter's account, told when a recipient registers it


IssuingSource = Callable[[Any], IssuingFacts | None]

_SOURCES: list[IssuingSource] = []


def issuing_facts_register(source: IssuingSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def issuing_facts(document: Any) -> IssuingFacts | None:
    """The facts of the first source that knows the document; None when none does."""
    for source in _SOURCES:
        facts = source(document)
        if facts is not None:
            return facts
    return None
