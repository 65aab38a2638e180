"""Drafts of outgoing documents, from the first version to the issue (NĐ 30/2020 Art. 10-14, 18;
STANDARDS.md "Processes").

A drafter creates a draft with its content file (every upload a new `DraftVersion`, hashed and
never overwritten), asks people for comments (`DraftComment`), sends it for checking: the head of
the drafting unit checks the content and an assigned checker the format; the competent signer
approves it (a new version afterwards voids the approval); the issuing unit's clerk gives number
and date, registers it and sends it (documents.services.outgoing_register and the exchange
inside the deployment). Every step is kept in the trail (`DraftEvent`) with the text of the
moment, shown as a timeline.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vanban.accounts.models import Role, Unit, User
from vanban.documents.models import Document, DocumentType, Urgency


class DraftStatus(models.TextChoices):
    DRAFTING = "drafting", "Đang soạn thảo"
    REVIEWING = "reviewing", "Đang kiểm tra nội dung và thể thức"
    APPROVING = "approving", "Chờ phê duyệt"
    APPROVED = "approved", "Đã phê duyệt, chờ ban hành"
    ISSUED = "issued", "Đã ban hành"


class Authority(models.TextChoices):
    """Authority forms of the signer block (NĐ 30/2020 Art. 13; Appendix I)."""

    NONE = "", "Ký trực tiếp (không ghi thẩm quyền)"
    TM = "TM", "TM. – thay mặt tập thể"
    KT = "KT", "KT. – ký thay người đứng đầu"
    TL = "TL", "TL. – thừa lệnh"
    TUQ = "TUQ", "TUQ. – thừa ủy quyền"
    Q = "Q", "Q. – quyền"


class Decision(models.TextChoices):
    PENDING = "", "Chưa kiểm tra"
    ACCEPTED = "accepted", "Đạt"
    RETURNED = "returned", "Trả lại để sửa"


class DraftQuerySet(models.QuerySet["Draft"]):
    def visible_to(self, user: User | AnonymousUser) -> "DraftQuerySet":
        """A draft is seen by its drafter, the people asked to comment, check or approve it,
        the leaders of the drafting and issuing units, and the issuing unit's clerks once it is
        approved (to issue it). Every draft list starts here."""
        if not isinstance(user, User) or not user.is_active:
            return self.none()
        pairs = user.role_pairs()
        leader_units = [u for u, r in pairs if r == Role.LEADER]
        clerk_units = [u for u, r in pairs if r == Role.CLERK]
        asked = DraftComment.objects.filter(person=user).values("draft_id")
        return self.filter(
            Q(drafter=user)
            | Q(reviewer=user)
            | Q(checker=user)
            | Q(signer=user)
            | Q(unit_id__in=leader_units)
            | Q(issuing_unit_id__in=leader_units)
            | Q(
                issuing_unit_id__in=clerk_units,
                status__in=[DraftStatus.APPROVED, DraftStatus.ISSUED],
            )
            | Q(pk__in=asked)
        )


class Draft(models.Model):
    """A draft outgoing document and where it is in its process."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="drafts", verbose_name="đơn vị soạn thảo"
    )
    issuing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan ban hành"
    )
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="drafts",
        verbose_name="người soạn thảo",
    )
    document_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, related_name="+", verbose_name="loại văn bản"
    )
    subject = models.CharField("trích yếu", max_length=500)
    urgency = models.PositiveSmallIntegerField(
        "độ khẩn", choices=Urgency.choices, default=Urgency.NORMAL
    )
    legal_normative = models.BooleanField("văn bản quy phạm pháp luật", default=False)
    due_date = models.DateField("hạn trả lời", null=True, blank=True)
    sensitive_declared = models.BooleanField(
        "đã cam kết không thuộc vấn đề nhạy cảm", default=False
    )
    # Update (2) or replace (3) an issued document: the exchange business types.
    business_type = models.PositiveSmallIntegerField("loại nghiệp vụ", default=0)
    original_document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="văn bản được cập nhật, thay thế",
    )
    # The signer block (thể thức chữ ký).
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người ký",
    )
    authority = models.CharField(
        "thẩm quyền ký", max_length=3, choices=Authority.choices, blank=True, default=""
    )
    authority_title = models.CharField(
        "tập thể, người đứng đầu được thay mặt", max_length=100, blank=True
    )
    signer_position = models.CharField("chức vụ người ký", max_length=100, blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=DraftStatus.choices, default=DraftStatus.DRAFTING
    )
    current_version = models.ForeignKey(
        "DraftVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The round of checks in progress; the trail keeps every round.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="lãnh đạo đơn vị kiểm tra nội dung",
    )
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người kiểm tra thể thức",
    )
    content_decision = models.CharField(
        "kiểm tra nội dung", max_length=10, choices=Decision.choices, blank=True, default=""
    )
    content_at = models.DateTimeField(null=True, blank=True)
    format_decision = models.CharField(
        "kiểm tra thể thức", max_length=10, choices=Decision.choices, blank=True, default=""
    )
    format_at = models.DateTimeField(null=True, blank=True)
    # The version each check saw: a check counts only for that version, a new version asks
    # for both again (NĐ 30/2020 Art. 12).
    content_version = models.ForeignKey(
        "DraftVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    format_version = models.ForeignKey(
        "DraftVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_version = models.ForeignKey(
        "DraftVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_version = models.ForeignKey(
        "DraftVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_storage_name = models.CharField(max_length=500, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_via = models.CharField("cách ký", max_length=10, blank=True)
    document = models.OneToOneField(
        Document,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draft",
        verbose_name="văn bản đã ban hành",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    # Why the number and the date were not written into the issued PDF (empty when they were,
    # and for drafts issued before they were written): the clerk checks the file.
    number_date_note = models.TextField("ghi chú ghi số, ngày vào văn bản", blank=True, default="")
    created_at = models.DateTimeField("ngày tạo")
    updated_at = models.DateTimeField("cập nhật lần cuối")

    objects = DraftQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = "dự thảo văn bản"
        verbose_name_plural = "dự thảo văn bản"
        indexes = [
            models.Index(fields=["drafter", "-updated_at"]),
            models.Index(fields=["issuing_unit", "status"]),
            models.Index(fields=["unit", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.document_type_id}: {self.subject[:60]}"

    @property
    def is_approved(self) -> bool:
        """Approved, and for the latest version (a new version voids the approval)."""
        return self.approved_version_id is not None and (
            self.approved_version_id == self.current_version_id
        )

    @property
    def content_passed(self) -> bool:
        """The content check passed for the latest version (an older version's does not count)."""
        return (
            self.content_decision == Decision.ACCEPTED
            and self.content_version_id is not None
            and self.content_version_id == self.current_version_id
        )

    @property
    def format_passed(self) -> bool:
        """The format check passed for the latest version (an older version's does not count)."""
        return (
            self.format_decision == Decision.ACCEPTED
            and self.format_version_id is not None
            and self.format_version_id == self.current_version_id
        )

    @property
    def is_signed(self) -> bool:
        """The approved latest version carries the competent signer's signature (R11)."""
        return (
            self.is_approved
            and self.signed_version_id is not None
            and self.signed_version_id == self.current_version_id
            and bool(self.signed_storage_name)
        )

    def signer_block(self, signer_name: str | None = None) -> list[str]:
        """The lines of the signer block: authority and position in capitals, then the name."""
        name = signer_name if signer_name is not None else self.signer.full_name
        title = self.authority_title.upper()
        position = self.signer_position.upper()
        if not self.authority:
            return [position, name]
        if self.authority == Authority.Q:
            return [f"Q. {title}", name]
        return [f"{self.authority}. {title}", position, name]

    @property
    def competence(self) -> str:
        """The authority line of the signer block ("KT. CHỦ TỊCH", "Q. GIÁM ĐỐC"), empty when
        the signer signs in their own right (NĐ 30/2020/NĐ-CP Art. 13; edXML Competence)."""
        if not self.authority:
            return ""
        return f"{self.authority}. {self.authority_title.upper()}"[:100]

    @property
    def signer_title(self) -> str:
        """The signer's position as the register records it (SignerInfo/Position, 100)."""
        if not self.authority:
            return self.signer_position
        if self.authority == Authority.Q:
            return f"Q. {self.authority_title}"
        return f"{self.authority}. {self.authority_title}, {self.signer_position}"[:100]


class DraftRecipient(models.Model):
    """Nơi nhận: a unit of the deployment (it receives the document electronically when it is
    issued) or a body outside it, by name and agency code."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("tên cơ quan nhận", max_length=200)
    agency_code = models.CharField("mã định danh", max_length=13, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["draft_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "unit"],
                condition=Q(unit__isnull=False),
                name="unique_draft_recipient_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return f"{self.name} ({self.agency_code})" if self.agency_code else self.name


@dataclass(frozen=True)
class ShownPdf:
    """The PDF to show for a draft version (`DraftVersion.pdf_to_show`)."""

    storage_name: str
    sha256: str
    size: int
    page_count: int | None
    converted: bool  # made on the server from the uploaded word processing file
    file_name: str


class DraftVersion(models.Model):
    """One upload of the content file: kept for ever, addressed and checked by SHA-256."""

    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("phiên bản")
    storage_name = models.CharField(max_length=500, unique=True)
    original_name = models.CharField("tên tệp", max_length=255)
    file_format = models.CharField("định dạng", max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField("số trang", null=True, blank=True)
    note = models.CharField("nội dung thay đổi", max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    # The PDF/A-2b made on the server from a DOCX, DOC or ODT version (documents.pdfconvert),
    # stored and hashed beside it: what the checkers read, the signer approves and signs.
    # Empty for a PDF version (the version is its own PDF).
    pdf_storage_name = models.CharField(max_length=500, blank=True, default="")
    pdf_sha256 = models.CharField(max_length=64, blank=True, default="")
    pdf_size = models.PositiveBigIntegerField(null=True, blank=True)
    pdf_page_count = models.PositiveIntegerField(null=True, blank=True)
    # Why a word processing version has no PDF (LibreOffice missing on the server).
    pdf_note = models.CharField("ghi chú bản PDF", max_length=500, blank=True, default="")

    class Meta:
        ordering = ["draft_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "number"], name="unique_draft_version")
        ]

    def __str__(self) -> str:
        return f"{self.draft_id} v{self.number}"

    def pdf_to_show(self) -> ShownPdf | None:
        """The PDF of this version that people read, approve and sign: the version itself when
        it is a PDF, else the PDF converted from it on upload; None when there is none."""
        if self.file_format == "pdf":
            return ShownPdf(
                storage_name=self.storage_name,
                sha256=self.sha256,
                size=self.size,
                page_count=self.page_count,
                converted=False,
                file_name=self.original_name,
            )
        if self.pdf_storage_name:
            stem = self.original_name.rsplit(".", 1)[0] or "du-thao"
            return ShownPdf(
                storage_name=self.pdf_storage_name,
                sha256=self.pdf_sha256,
                size=self.pdf_size or 0,
                page_count=self.pdf_page_count,
                converted=True,
                file_name=f"{stem}.pdf",
            )
        return None

    @property
    def has_pdf(self) -> bool:
        return self.pdf_to_show() is not None


class DraftComment(models.Model):
    """A request for comments (lấy ý kiến) to one person, and the comment given."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="comments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="draft_comments"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    request_note = models.CharField("nội dung xin ý kiến", max_length=1000, blank=True)
    deadline = models.DateField("hạn góp ý")
    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    text = models.TextField("ý kiến", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["draft_id", "requested_at", "id"]
        indexes = [models.Index(fields=["person", "answered_at"])]
        constraints = [
            # One open request per person and draft.
            models.UniqueConstraint(
                fields=["draft", "person"],
                condition=Q(answered_at__isnull=True),
                name="unique_open_comment_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draft_id} -> {self.person_id}"

    @property
    def is_late(self) -> bool:
        """Answered after the deadline (a day in Vietnam time)."""
        return self.answered_at is not None and (
            timezone.localdate(self.answered_at) > self.deadline
        )


class DraftAction(models.TextChoices):
    CREATED = "created", "Tạo dự thảo"
    VERSION = "version", "Tải lên phiên bản mới"
    COMMENT_REQUEST = "comment_request", "Xin ý kiến"
    COMMENT = "comment", "Góp ý"
    SUBMITTED = "submitted", "Trình kiểm tra"
    CONTENT_ACCEPTED = "content_accepted", "Nội dung đạt"
    CONTENT_RETURNED = "content_returned", "Nội dung trả lại để sửa"
    FORMAT_ACCEPTED = "format_accepted", "Thể thức đạt"
    FORMAT_RETURNED = "format_returned", "Thể thức trả lại để sửa"
    APPROVED = "approved", "Phê duyệt"
    APPROVAL_RETURNED = "approval_returned", "Không phê duyệt, trả lại để sửa"
    APPROVAL_VOIDED = "approval_voided", "Phê duyệt hết hiệu lực"
    CHECKS_AGAIN = "checks_again", "Kiểm tra lại phiên bản mới"
    SIGNED = "signed", "Ký số (người có thẩm quyền)"
    ISSUED = "issued", "Cấp số, vào sổ và ban hành"
    # A reorganisation handed the draft to the successor unit (CV 414/BNV-VTLTNN).
    TRANSFERRED = "transferred", "Chuyển đơn vị do sắp xếp tổ chức"


class DraftEvent(models.Model):
    """One step of a draft's trail: who, what, when, and the text written."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("bước", max_length=20, choices=DraftAction.choices)
    # Empty for a step the system took (a reorganisation loaded by the installer).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Name and position as they were, so the timeline never changes afterwards.
    actor_name = models.CharField(max_length=100)
    actor_position = models.CharField(max_length=100, blank=True)
    version = models.ForeignKey(
        DraftVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("nội dung", blank=True)
    at = models.DateTimeField("thời điểm")

    class Meta:
        ordering = ["draft_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.draft_id} {self.action}"
