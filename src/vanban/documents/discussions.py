"""Discussion threads (ý kiến trao đổi) on incoming documents and on drafts (R18).

People who may see a document talk about it on its page and name colleagues with "@account"
(or pick them from the people who may see it): those named are told through a notification.
The thread is kept here, below the apps it serves (docs/architecture.md, "Layers"): each app
registers a kind of subject in `AppConfig.ready()` — documents its incoming documents, drafting
its drafts — saying who may see a subject, who all its viewers are, and how to name and link
it. The drafting's formal requests for comments (Art. 11, `drafting.services.comments`) stay
what they are; the thread is the free talk beside them.

A person named who may not see the subject is refused, with their name: the message is not
posted and nobody is told, so that a mention never reveals a document (R14) and never silently
fails to reach someone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from vanban.accounts.models import AccountStatus, Role, RoleAssignment, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import NotFound, ServiceError
from vanban.core.services import notification_send

from .models import Direction, DiscussionPost, Document, DocumentShare
from .services.sharing import document_label

MAX_TEXT = 4000
MAX_MENTIONS = 20
MENTION_RE = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|[A-Za-z0-9])")
MSG_NOT_FOUND = "Không tìm thấy văn bản hoặc bạn không được xem văn bản này."


@dataclass(frozen=True)
class ThreadKind:
    """What a kind of subject's owner tells the thread."""

    name: str  # "document", "draft"
    noun: str  # "văn bản", "dự thảo"
    visible: Callable[[User, int], bool]  # may this person see the subject?
    viewer_ids: Callable[[int], set[int]]  # everyone who may see it (active or not)
    label: Callable[[int], str]  # "Công văn số 12/UBND-VP"
    link: Callable[[int], str]  # its page


_KINDS: dict[str, ThreadKind] = {}


def thread_kind_register(kind: ThreadKind) -> None:
    _KINDS[kind.name] = kind


def thread_kind(name: str) -> ThreadKind:
    if name not in _KINDS:
        raise NotFound(MSG_NOT_FOUND)
    return _KINDS[name]


@dataclass
class Thread:
    """A subject's thread as a page shows it: the posts, oldest first, and the people who may
    be named (those who may see the subject, active, but the reader)."""

    kind: str
    subject_id: int
    noun: str
    posts: list[DiscussionPost] = field(default_factory=list)
    people: list[User] = field(default_factory=list)


def thread_for(*, kind: str, subject_id: int, user: User) -> Thread:
    """The thread for a page the reader may see (the caller checked). A constant number of
    queries whatever its length: the posts with their authors, their mentions, the viewers."""
    owner = thread_kind(kind)
    posts = list(
        DiscussionPost.objects.filter(kind=kind, subject_id=subject_id)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    # The people named, read in one query whether the thread is empty or long.
    named: dict[int, list[User]] = {}
    for link in (
        DiscussionPost.mentioned.through.objects.filter(
            discussionpost__kind=kind, discussionpost__subject_id=subject_id
        )
        .select_related("user")
        .order_by("user__full_name", "user_id")
    ):
        named.setdefault(link.discussionpost_id, []).append(link.user)
    for post in posts:
        post.named = named.get(post.pk, [])
    people = list(
        User.objects.filter(pk__in=owner.viewer_ids(subject_id), status=AccountStatus.ACTIVE)
        .exclude(pk=user.pk)
        .order_by("full_name", "pk")
    )
    return Thread(kind=kind, subject_id=subject_id, noun=owner.noun, posts=posts, people=people)


def _named(text: str, picked: Iterable[int]) -> dict[int, User]:
    """The people named by "@account" in the text and picked from the list."""
    names = {m.lower() for m in MENTION_RE.findall(text)}
    picked = {int(pk) for pk in picked}
    if len(names) + len(picked) > MAX_MENTIONS:
        raise ServiceError(f"Mỗi ý kiến nhắc tối đa {MAX_MENTIONS} người.", field="mentions")
    found = (
        {u.pk: u for u in User.objects.filter(Q(username__in=names) | Q(pk__in=picked))}
        if names or picked
        else {}
    )
    known = {u.username.lower() for u in found.values()}
    unknown = sorted(names - known)
    if unknown:
        raise ServiceError(
            "Không tìm thấy tài khoản " + ", ".join(f"@{n}" for n in unknown) + ".", field="text"
        )
    if picked - set(found):
        raise ServiceError("Người được nhắc không hợp lệ.", field="mentions")
    return found


def discussion_post(
    *,
    actor: User,
    kind: str,
    subject_id: int,
    text: str,
    mentions: Iterable[int] = (),
    ip: str | None = None,
) -> DiscussionPost:
    """A person who may see the subject adds a message to its thread; the people named
    ("@account" or picked) are told. Refused, writing nothing, when someone named may not see
    the subject or is not active."""
    owner = thread_kind(kind)
    if not actor.is_active or not owner.visible(actor, subject_id):
        raise NotFound(MSG_NOT_FOUND)
    text = (text or "").strip()
    if not text:
        raise ServiceError("Hãy nhập ý kiến trao đổi.", field="text")
    if len(text) > MAX_TEXT:
        raise ServiceError(
            f"Ý kiến trao đổi dài {len(text)} ký tự, quá giới hạn {MAX_TEXT} ký tự; hãy rút gọn.",
            field="text",
        )
    named = _named(text, mentions)
    named.pop(actor.pk, None)
    viewers = owner.viewer_ids(subject_id) if named else set()
    for person in sorted(named.values(), key=lambda p: p.full_name):
        if person.pk not in viewers:
            raise ServiceError(
                f"Không nhắc được {person.full_name} (@{person.username}): người này không xem "
                f"được {owner.noun} này. Hãy chuyển {owner.noun} cho họ trước.",
                field="mentions",
            )
        if not person.is_active:
            raise ServiceError(
                f"Không nhắc được {person.full_name}: tài khoản không hoạt động.",
                field="mentions",
            )
    label = owner.label(subject_id)
    with transaction.atomic():
        post = DiscussionPost.objects.create(
            kind=kind, subject_id=subject_id, author=actor, text=text, created_at=clock.now()
        )
        if named:
            post.mentioned.set(named.values())
            notification_send(
                recipients=named.values(),
                title=f"{actor.full_name} nhắc đến bạn trong ý kiến trao đổi: {label}",
                body=text[:500],
                link=owner.link(subject_id) + "#discussion",
            )
        audit_record(
            actor=actor,
            action="discussion.post",
            data={
                "kind": kind,
                "subject": subject_id,
                "post": post.pk,
                "mentioned": sorted(p.username for p in named.values()),
            },
            ip=ip,
        )
    return post


def register_documents() -> None:
    """Incoming documents have a thread, seen by whoever may see the document (R14)."""

    def visible(user: User, pk: int) -> bool:
        return (
            Document.objects.visible_to(user).filter(pk=pk, direction=Direction.INCOMING).exists()
        )

    def viewer_ids(pk: int) -> set[int]:
        unit = Document.objects.filter(pk=pk).values("unit_id")
        register = RoleAssignment.objects.filter(
            unit_id__in=unit, role__in=[Role.CLERK, Role.LEADER]
        ).values_list("user_id", flat=True)
        shared = DocumentShare.objects.filter(document_id=pk).values_list("user_id", flat=True)
        return set(register.union(shared))

    def label(pk: int) -> str:
        document = Document.objects.select_related("document_type").get(pk=pk)
        return document_label(document)

    thread_kind_register(
        ThreadKind(
            name="document",
            noun="văn bản",
            visible=visible,
            viewer_ids=viewer_ids,
            label=label,
            link=lambda pk: reverse("documents:document_detail", args=[pk]),
        )
    )
