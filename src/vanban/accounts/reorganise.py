"""People in a reorganisation: the accounts and roles of an ended unit go to its successor, and
account names follow the unit's abbreviation (R2: `tencanhan.tendonvi`).

Called by the reorganisation engine with one `unit_history.Transfer`, inside its transaction,
after it ended the source (`end_date`, inactive) and created the target (docs/reorganisation.md,
"People and account names"):

- every account of the source that is not revoked moves to the target, or to the unit the plan
  chose for it (`"user:<pk>"`), with its history (its `AccountChange` rows stay with the unit
  they happened in; a revoked account stays with the ended unit, as its history);
- the role assignments held in the source move to the same unit, without duplicates;
- an account whose unit part is not the new unit's abbreviation gets the new one, its old name
  becoming a `UsernameAlias` that signs in for `AccountPolicy.username_alias_days` (a rename
  keeps the unit: `source is target`, its abbreviation changed, the old one is in `unit.history`);
- each account gets an audit event and `AccountChange` rows (moved out of the old unit, moved into
  the new one, or renamed), so that the R8 report of both units lists the change.

Applying twice moves nothing the second time: the accounts are no longer in the source and their
names already end with the target's abbreviation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.text import fold

from .models import (
    AccountChange,
    AccountPolicy,
    AccountStatus,
    Role,
    RoleAssignment,
    Unit,
    User,
    UsernameAlias,
)
from .unit_history import PreviewLine, Transfer

EXAMPLES = 5


@dataclass(frozen=True)
class _Move:
    """One account's change: where it goes and its name after."""

    user: User
    target: Unit
    new_username: str

    @property
    def moves(self) -> bool:
        return self.user.unit_id != self.target.pk

    @property
    def renamed(self) -> bool:
        return self.user.username != self.new_username

    @property
    def example(self) -> str:
        return f"{self.user.username} → {self.new_username}"


def _new_username(username: str, abbreviation: str) -> str:
    local, _dot, _unit_part = username.partition(".")
    return f"{local}.{abbreviation}"


def _units(transfer: Transfer) -> dict[int, Unit]:
    """The units the plan gives this source's people to: the target and the per-item choices."""
    chosen = {unit_id for kind_key, unit_id in transfer.overrides if kind_key.startswith("user:")}
    units = {transfer.target.pk: transfer.target}
    missing = chosen - set(units)
    if missing:
        units.update({u.pk: u for u in Unit.objects.filter(pk__in=missing)})
    return units


def _moves(transfer: Transfer) -> tuple[list[_Move], int]:
    """The accounts that move or are renamed, and how many revoked accounts stay behind."""
    source = transfer.source
    units = _units(transfer)
    users = list(User.objects.filter(unit=source).order_by("username"))
    moves: list[_Move] = []
    revoked = 0
    for user in users:
        if user.status == AccountStatus.REVOKED:
            revoked += 1
            continue
        target = units.get(transfer.target_for("user", user.pk), transfer.target)
        new_username = _new_username(user.username, target.abbreviation)
        move = _Move(user=user, target=target, new_username=new_username)
        if move.moves or move.renamed:
            moves.append(move)
    return moves, revoked


def _roles_to_move(transfer: Transfer) -> list[tuple[RoleAssignment, int]]:
    """The role assignments held in the source by accounts that are not revoked, each with the
    unit it goes to (the account's chosen unit, else the target). Nothing for a rename."""
    if transfer.is_same_unit:
        return []
    assignments = (
        RoleAssignment.objects.filter(unit=transfer.source)
        .exclude(user__status=AccountStatus.REVOKED)
        .select_related("user")
        .order_by("user__username", "role")
    )
    return [(a, transfer.target_for("user", a.user_id)) for a in assignments]


def alias_valid_until(effective_date: dt.date, policy: AccountPolicy | None = None) -> dt.date:
    """The last day an old account name signs in: the policy's period counted from the effective
    date, or from today when the plan is applied later."""
    policy = policy or AccountPolicy.current()
    start = max(effective_date, timezone.localdate(clock.now()))
    return start + dt.timedelta(days=max(1, policy.username_alias_days) - 1)


def _conflicts(moves: list[_Move], transfer: Transfer) -> list[str]:
    """New account names that are taken: by an account that keeps its name, by a live alias of
    another account, or by two people of this plan (each one sentence naming both)."""
    renamed = [m for m in moves if m.renamed]
    if not renamed:
        return []
    wanted = {m.new_username for m in renamed}
    moving_ids = {m.user.pk for m in moves}
    conflicts: list[str] = []
    by_name = {
        u.username: u
        for u in User.objects.filter(username__in=wanted)
        .exclude(pk__in=moving_ids)
        .only("username", "full_name")
    }
    today = timezone.localdate(clock.now())
    aliases = {
        a.username: a
        for a in UsernameAlias.objects.filter(username__in=wanted, valid_until__gte=today)
        .select_related("user")
        .only("username", "valid_until", "user_id", "user__full_name", "user__username")
    }
    # People of the other units this target carries on, not yet moved: they get its abbreviation
    # too (a merge is one transfer per source).
    others = _incoming_from_other_sources(transfer, wanted)
    seen: dict[str, _Move] = {}
    for move in renamed:
        name, user = move.new_username, move.user
        who = f"Tài khoản {user.username} ({user.full_name}) sẽ đổi thành {name}"
        if name in by_name:
            holder = by_name[name]
            conflicts.append(f"{who}, trùng với tài khoản {name} ({holder.full_name}) đã có.")
        elif name in aliases and aliases[name].user_id != user.pk:
            alias = aliases[name]
            conflicts.append(
                f"{who}, trùng với tên tài khoản cũ {name} của {alias.user.full_name} "
                f"({alias.user.username}), còn dùng được đến hết ngày "
                f"{alias.valid_until:%d/%m/%Y}."
            )
        elif name in seen:
            first = seen[name].user
            conflicts.append(
                f"Tài khoản {first.username} ({first.full_name}) và tài khoản {user.username} "
                f"({user.full_name}) sẽ cùng đổi thành {name}."
            )
        elif name in others:
            other = others[name]
            conflicts.append(
                f"{who}, trùng với tên mới của tài khoản {other.username} ({other.full_name}) "
                f"chuyển đến từ {other.unit.name}."
            )
        seen.setdefault(name, move)
    return conflicts


def _incoming_from_other_sources(transfer: Transfer, wanted: set[str]) -> dict[str, User]:
    """The accounts still in the other ended units the target carries on whose name would become
    one of `wanted`: two people merged into one unit must not get one name."""
    if transfer.is_same_unit:
        return {}
    abbreviation = transfer.target.abbreviation
    locals_ = {name.partition(".")[0] for name in wanted}
    condition = Q()
    for local in locals_:
        condition |= Q(username__startswith=f"{local}.")
    found: dict[str, User] = {}
    for user in (
        User.objects.filter(
            condition,
            unit__successor_links__successor=transfer.target,
            unit__end_date__isnull=False,
        )
        .exclude(unit=transfer.source)
        .exclude(status=AccountStatus.REVOKED)
        .select_related("unit")
        .order_by("username")
    ):
        name = _new_username(user.username, abbreviation)
        if name in wanted and name != user.username:
            found.setdefault(name, user)
    return found


def transfer_preview(transfer: Transfer) -> list[PreviewLine]:
    """What the transfer would do to people, reading only: the accounts that move or are renamed
    (with examples "nguyenvana.stttt → nguyenvana.skhcn"), the roles that move, and the names
    that would collide (conflicts stop the plan)."""
    moves, revoked = _moves(transfer)
    conflicts = _conflicts(moves, transfer)
    warnings: list[str] = []
    renamed = [m for m in moves if m.renamed]
    if renamed:
        until = alias_valid_until(transfer.effective_date)
        warnings.append(
            f"{len(renamed)} tài khoản đổi tên; tên cũ vẫn đăng nhập được đến hết ngày "
            f"{until:%d/%m/%Y}."
        )
    if revoked:
        warnings.append(f"{revoked} tài khoản đã thu hồi ở lại đơn vị cũ (lưu lịch sử).")
    label = "Tài khoản đổi tên" if transfer.is_same_unit else "Tài khoản chuyển sang đơn vị mới"
    lines = [
        PreviewLine(
            label=label,
            count=len(moves),
            examples=tuple(m.example for m in moves[:EXAMPLES]),
            conflicts=tuple(conflicts),
            warnings=tuple(warnings),
        )
    ]
    roles = _roles_to_move(transfer)
    if roles:
        lines.append(
            PreviewLine(
                label="Vai trò chuyển sang đơn vị mới",
                count=len(roles),
                examples=tuple(
                    f"{Role(a.role).label}: {a.user.full_name} ({a.user.username})"
                    for a, _unit in roles[:EXAMPLES]
                ),
            )
        )
    return lines


def _note(move: _Move, transfer: Transfer) -> str:
    """The R8 report's note, written before the move: "Từ Sở … sang Sở …; tên tài khoản a.x
    đổi thành a.y (theo 202/2025/QH15)."."""
    parts = []
    if move.moves:
        parts.append(f"Từ {transfer.source.name} sang {move.target.name}")
    if move.renamed:
        parts.append(f"tên tài khoản {move.user.username} đổi thành {move.new_username}")
    text = "; ".join(parts)
    text = text[:1].upper() + text[1:]
    if transfer.decision:
        text += f" (theo {transfer.decision})"
    return text + "."


def transfer_apply(transfer: Transfer) -> dict[str, int]:
    """Move the source's people to the target (see the module's docstring). Raises ServiceError,
    with nothing changed by this function, when a new account name is taken."""
    moves, _revoked = _moves(transfer)
    conflicts = _conflicts(moves, transfer)
    if conflicts:
        raise ServiceError(" ".join(conflicts))
    policy = AccountPolicy.current()
    valid_until = alias_valid_until(transfer.effective_date, policy)
    now = clock.now()
    actor = transfer.actor if isinstance(transfer.actor, User) else None
    result = {"accounts": 0, "renamed": 0, "aliases": 0, "roles": 0}

    roles_moved = _move_roles(transfer)
    result["roles"] = roles_moved

    for move in moves:
        user = move.user
        old_username, old_unit = user.username, transfer.source
        note = _note(move, transfer)
        moving, renaming = move.moves, move.renamed  # read before the account changes
        fields: list[str] = []
        if moving:
            user.unit = move.target
            fields.append("unit")
            result["accounts"] += 1
        if renaming:
            UsernameAlias.objects.filter(user=user, username=move.new_username).delete()
            UsernameAlias.objects.update_or_create(
                username=old_username,
                defaults={
                    "user": user,
                    "valid_until": valid_until,
                    "decision": transfer.decision[:100],
                    "created_at": now,
                },
            )
            user.username = move.new_username
            user.search_text = fold(f"{user.full_name} {user.username} {user.email}")
            fields += ["username", "search_text"]
            result["renamed"] += 1
            result["aliases"] += 1
        user.save(update_fields=fields)
        if moving:
            changes = [
                (AccountChange.Kind.MOVED_OUT, old_unit.pk),
                (AccountChange.Kind.MOVED_IN, move.target.pk),
            ]
        else:
            changes = [(AccountChange.Kind.RENAMED, move.target.pk)]
        AccountChange.objects.bulk_create(
            [
                AccountChange(
                    user=user,
                    unit_id=unit_id,
                    kind=kind,
                    note=note[:500],
                    actor=actor,
                    at=now,
                )
                for kind, unit_id in changes
            ]
        )
        audit_record(
            actor=actor,
            action="account.reorganise",
            unit=move.target,
            target=user,
            data={
                "plan": transfer.plan_ref,
                "decision": transfer.decision,
                "from_unit": old_unit.pk,
                "to_unit": move.target.pk,
                "old_username": old_username,
                "new_username": user.username,
                "alias_valid_until": valid_until.isoformat() if renaming else None,
            },
        )
    return result


def _move_roles(transfer: Transfer) -> int:
    """The source's role assignments go to their unit; one already held there is not doubled."""
    roles = _roles_to_move(transfer)
    if not roles:
        return 0
    held = set(
        RoleAssignment.objects.filter(
            user__in={a.user_id for a, _u in roles}, unit__in={u for _a, u in roles}
        ).values_list("user_id", "unit_id", "role")
    )
    by_unit: dict[int, list[int]] = defaultdict(list)
    duplicates: list[int] = []
    for assignment, unit_id in roles:
        key = (assignment.user_id, unit_id, assignment.role)
        if key in held:
            duplicates.append(assignment.pk)
        else:
            held.add(key)
            by_unit[unit_id].append(assignment.pk)
    if duplicates:
        RoleAssignment.objects.filter(pk__in=duplicates).delete()
    for unit_id, pks in by_unit.items():
        RoleAssignment.objects.filter(pk__in=pks).update(unit_id=unit_id)
    return len(roles)
