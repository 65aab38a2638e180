"""Discussion threads (ý kiến trao đổi) on incoming documents and drafts, with @mentions that
notify; a person named who may not see the subject is refused and nobody is told (R14, R18)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from tests.support import drafting as drafting_support
from tests.support.workflow import Work, build_work, fixed_clock, register
from vanban.core.errors import NotFound, ServiceError
from vanban.core.models import Notification
from vanban.documents import discussions
from vanban.documents import services as document_services
from vanban.documents.models import DiscussionPost
from vanban.drafting.services import draft_comments_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(office) -> Work:
    with fixed_clock():
        yield build_work(office)


def told(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_people_who_see_a_document_talk_and_the_named_are_told(work, client_for):
    document = register(work)
    client = client_for(work.clerk)
    response = client.post(
        f"/van-ban/trao-doi/document/{document.pk}/",
        {"text": f"Đề nghị @{work.director.username} xem gấp.", "mentions": [work.clerk.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Đã gửi ý kiến trao đổi." in html
    assert "Đề nghị @" in html and "xem gấp." in html
    post = DiscussionPost.objects.get()
    assert (post.kind, post.subject_id, post.author) == ("document", document.pk, work.clerk)
    assert list(post.mentioned.all()) == [work.director]  # naming oneself tells nobody
    assert told(work.director) == [
        f"{work.clerk.full_name} nhắc đến bạn trong ý kiến trao đổi: Quyết định số 15/QĐ-UBND"
    ]
    assert Notification.objects.get(recipient=work.director).link.endswith("#discussion")
    # The leader answers, picking the clerk from the people who may see the document.
    client_for(work.director).post(
        f"/van-ban/trao-doi/document/{document.pk}/",
        {"text": "Đã xem, chuyển phòng Kế hoạch.", "mentions": [work.clerk.pk]},
    )
    assert len(told(work.clerk)) == 1
    page = client.get(f"/van-ban/{document.pk}/").content.decode()
    assert "Ý kiến trao đổi (2)" in page
    assert f"Nhắc đến: {work.clerk.full_name}" in page


def test_naming_someone_who_cannot_see_the_document_is_refused(work, client_for):
    document = register(work)
    before = Notification.objects.count()
    for text, mentions in (
        (f"Nhờ @{work.other_staff.username} xem.", []),
        ("Nhờ xem.", [work.other_staff.pk]),
    ):
        response = client_for(work.clerk).post(
            f"/van-ban/trao-doi/document/{document.pk}/",
            {"text": text, "mentions": mentions},
            follow=True,
        )
        assert (
            escape(
                f"Không nhắc được {work.other_staff.full_name} (@{work.other_staff.username}): "
                "người này không xem được văn bản này. Hãy chuyển văn bản cho họ trước."
            )
            in response.content.decode()
        )
    assert DiscussionPost.objects.count() == 0
    assert Notification.objects.count() == before
    # Once the document is given to a person of the unit, they may be named.
    document_services.document_share(actor=work.clerk, document=document, user=work.reader)
    discussions.discussion_post(
        actor=work.clerk, kind="document", subject_id=document.pk, text=f"@{work.reader.username}"
    )
    assert len(told(work.reader)) == 2  # given for reading, then named


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Hãy nhập ý kiến trao đổi."),
        ("x" * 4001, "Ý kiến trao đổi dài 4001 ký tự, quá giới hạn 4000 ký tự; hãy rút gọn."),
        ("Nhờ @khong.co.ai xem.", "Không tìm thấy tài khoản @khong.co.ai."),
    ],
)
def test_bad_messages_are_refused(work, text, message):
    document = register(work)
    with pytest.raises(ServiceError) as caught:
        discussions.discussion_post(
            actor=work.clerk, kind="document", subject_id=document.pk, text=text
        )
    assert caught.value.message == message
    assert DiscussionPost.objects.count() == 0


def test_someone_who_cannot_see_the_document_cannot_post_nor_learn_it_exists(work, client_for):
    document = register(work)
    response = client_for(work.other_staff).post(
        f"/van-ban/trao-doi/document/{document.pk}/", {"text": "Xin chào"}
    )
    assert response.status_code == 404
    with pytest.raises(NotFound):
        discussions.discussion_post(
            actor=work.reader, kind="document", subject_id=document.pk, text="Xin chào"
        )
    assert (
        client_for(work.clerk).post("/van-ban/trao-doi/khac/1/", {"text": "x"}).status_code == 404
    )
    assert DiscussionPost.objects.count() == 0


def test_the_picker_offers_the_people_who_see_the_document(work, client_for):
    document = register(work)
    html = client_for(work.clerk).get(f"/van-ban/{document.pk}/").content.decode()
    picker = html.split('id="discussion-mentions"')[1].split("</select>")[0]
    assert f"@{work.director.username}" in picker
    assert f"@{work.reader.username}" not in picker  # not given the document
    assert f"@{work.other_staff.username}" not in picker
    assert f"@{work.clerk.username}" not in picker  # oneself


def test_the_thread_costs_the_same_whatever_its_length(work, client_for):
    """The page's own count is pinned in tests/documents/test_pages.py (DETAIL_QUERIES)."""
    document = register(work)
    client = client_for(work.clerk)
    client.get(f"/van-ban/{document.pk}/")  # the first opening marks what was unread
    with CaptureQueriesContext(connection) as empty:
        client.get(f"/van-ban/{document.pk}/")
    for n in range(5):
        discussions.discussion_post(
            actor=work.clerk,
            kind="document",
            subject_id=document.pk,
            text=f"Ý kiến {n} @{work.director.username}",
        )
    with CaptureQueriesContext(connection) as full:
        html = client.get(f"/van-ban/{document.pk}/").content.decode()
    assert "Ý kiến trao đổi (5)" in html
    assert len(full) == len(empty)


# ---------------------------------------------------------------- drafts


@pytest.fixture
def team(province):
    with drafting_support.fixed_clock():
        yield drafting_support.make_team(province)


def test_a_draft_has_its_thread_seen_by_whoever_sees_the_draft(
    team, client_for, settings, tmp_path
):
    drafting_support.own_storage(settings, tmp_path)
    with drafting_support.fixed_clock():
        draft = drafting_support.create_draft(team)
        # The head (leader of the unit) sees the draft; a staff member of another unit does not.
        discussions.discussion_post(
            actor=team.drafter,
            kind="draft",
            subject_id=draft.pk,
            text=f"@{team.head.username} anh xem giúp phần mở đầu.",
        )
        assert len(told(team.head)) == 1
        with pytest.raises(ServiceError) as caught:
            discussions.discussion_post(
                actor=team.drafter,
                kind="draft",
                subject_id=draft.pk,
                text=f"@{team.colleague.username} góp ý giúp.",
            )
        assert "không xem được dự thảo này" in caught.value.message
        # Asked for comments (Art. 11), the colleague sees the draft and may be named.
        draft_comments_request(
            actor=team.drafter,
            draft=draft,
            people=[team.colleague],
            deadline=drafting_support.NOW.date(),
        )
        discussions.discussion_post(
            actor=team.drafter,
            kind="draft",
            subject_id=draft.pk,
            text=f"@{team.colleague.username} góp ý giúp.",
        )
        with pytest.raises(NotFound):
            discussions.discussion_post(
                actor=team.staff_snv, kind="draft", subject_id=draft.pk, text="Xin chào"
            )
        page = client_for(team.head).get(f"/du-thao/{draft.pk}/").content.decode()
    assert "Ý kiến trao đổi (2)" in page
    assert "anh xem giúp phần mở đầu." in page
