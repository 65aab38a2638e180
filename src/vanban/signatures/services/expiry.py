"""The holder of a personal certificate is told 30 days before it expires, once (R11; TT
15/2025/TT-BKHCN: a certificate is checked before signing, so an expired one stops signing)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse

from vanban.accounts.models import AccountStatus
from vanban.core.services import notification_send

from .. import pdfsign
from ..models import Certificate, CertificateKind
from ._common import _now

EXPIRY_NOTICE_DAYS = 30


def certificates_expiry_notify(*, now: dt.datetime | None = None) -> int:
    """Notifies each holder of an active personal certificate that expires within 30 days and
    has not been notified yet; returns how many were notified. Idempotent."""
    now = now or _now()
    due = Certificate.objects.filter(
        kind=CertificateKind.PERSONAL,
        active=True,
        expiry_notified_at__isnull=True,
        not_after__gt=now,
        not_after__lte=now + dt.timedelta(days=EXPIRY_NOTICE_DAYS),
        user__status=AccountStatus.ACTIVE,
    ).select_related("user")
    count = 0
    for certificate in due:
        with transaction.atomic():
            claimed = Certificate.objects.filter(
                pk=certificate.pk, expiry_notified_at__isnull=True
            ).update(expiry_notified_at=now)
            if not claimed:
                continue
            until = certificate.not_after.astimezone(pdfsign.VN_TZ)
            notification_send(
                recipients=[certificate.user],
                title=f"Chứng thư số sắp hết hạn ngày {until:%d/%m/%Y}",
                body=(
                    f"Chứng thư số {certificate.subject_name} (số hiệu {certificate.serial}, "
                    f"{certificate.issuer}) hết hạn ngày {until:%d/%m/%Y}. Hãy gia hạn với tổ "
                    "chức cấp và đăng ký chứng thư số mới ở trang “Chữ ký số” để tiếp tục ký số."
                ),
                link=reverse("signatures:mine"),
            )
            count += 1
    return count
