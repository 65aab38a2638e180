"""Every hand-off tells the person it goes to, in the application and, when a mail server is
configured and the person has an address, by e-mail after the hand-off committed (R18): a
document presented, work given (lead, co, for information), a document given for reading, a
draft sent for checking, for approval, approved, signed, issued, returned for correction,
registered or returned by its recipient. A mail server that refuses never undoes the hand-off;
its answer is kept on the notification."""

import pytest
from django.core import mail

from tests.support.documents import DECLARED
from tests.support.drafting import create_draft, issue, to_approved, to_approving, to_signed
from tests.support.workflow import Work, direct, present, register
from tests.workflow.test_my_work_all import team_of
from vanban.accounts.models import User
from vanban.core.models import Notification
from vanban.documents.services import document_share
from vanban.drafting import services as drafting_services
from vanban.exchange import delivery as exchange
from vanban.exchange.models import Delivery, ReturnReason

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]


def address(user: User) -> str:
    return f"{user.username}@bentre.gov.vn"


def addresses() -> None:
    for user in User.objects.all():
        user.email = address(user)
        user.save(update_fields=["email"])


def told(user: User, title: str) -> Notification:
    """The one notification of `user` whose title starts with `title`, e-mailed to them."""
    rows = [n for n in Notification.objects.filter(recipient=user) if n.title.startswith(title)]
    assert len(rows) == 1, (user.full_name, title, [n.title for n in rows])
    notification = rows[0]
    sent = [m for m in mail.outbox if m.subject == notification.title and m.to == [address(user)]]
    assert len(sent) == 1, (user.full_name, title)
    assert notification.emailed_at is not None and notification.email_error == ""
    return notification


def walk(work: Work) -> dict[str, object]:
    """The whole path of an incoming document and of a draft sent to another unit."""
    team = team_of(work)
    document = register(work, code_number="21")
    present(work, document)
    direct(work, document)
    shared_to = work.deputy
    document_share(actor=work.clerk, document=document, user=shared_to)
    returned = create_draft(team, subject="Dự thảo phải sửa")
    drafting_services.draft_submit(
        actor=team.drafter, draft=returned, reviewer=team.head, checker=team.checker
    )
    drafting_services.draft_review_content(
        actor=team.head, draft=returned, accept=False, note="Bổ sung số liệu."
    )
    draft = to_approving(team, create_draft(team, subject="Kế hoạch chuyển đổi số"))
    drafting_services.draft_approve(actor=team.signer, draft=draft, accept=True)
    to_signed(team, draft)
    sent = issue(team, draft)
    received = Delivery.objects.get(document=sent, recipient_unit=work.province.snv)
    exchange.delivery_register(actor=work.other_clerk, delivery=received, refusals=DECLARED)
    again = to_approved(team, create_draft(team, subject="Kế hoạch gửi nhầm"))
    sent_wrong = issue(team, to_signed(team, again))
    wrong = Delivery.objects.get(document=sent_wrong, recipient_unit=work.province.snv)
    exchange.delivery_return(
        actor=work.other_clerk, delivery=wrong, reason=ReturnReason.WRONG_RECIPIENT, note=""
    )
    return {"team": team, "shared_to": shared_to, "sent": sent}


def test_each_hand_off_is_told_and_e_mailed(work, settings, django_capture_on_commit_callbacks):
    settings.VANBAN_EMAIL_ENABLED = True
    addresses()
    with django_capture_on_commit_callbacks(execute=True):
        facts = walk(work)
    team = facts["team"]
    snv = work.province.snv.name
    expected = [
        (work.director, "Văn bản trình xin ý kiến chỉ đạo"),
        (work.plan_staff, "Được giao chủ trì xử lý văn bản"),
        (work.tech_head, "Được giao phối hợp xử lý văn bản"),
        (work.reader, "Văn bản gửi để biết"),
        (facts["shared_to"], f"{work.clerk.full_name} chuyển để biết"),
        (team.checker, "Dự thảo chờ kiểm tra: Kế hoạch: Dự thảo phải sửa"),
        (team.drafter, "Dự thảo bị trả lại để sửa: Kế hoạch: Dự thảo phải sửa"),
        (team.signer, "Dự thảo chờ phê duyệt: Kế hoạch: Kế hoạch chuyển đổi số"),
        (team.drafter, "Dự thảo đã được phê duyệt: Kế hoạch: Kế hoạch chuyển đổi số"),
        (work.clerk, "Văn bản đã được ký, chờ phát hành: Kế hoạch: Kế hoạch chuyển đổi số"),
        (team.drafter, "Văn bản đã được ban hành, số 01/"),
        (work.other_clerk, "Văn bản đến mới: Kế hoạch số 01/"),
        (work.clerk, f"Kế hoạch số 01/KH-STTTT đã vào sổ đến số 1 tại {snv}"),
        (team.drafter, f"Kế hoạch số 01/KH-STTTT đã vào sổ đến số 1 tại {snv}"),
        (work.clerk, f"Kế hoạch số 02/KH-STTTT bị {snv} trả lại: "),
        (team.drafter, f"Kế hoạch số 02/KH-STTTT bị {snv} trả lại: "),
    ]
    for user, title in expected:
        told(user, title)
    # Nobody is e-mailed what they did themselves.
    assert not [m for m in mail.outbox if m.to == [address(work.clerk)] and "trình" in m.subject]


def test_no_mail_server_no_e_mail(work, settings, django_capture_on_commit_callbacks):
    settings.VANBAN_EMAIL_ENABLED = False
    addresses()
    with django_capture_on_commit_callbacks(execute=True):
        present(work, register(work, code_number="22"))
    assert Notification.objects.filter(recipient=work.director).count() == 1
    assert mail.outbox == []
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 0


def test_no_address_no_e_mail(work, settings, django_capture_on_commit_callbacks):
    settings.VANBAN_EMAIL_ENABLED = True
    addresses()
    work.director.email = ""
    work.director.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        present(work, register(work, code_number="23"))
    notification = Notification.objects.get(recipient=work.director)
    assert mail.outbox == []
    assert notification.emailed_at is None and notification.email_error == ""


def test_the_e_mail_leaves_only_after_the_hand_off_committed(
    work, settings, django_capture_on_commit_callbacks
):
    settings.VANBAN_EMAIL_ENABLED = True
    addresses()
    document = register(work, code_number="24")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        present(work, document)
    assert mail.outbox == []  # not while the transaction is open
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [[address(work.director)]]
    assert "/xu-ly/" in Notification.objects.get(recipient=work.director).link


def test_a_refusing_mail_server_does_not_undo_the_hand_off(
    work, settings, django_capture_on_commit_callbacks
):
    """A real SMTP connection to a port nobody listens on: refused; the document is presented
    all the same, the notice is in the application, the failure is kept on it."""
    settings.VANBAN_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    addresses()
    document = register(work, code_number="25")
    with django_capture_on_commit_callbacks(execute=True):
        processing = present(work, document)
    processing.refresh_from_db()
    assert processing.status == "presented" and processing.presented_to_id == work.director.pk
    notification = Notification.objects.get(recipient=work.director)
    assert notification.emailed_at is None
    assert notification.email_error.startswith("ConnectionRefusedError")


def test_sending_again_does_not_e_mail_twice(work, settings, django_capture_on_commit_callbacks):
    from vanban.core.tasks import notification_email_task

    settings.VANBAN_EMAIL_ENABLED = True
    addresses()
    with django_capture_on_commit_callbacks(execute=True):
        present(work, register(work, code_number="26"))
    notification = Notification.objects.get(recipient=work.director)
    assert len(mail.outbox) == 1
    result = notification_email_task.enqueue([notification.pk])
    assert result.return_value == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_the_site_address_ends_the_e_mail(work, settings, django_capture_on_commit_callbacks):
    settings.VANBAN_EMAIL_ENABLED = True
    settings.VANBAN_SITE_URL = "https://vanban.bentre.gov.vn/"
    addresses()
    with django_capture_on_commit_callbacks(execute=True):
        document = register(work, code_number="27")
        present(work, document)
    (message,) = mail.outbox
    assert message.body.endswith(f"https://vanban.bentre.gov.vn/xu-ly/van-ban/{document.pk}/")
