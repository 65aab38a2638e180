"""The queue of scanned paper documents waiting to be registered (R16).

One row per scanned document: the scan as uploaded (stored and hashed), what OCR read of it (the
searchable PDF/A copy, stored and hashed, its text and confidence, the fields proposed for the
form, the secrecy stamps seen: R13), and how it left the queue: registered as an incoming
document, or discarded by the clerk (its files are then removed, the row stays as the record).
"""

from django.conf import settings
from django.db import models

from vanban.accounts.models import Unit
from vanban.documents.models import Document

STORAGE_PREFIX = "paper"


class ScanItem(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Chờ đọc"
        READING = "reading", "Đang đọc"
        READY = "ready", "Sẵn sàng"
        SECRET = "secret", "Có dấu mật"
        FAILED = "failed", "Lỗi"
        REGISTERED = "registered", "Đã vào sổ"
        DISCARDED = "discarded", "Đã bỏ"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    status = models.CharField(
        "trạng thái", max_length=12, choices=Status.choices, default=Status.WAITING
    )
    # The scan as the clerk uploaded it, or one part of a PDF split at blank pages.
    storage_name = models.CharField(max_length=500, blank=True)
    original_name = models.CharField("tên tệp", max_length=255)
    file_format = models.CharField("định dạng", max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    source_name = models.CharField("tệp tải lên", max_length=255, blank=True)
    part = models.PositiveIntegerField("phần", null=True, blank=True)
    page_count = models.PositiveIntegerField("số trang", null=True, blank=True)
    # What OCR read: the PDF/A copy with its text layer, stored and hashed.
    ocr_storage_name = models.CharField(max_length=500, blank=True)
    ocr_sha256 = models.CharField(max_length=64, blank=True)
    ocr_size = models.PositiveBigIntegerField(null=True, blank=True)
    ocr_text = models.TextField("nội dung đọc được", blank=True)
    ocr_confidence = models.FloatField("độ tin cậy", null=True, blank=True)
    ocr_seconds = models.FloatField(null=True, blank=True)
    reading_since = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    first_page = models.JSONField("bố cục trang đầu", default=dict, blank=True)
    proposal = models.JSONField("đề xuất", default=dict, blank=True)
    secrecy_marks = models.JSONField("dấu chỉ độ mật", default=list, blank=True)
    error = models.TextField("lỗi", blank=True)
    # How it left the queue.
    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="scan_item"
    )
    override_reason = models.TextField("lý do vẫn vào sổ", blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = "bản quét chờ vào sổ"
        indexes = [models.Index(fields=["unit", "status", "id"], name="paper_scan_unit_status")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.REGISTERED, self.Status.DISCARDED)

    @property
    def secrecy_level(self) -> str:
        """The highest level stamped (the marks are kept lowest first)."""
        return self.secrecy_marks[-1] if self.secrecy_marks else ""

    def proposed_value(self, name: str) -> str:
        value = (self.proposal or {}).get(name)
        return str(value.get("value") or "") if isinstance(value, dict) else ""

    @property
    def proposed_number(self) -> str:
        """The number and symbol read, as the queue lists it ("15/QĐ-UBND")."""
        number, notation = self.proposed_value("code_number"), self.proposed_value("code_notation")
        return "/".join(part for part in (number, notation) if part)

    @property
    def proposed_issuer(self) -> str:
        """The issuing body read: its name, or the text read for a unit of the deployment."""
        if name := self.proposed_value("issuer_name"):
            return name
        unit = (self.proposal or {}).get("issuer_unit")
        return str(unit.get("read") or "") if isinstance(unit, dict) else ""

    @property
    def proposed_subject(self) -> str:
        return self.proposed_value("subject")
