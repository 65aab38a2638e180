"""People in a reorganisation (docs/reorganisation.md, "People and account names"): accounts and
roles go to the successor, account names follow the unit's abbreviation (R2) with the old name as
a former name that signs in for the policy's transition period, and the successor's clerks and
leaders read the ended unit's documents (R14, CV 414/BNV-VTLTNN)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests.second_factor import CODE_PAGE, enrolled_device, totp_code
from tests.support.documents import DECLARED, incoming_input, scan
from tests.support.province import PASSWORD, make_user
from vanban.accounts import services
from vanban.accounts.models import (
    AccountChange,
    AccountPolicy,
    AccountStatus,
    RevokeReason,
    Role,
    RoleAssignment,
    Unit,
    UnitChangeKind,
    UnitLink,
    User,
    UsernameAlias,
)
from vanban.accounts.reorganise import transfer_apply, transfer_preview
from vanban.accounts.unit_history import Transfer, unit_record_write
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents import services as documents
from vanban.documents.models import Document, register_unit_ids

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LOGIN = "/tai-khoan/dang-nhap/"
DECISION = "202/2025/QH15"
GENERIC = (
    "Tên tài khoản hoặc mật khẩu không đúng. Sau 5 lần sai liên tiếp, tài khoản bị tạm khóa "
    "30 phút."
)


def today() -> dt.date:
    return timezone.localdate(clock.now())


def new_unit(province, name: str, symbol: str, abbreviation: str, code: str) -> Unit:
    return services.unit_create(
        actor=None,
        name=name,
        symbol=symbol,
        abbreviation=abbreviation,
        agency_code=code,
        parent=province.root,
    )


def end(unit: Unit, successor: Unit, effective: dt.date, *, default: bool = True) -> None:
    """What the engine does before handing over: the unit ends, the successor is linked."""
    unit.end_date = effective - dt.timedelta(days=1)
    unit.is_active = False
    unit.save(update_fields=["end_date", "is_active"])
    UnitLink.objects.create(
        predecessor=unit,
        successor=successor,
        kind=UnitChangeKind.MERGED,
        effective_date=effective,
        decision=DECISION,
        is_default=default,
    )


def skhcn(province) -> Unit:
    return new_unit(province, "Sở Khoa học và Công nghệ", "SKHCN", "skhcn", "000.00.14.H07")


def merge_stttt(province, *, overrides=(), effective: dt.date | None = None) -> Transfer:
    """Sở TT&TT merged into a new Sở KH&CN from `effective` (today by default)."""
    target = skhcn(province)
    effective = effective or today()
    end(province.stttt, target, effective)
    return Transfer(
        source=province.stttt,
        target=target,
        effective_date=effective,
        decision=DECISION,
        plan_ref="vinhlong-2025",
        actor=province.province_admin,
        overrides=tuple(overrides),
    )


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def snapshot() -> tuple[int, ...]:
    return (
        User.objects.filter(unit__end_date__isnull=False).count(),
        RoleAssignment.objects.filter(unit__end_date__isnull=False).count(),
        UsernameAlias.objects.count(),
        AccountChange.objects.count(),
        AuditEvent.objects.count(),
    )


# ---------------------------------------------------------------- preview


def test_preview_lists_the_accounts_their_new_names_and_the_roles_and_writes_nothing(province):
    transfer = merge_stttt(province)
    people = User.objects.filter(unit=province.stttt).count()
    roles = RoleAssignment.objects.filter(unit=province.stttt).count()
    before = snapshot()
    accounts, role_line = transfer_preview(transfer)
    assert snapshot() == before
    assert accounts.label == "Tài khoản chuyển sang đơn vị mới"
    assert accounts.count == people >= 4
    assert "phuongnt.stttt → phuongnt.skhcn" in accounts.examples
    assert accounts.conflicts == ()
    until = today() + dt.timedelta(days=89)
    assert accounts.warnings == (
        f"{people} tài khoản đổi tên; tên cũ vẫn đăng nhập được đến hết ngày {until:%d/%m/%Y}.",
    )
    assert role_line.label == "Vai trò chuyển sang đơn vị mới"
    assert role_line.count == roles
    assert "Lãnh đạo: Phạm Minh Đức (ducpm.stttt)" in role_line.examples


# ---------------------------------------------------------------- apply


def test_apply_moves_accounts_and_roles_renames_with_aliases_and_is_idempotent(province):
    p = province
    # One who left stays with the ended unit, as its history.
    gone = make_user(p.stttt, "Bùi Văn Biên")
    services.account_revoke(
        actor=p.admin_stttt, user=gone, reason=RevokeReason.LEFT_UNIT, note="Chuyển công tác"
    )
    # Somebody of another unit with a role in the ended one; a role already held at the target.
    RoleAssignment.objects.create(user=p.staff_snv, unit=p.stttt, role=Role.CLERK)
    transfer = merge_stttt(p)
    RoleAssignment.objects.create(user=p.province_admin, unit=transfer.target, role=Role.STAFF)
    movers = list(User.objects.filter(unit=p.stttt).exclude(status=AccountStatus.REVOKED))
    roles = RoleAssignment.objects.filter(unit=p.stttt).exclude(user=gone).count()
    events = AuditEvent.objects.count()

    result = transfer_apply(transfer)

    assert result == {
        "accounts": len(movers),
        "renamed": len(movers),
        "aliases": len(movers),
        "roles": roles,
    }
    staff = fresh(p.staff_stttt)
    assert (staff.unit_id, staff.username) == (transfer.target.pk, "phuongnt.skhcn")
    assert staff.search_text.split()[-1] != "phuongnt.stttt"
    alias = UsernameAlias.objects.get(username="phuongnt.stttt")
    assert (alias.user_id, alias.valid_until, alias.decision) == (
        staff.pk,
        today() + dt.timedelta(days=89),
        DECISION,
    )
    # The revoked account and its history stay where they were.
    gone = fresh(gone)
    assert (gone.unit_id, gone.username) == (p.stttt.pk, "bienbv.stttt")
    assert not User.objects.filter(unit=p.stttt).exclude(status=AccountStatus.REVOKED).exists()
    # Roles: none left on the ended unit but the revoked account's; none doubled.
    assert set(RoleAssignment.objects.filter(unit=p.stttt).values_list("user_id", flat=True)) <= {
        gone.pk
    }
    assert set(fresh(p.province_admin).role_pairs()) == {
        (transfer.target.pk, Role.PROVINCE_ADMIN),
        (transfer.target.pk, Role.STAFF),
    }
    snv_person = fresh(p.staff_snv)
    assert snv_person.unit_id == p.snv.pk and snv_person.username == p.staff_snv.username
    assert (transfer.target.pk, Role.CLERK) in snv_person.role_pairs()
    assert fresh(p.leader_stttt).has_role(Role.LEADER, transfer.target)
    # One audit event per account, with the plan and both names.
    audited = AuditEvent.objects.filter(action="account.reorganise")
    assert audited.count() == len(movers)
    assert AuditEvent.objects.count() == events + len(movers)
    event = audited.get(target_id=str(staff.pk))
    assert event.data["old_username"] == "phuongnt.stttt"
    assert event.data["new_username"] == "phuongnt.skhcn"
    assert event.data["plan"] == "vinhlong-2025"
    # The account changes, for the R8 report of both units.
    out = AccountChange.objects.filter(unit=p.stttt, kind=AccountChange.Kind.MOVED_OUT)
    into = AccountChange.objects.filter(unit=transfer.target, kind=AccountChange.Kind.MOVED_IN)
    assert out.count() == into.count() == len(movers)
    assert out.get(user=staff).note == (
        "Từ Sở Thông tin và Truyền thông sang Sở Khoa học và Công nghệ; tên tài khoản "
        "phuongnt.stttt đổi thành phuongnt.skhcn (theo 202/2025/QH15)."
    )

    # Applied again: nothing moves, nothing is written.
    before = snapshot()
    assert transfer_apply(transfer) == {"accounts": 0, "renamed": 0, "aliases": 0, "roles": 0}
    assert snapshot() == before
    assert transfer_preview(transfer)[0].count == 0


def test_a_person_the_plan_gives_to_another_successor_goes_there(province):
    p = province
    other = new_unit(p, "Sở Du lịch", "SDL", "sdl", "000.00.15.H07")
    UnitLink.objects.create(
        predecessor=p.stttt,
        successor=other,
        kind=UnitChangeKind.SPLIT,
        effective_date=today(),
        is_default=False,
    )
    transfer = merge_stttt(p, overrides=[(f"user:{p.staff_stttt.pk}", other.pk)])
    assert "phuongnt.stttt → phuongnt.sdl" in transfer_preview(transfer)[0].examples
    transfer_apply(transfer)
    staff = fresh(p.staff_stttt)
    assert (staff.unit_id, staff.username) == (other.pk, "phuongnt.sdl")
    assert staff.role_pairs() == {(other.pk, Role.STAFF)}
    assert fresh(p.leader_stttt).unit_id == transfer.target.pk


def rename_stttt(province) -> Transfer:
    """Sở TT&TT renamed in place (a new account abbreviation), its old identity kept first."""
    unit = province.stttt
    unit_record_write(unit, valid_until=today() - dt.timedelta(days=1), kind=UnitChangeKind.RENAMED)
    unit.abbreviation, unit.name = "scds", "Sở Chuyển đổi số"
    unit.save(update_fields=["abbreviation", "name"])
    return Transfer(
        source=unit, target=unit, effective_date=today(), decision=DECISION, plan_ref="rename"
    )


def test_a_renamed_unit_renames_its_accounts_in_place(province):
    p = province
    unit = p.stttt
    transfer = rename_stttt(p)
    people = User.objects.filter(unit=unit).count()
    roles = set(RoleAssignment.objects.filter(unit=unit).values_list("pk", "unit_id", "role"))
    (line,) = transfer_preview(transfer)
    assert (line.label, line.count) == ("Tài khoản đổi tên", people)
    assert "phuongnt.stttt → phuongnt.scds" in line.examples

    assert transfer_apply(transfer) == {
        "accounts": 0,
        "renamed": people,
        "aliases": people,
        "roles": 0,
    }
    assert fresh(p.staff_stttt).username == "phuongnt.scds"
    assert set(RoleAssignment.objects.filter(unit=unit).values_list("pk", "unit_id", "role")) == (
        roles
    )
    renamed = AccountChange.objects.get(user=p.staff_stttt, kind=AccountChange.Kind.RENAMED)
    assert renamed.unit_id == unit.pk
    assert (
        renamed.note == "Tên tài khoản phuongnt.stttt đổi thành phuongnt.scds (theo 202/2025/QH15)."
    )
    assert transfer_apply(transfer) == {"accounts": 0, "renamed": 0, "aliases": 0, "roles": 0}


# ---------------------------------------------------------------- conflicts


def test_a_new_name_taken_by_an_account_or_a_live_alias_is_a_conflict_and_apply_refuses(
    province,
):
    p = province
    transfer = merge_stttt(p)
    namesake = make_user(transfer.target, "Nguyễn Thu Phương")
    assert namesake.username == "phuongnt.skhcn"
    owner = make_user(p.snv, "Lê Văn Đức")
    UsernameAlias.objects.create(
        username="ducpm.skhcn",
        user=owner,
        valid_until=today() + dt.timedelta(days=3),
        created_at=clock.now(),
    )
    (accounts, _roles) = transfer_preview(transfer)
    assert accounts.conflicts == (
        "Tài khoản ducpm.stttt (Phạm Minh Đức) sẽ đổi thành ducpm.skhcn, trùng với tên tài khoản "
        f"cũ ducpm.skhcn của Lê Văn Đức ({owner.username}), còn dùng được đến hết ngày "
        f"{today() + dt.timedelta(days=3):%d/%m/%Y}.",
        "Tài khoản phuongnt.stttt (Nguyễn Thu Phương) sẽ đổi thành phuongnt.skhcn, trùng với "
        "tài khoản phuongnt.skhcn (Nguyễn Thu Phương) đã có.",
    )
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        transfer_apply(transfer)
    assert "phuongnt.skhcn" in refused.value.message
    assert snapshot() == before
    assert fresh(p.staff_stttt).username == "phuongnt.stttt"


def test_an_expired_alias_is_no_conflict(province):
    p = province
    transfer = merge_stttt(p)
    UsernameAlias.objects.create(
        username="ducpm.skhcn",
        user=p.staff_snv,
        valid_until=today() - dt.timedelta(days=1),
        created_at=clock.now(),
    )
    assert transfer_preview(transfer)[0].conflicts == ()
    transfer_apply(transfer)
    assert fresh(p.leader_stttt).username == "ducpm.skhcn"
    assert UsernameAlias.objects.get(username="ducpm.stttt").user_id == p.leader_stttt.pk


def test_two_people_merged_from_two_units_into_one_name_is_a_conflict(province):
    p = province
    transfer = merge_stttt(p)
    sbcvt = new_unit(p, "Sở Bưu chính Viễn thông", "SBCVT", "sbcvt", "000.00.16.H07")
    twin = make_user(sbcvt, "Nguyễn Thu Phương")
    end(sbcvt, transfer.target, transfer.effective_date)
    (accounts, _roles) = transfer_preview(transfer)
    assert accounts.conflicts == (
        "Tài khoản phuongnt.stttt (Nguyễn Thu Phương) sẽ đổi thành phuongnt.skhcn, trùng với "
        f"tên mới của tài khoản {twin.username} (Nguyễn Thu Phương) chuyển đến từ Sở Bưu chính "
        "Viễn thông.",
    )


# ---------------------------------------------------------------- former names at login


def login(username: str, password: str = PASSWORD, *, follow: bool = True):
    client = Client()
    return client, client.post(LOGIN, {"username": username, "password": password}, follow=follow)


def test_the_old_name_signs_in_with_a_notice_until_its_end_then_is_refused(province):
    p = province
    transfer_apply(merge_stttt(p))
    until = today() + dt.timedelta(days=89)

    client, response = login("phuongnt.stttt")
    assert response.redirect_chain and response.status_code == 200
    assert int(client.session["_auth_user_id"]) == p.staff_stttt.pk
    page = response.content.decode()
    assert (
        "Tên tài khoản của bạn nay là phuongnt.skhcn (do sắp xếp đơn vị). Tên cũ phuongnt.stttt "
        f"chỉ dùng được để đăng nhập đến hết ngày {until:%d/%m/%Y}; từ lần sau, vui lòng đăng "
        "nhập bằng phuongnt.skhcn."
    ) in page
    event = AuditEvent.objects.filter(action="login.success").latest("pk")
    assert event.data == {"alias": "phuongnt.stttt"}

    # The new name signs in without a notice.
    _client, response = login("phuongnt.skhcn")
    assert "do sắp xếp đơn vị" not in response.content.decode()

    # The last day, late in the evening: still signs in.
    with clock.frozen(dt.datetime.combine(until, dt.time(23, 30), tzinfo=VN)):
        client, _response = login("phuongnt.stttt", follow=False)
        assert int(client.session["_auth_user_id"]) == p.staff_stttt.pk
    # The day after: refused with the one answer to every refused login.
    with clock.frozen(dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0, 5), tzinfo=VN)):
        client, response = login("phuongnt.stttt", follow=False)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert GENERIC in response.content.decode()
    # A wrong password on a live alias counts on the account (R3) like on its name.
    client, response = login("phuongnt.stttt", "Sai-mat-khau-1", follow=False)
    assert "_auth_user_id" not in client.session
    assert fresh(p.staff_stttt).failed_login_count == 1


def test_the_transition_period_is_the_policy(province):
    policy = AccountPolicy.current()
    policy.username_alias_days = 30
    policy.save()
    transfer_apply(merge_stttt(province))
    alias = UsernameAlias.objects.get(username="phuongnt.stttt")
    assert alias.valid_until == today() + dt.timedelta(days=29)


def test_a_plan_applied_late_counts_the_period_from_the_day_it_is_applied(province):
    transfer_apply(merge_stttt(province, effective=today() - dt.timedelta(days=200)))
    alias = UsernameAlias.objects.get(username="phuongnt.stttt")
    assert alias.valid_until == today() + dt.timedelta(days=89)


def test_a_live_alias_is_a_taken_account_name(province):
    p = province
    transfer_apply(rename_stttt(p))
    # A unit that takes the freed abbreviation cannot give the former name to someone else.
    again = new_unit(p, "Sở Thông tin và Truyền thông mới", "STTTT", "stttt", "000.00.17.H07")
    assert services.username_suggest(full_name="Nguyễn Thu Phương", unit=again) == (
        "phuongnt2.stttt"
    )
    until = today() + dt.timedelta(days=89)
    with pytest.raises(ServiceError) as refused:
        services.account_create(
            actor=p.province_admin,
            unit=again,
            full_name="Nguyễn Thu Phương",
            username="phuongnt.stttt",
        )
    assert refused.value.field == "username"
    assert refused.value.message == (
        "Tên tài khoản phuongnt.stttt là tên cũ của một tài khoản, còn dùng để đăng nhập đến hết "
        f"ngày {until:%d/%m/%Y}; hãy chọn tên khác."
    )
    assert services.username_taken_problem("phuongnt.scds") == (
        "Tên tài khoản phuongnt.scds đã tồn tại."
    )
    assert services.username_taken_problem("phuongnt2.stttt") is None
    # After the transition the name is free again.
    with clock.frozen(dt.datetime.combine(until + dt.timedelta(days=1), dt.time(9), tzinfo=VN)):
        issued = services.account_create(
            actor=None, unit=again, full_name="Nguyễn Thu Phương", username="phuongnt.stttt"
        )
    assert issued.user.username == "phuongnt.stttt"


# ---------------------------------------------------------------- successors read the documents


def register(clerk: User, unit: Unit) -> Document:
    return documents.incoming_register(
        actor=clerk, unit=unit, data=incoming_input(), refusals=DECLARED, main_file=scan()
    )


def test_the_successors_clerks_and_leaders_read_the_ended_units_documents(province, client_for):
    p = province
    clerk = make_user(p.stttt, "Võ Thị Thu Trang", (Role.CLERK,))
    document = register(clerk, p.stttt)
    transfer = merge_stttt(p)
    newcomer = make_user(transfer.target, "Trần Văn Mới", (Role.CLERK,))
    staff = make_user(transfer.target, "Lý Văn Chuyên")
    transfer_apply(transfer)

    clerk, newcomer, leader = fresh(clerk), fresh(newcomer), fresh(p.leader_stttt)
    for person in (clerk, newcomer, leader):
        assert register_unit_ids(person) == sorted([p.stttt.pk, transfer.target.pk])
        assert Document.objects.visible_to(person).filter(pk=document.pk).exists()
    assert not Document.objects.visible_to(fresh(staff)).filter(pk=document.pk).exists()
    # Read only: registering in the ended unit is refused.
    with pytest.raises(AccessDenied):
        register(newcomer, p.stttt)
    # The list page of the new unit's clerk shows it.
    page = client_for(newcomer).get("/van-ban/den/").content.decode()
    assert document.subject in page


def test_predecessors_are_read_with_the_roles_however_far_back(province, django_assert_num_queries):
    p = province
    first = merge_stttt(p)
    second_unit = new_unit(p, "Sở Khoa học, Công nghệ và Số", "SKHCNS", "skhcns", "000.00.18.H07")
    end(first.target, second_unit, today() + dt.timedelta(days=1))
    leader = make_user(second_unit, "Đỗ Văn Lãnh", (Role.LEADER,))
    leader = fresh(leader)
    with django_assert_num_queries(1):  # the roles and two steps back, in one query
        assert register_unit_ids(leader) == sorted([p.stttt.pk, first.target.pk, second_unit.pk])
    third_unit = new_unit(p, "Sở Đổi mới", "SDM", "sdm", "000.00.19.H07")
    end(second_unit, third_unit, today() + dt.timedelta(days=2))
    head = fresh(make_user(third_unit, "Mai Văn Đầu", (Role.CLERK,)))
    with django_assert_num_queries(2):  # three steps back: one more query, for this person
        assert register_unit_ids(head) == sorted(
            [p.stttt.pk, first.target.pk, second_unit.pk, third_unit.pk]
        )


def test_the_notice_follows_the_second_step_of_login(province, client_for):
    p = province
    client_for(p.province_admin)  # enrols the administrator's authenticator
    transfer_apply(merge_stttt(p))
    admin = fresh(p.province_admin)
    old = UsernameAlias.objects.get(user=admin).username
    client, response = login(old, follow=False)
    assert response["Location"] == CODE_PAGE
    response = client.post(CODE_PAGE, {"code": totp_code(enrolled_device(admin))}, follow=True)
    assert int(client.session["_auth_user_id"]) == admin.pk
    assert f"Tên tài khoản của bạn nay là {admin.username} (do sắp xếp đơn vị)" in (
        response.content.decode()
    )
