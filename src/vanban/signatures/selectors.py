"""Reads for the digital-signature pages: certificates, images and seals, trust roots and the
verification reports of a document, each starting from what the reader may see."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from vanban.accounts.models import AccountStatus, Unit, User
from vanban.accounts.selectors import units_managed_by
from vanban.core.errors import NotFound
from vanban.documents.models import Document

from .models import (
    Certificate,
    CertificateKind,
    MarkKind,
    SignatureMark,
    TrustRoot,
    VerificationReport,
)


def my_certificates(*, user: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(kind=CertificateKind.PERSONAL, user=user).order_by(
        "-active", "-not_after", "pk"
    )


def unit_certificates(*, unit: Unit) -> QuerySet[Certificate]:
    """The unit's organisation certificates."""
    return Certificate.objects.filter(kind=CertificateKind.ORGANISATION, unit=unit).order_by(
        "-active", "-not_after", "pk"
    )


def people_certificates(*, unit: Unit) -> QuerySet[Certificate]:
    """The personal certificates of the people of the unit."""
    return (
        Certificate.objects.filter(kind=CertificateKind.PERSONAL, user__unit=unit)
        .select_related("user")
        .order_by("user__full_name", "user_id", "-active", "-not_after", "pk")
    )


def people_of(*, unit: Unit) -> QuerySet[User]:
    """Active people of the unit, to whom a personal certificate may be given."""
    return User.objects.filter(unit=unit, status=AccountStatus.ACTIVE).order_by("full_name", "pk")


def signature_mark(*, user: User) -> SignatureMark | None:
    return SignatureMark.objects.filter(kind=MarkKind.SIGNATURE, user=user, active=True).first()


def seal(*, unit: Unit) -> SignatureMark | None:
    return SignatureMark.objects.filter(kind=MarkKind.SEAL, unit=unit, active=True).first()


def managed_units(*, user: User) -> QuerySet[Unit]:
    return units_managed_by(user=user).order_by("level", "name", "pk")


def access_unit(*, pk: int) -> Unit:
    """The unit; whether the reader may manage it is checked by the caller (403, not 404: the
    units of the province are public)."""
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def access_certificate(*, pk: int) -> Certificate:
    """Permission to change a certificate is the service's business."""
    certificate = Certificate.objects.select_related("user", "unit").filter(pk=pk).first()
    if certificate is None:
        raise NotFound("Không tìm thấy chứng thư số.")
    return certificate


def may_see_mark(*, user: User, mark: SignatureMark) -> bool:
    """A person sees their own signature image; an admin those of their units' people and seals."""
    if not user.is_active:
        return False
    if mark.kind == MarkKind.SIGNATURE:
        if mark.user_id == user.pk:
            return True
        return mark.user is not None and user.can_manage_unit(mark.user.unit)
    return mark.unit is not None and user.can_manage_unit(mark.unit)


def access_mark(*, pk: int) -> SignatureMark:
    mark = SignatureMark.objects.select_related("user__unit", "unit").filter(pk=pk).first()
    if mark is None:
        raise NotFound("Không tìm thấy hình.")
    return mark


def trust_root_list() -> QuerySet[TrustRoot]:
    return TrustRoot.objects.select_related("added_by").order_by("-active", "name", "pk")


def access_trust_root(*, pk: int) -> TrustRoot:
    root = TrustRoot.objects.filter(pk=pk).first()
    if root is None:
        raise NotFound("Không tìm thấy chứng thư gốc.")
    return root


def visible_document(*, user: User, pk: int) -> Document:
    document = Document.objects.visible_to(user).select_related("unit").filter(pk=pk).first()
    if document is None:
        raise NotFound("Không tìm thấy văn bản.")
    return document


def latest_reports(*, document: Document) -> dict[str, VerificationReport]:
    """The latest report of each file of the document, by the file's SHA-256: one query however
    many files and checks there are (also for a document without files, so the page's query
    count is the same for every document)."""
    latest = (
        VerificationReport.objects.filter(document=document, file_sha256=OuterRef("file_sha256"))
        .order_by("-checked_at", "-pk")
        .values("pk")[:1]
    )
    reports = VerificationReport.objects.filter(
        document=document, pk=Subquery(latest)
    ).select_related("checked_by")
    return {r.file_sha256: r for r in reports}
