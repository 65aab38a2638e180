"""Reads for registering from an edXML package: the package a ticket names, and the register
form's fields as the package gives them (the clerk checks and completes them)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from vanban.accounts.models import Unit, User
from vanban.core.agency_codes import agency_code_problem
from vanban.core.errors import AccessDenied
from vanban.core.text import fold
from vanban.documents.models import DocumentPolicy, DocumentType, Urgency
from vanban.documents.services import local_today

from .addressing import former_issuer
from .edxml import BUSINESS_REPLACE, BUSINESS_UPDATE, MB, EdxmlPackage, parse_package
from .staging import StagedPackage, Ticket, package_files, temp_read, ticket_read

# The service refuses a due date older than this (documents.services.fields._clean).
DUE_DATE_WINDOW = dt.timedelta(days=366)


def package_load(*, actor: User, token: str) -> tuple[Ticket, StagedPackage]:
    """The package a ticket names, read again; ServiceError if the ticket or the file is not
    good (forged, another person's, older than an hour, file gone or changed)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise AccessDenied()
    ticket = ticket_read(token, user_id=actor.pk)
    data = temp_read(ticket)
    package = parse_package(data, max_bytes=DocumentPolicy.current().max_file_size_mb * MB)
    files, notes = package_files(package, ticket.file_name)
    staged = StagedPackage(
        token=token,
        file_name=ticket.file_name,
        size=len(data),
        sha256=ticket.sha256,
        package=package,
        files=files,
        notes=notes,
    )
    return ticket, staged


def document_type_for(package: EdxmlPackage) -> DocumentType | None:
    """The type named in the package (compared without case and diacritics), else the type whose
    abbreviation starts the symbol (`QĐ` of `15/QĐ-UBND`, `2017/QĐ-UBND`)."""
    types = list(DocumentType.objects.filter(is_active=True))
    if package.type_name:
        wanted = fold(package.type_name)
        for document_type in types:
            if fold(document_type.name) == wanted:
                return document_type
    head = package.code_notation.replace(" ", "").rsplit("/", 1)[-1].split("-", 1)[0]
    if not head:
        return None
    for same in (
        lambda t: t.abbreviation == head,
        lambda t: t.abbreviation.upper() == head.upper(),
        lambda t: fold(t.abbreviation) == fold(head),
    ):
        matches = [t for t in types if t.abbreviation and same(t)]
        if len(matches) == 1:
            return matches[0]
    return None


SIGNER_POSITION_MAX = 100  # Document.signer_position


def signer_title(package: EdxmlPackage) -> str:
    """The signer's title as the register writes it (`drafting.Draft.signer_title`): the
    competence then the position, "KT. CHỦ TỊCH, Phó Chủ tịch"; the competence alone when the
    position only repeats whom it acts for ("Q. GIÁM ĐỐC", "Giám đốc")."""
    competence, position = package.signer_competence, package.signer_position
    if not competence or not position:
        return competence or position
    acting_for = competence.partition(". ")[2] if ". " in competence else competence
    if fold(acting_for) == fold(position):
        return competence
    return f"{competence}, {position}"


@dataclass
class Prefill:
    """Initial values of the incoming register form, and what the clerk should look at."""

    initial: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def package_prefill(*, package: EdxmlPackage) -> Prefill:
    """The register form as the package fills it: only values the package gives, except the
    issuing body, which is always set as a whole (a unit of the deployment, or a name and code)."""
    prefill = Prefill()
    initial, notes = prefill.initial, prefill.notes
    initial["is_electronic"] = True
    document_type = document_type_for(package)
    if document_type is not None:
        initial["document_type"] = document_type.pk
    elif package.type_name:
        notes.append(
            f"Loại văn bản “{package.type_name}” trong gói không có trong danh mục loại văn bản; "
            "hãy chọn loại văn bản."
        )
    else:
        notes.append("Gói không ghi loại văn bản; hãy chọn loại văn bản.")
    if package.code_number:
        initial["code_number"] = package.code_number
        if not package.code_number.isdigit():
            notes.append(
                f"Số “{package.code_number}” trong gói không chỉ gồm chữ số; hãy sửa lại theo "
                "văn bản trước khi vào sổ."
            )
    if package.code_notation:
        initial["code_notation"] = package.code_notation
    if package.promulgation_date:
        initial["issued_date"] = package.promulgation_date
    _issuer(package, initial, notes)
    title = signer_title(package)
    if len(title) > SIGNER_POSITION_MAX:
        notes.append(
            f"Thẩm quyền và chức vụ người ký “{title}” trong gói dài quá {SIGNER_POSITION_MAX} "
            "ký tự nên chỉ điền chức vụ; hãy sửa lại theo văn bản."
        )
        title = package.signer_position[:SIGNER_POSITION_MAX]
    for key, value in (
        ("signer_name", package.signer_name),
        ("signer_position", title),
        ("subject", package.subject or package.content[:500]),
    ):
        if value:
            initial[key] = value
    if package.priority in Urgency.values:
        initial["urgency"] = package.priority
    if package.page_amount is not None:
        if package.page_amount <= 999:
            initial["page_amount"] = package.page_amount
        else:
            notes.append(f"Số trang {package.page_amount} trong gói quá 999 nên không được điền.")
    if package.due_date:
        if package.due_date >= local_today() - DUE_DATE_WINDOW:
            initial["due_date"] = package.due_date
        else:
            notes.append(
                f"Hạn xử lý trong gói ({package.due_date:%d/%m/%Y}) đã qua từ lâu nên không được "
                "điền; hãy nhập hạn xử lý nếu cần."
            )
    if package.business_type in (BUSINESS_UPDATE, BUSINESS_REPLACE):
        refs = f" văn bản {', '.join(package.business_refs)}" if package.business_refs else ""
        verb = "cập nhật" if package.business_type == BUSINESS_UPDATE else "thay thế"
        notes.append(
            f"Gói này là “{package.business_label}”: văn bản {verb}{refs} đã gửi trước đó. Hãy "
            "đối chiếu với văn bản cũ trong sổ đến."
        )
    return prefill


def _issuer(package: EdxmlPackage, initial: dict[str, Any], notes: list[str]) -> None:
    organ = package.from_organ
    code = organ.organ_id or ""
    initial.update(issuer_unit="", issuer_name="", issuer_code="")
    if code:
        unit = Unit.objects.filter(agency_code=code, is_active=True).first()
        if unit is not None:
            initial["issuer_unit"] = unit.pk
            return
        former = former_issuer(code, package.promulgation_date)
        if former is not None:
            # A unit of ours that has ended or changed code since: written as it was on the
            # document's date, not typed in (docs/reorganisation.md, "Former units").
            initial["issuer_name"] = former.facts.name
            initial["issuer_code"] = former.facts.agency_code
            notes.append(former.note)
            return
    initial["issuer_name"] = organ.name
    problem = agency_code_problem(code)
    if not problem:
        initial["issuer_code"] = code
    elif code:
        notes.append(f"Cơ quan gửi: {problem} Mã này không được điền.")
    if not organ.name:
        notes.append("Gói không ghi tên cơ quan gửi; hãy nhập cơ quan ban hành.")
