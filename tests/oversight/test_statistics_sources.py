"""Usage statistics (R24) of the exchange with partner systems and of the accounts, against the
registers: packages received from another province's system, one refused with its reason, one
waiting, a document sent to a ministry and its status message back; accounts locked, revoked,
never used, and administrators without the second factor the policy asks of them (R6)."""

import datetime as dt

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.interop import support
from tests.support.drafting import NOW, fixed_clock, issued
from tests.support.province import make_user
from vanban.accounts.models import AccountStatus, LockReason, RevokeReason, Role, User
from vanban.accounts.services import account_lock, account_revoke
from vanban.accounts.services.second_factor import second_factor_enrolled, second_factor_required
from vanban.core import clock
from vanban.exchange.models import Delivery, DeliveryEvent, Transport
from vanban.exchange.partners import services as partner_services
from vanban.oversight import statistics
from vanban.oversight.statistics import Scope
from vanban.oversight.statistics_build import usage_rebuild
from vanban.reports.periods import Period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

NOVEMBER = Period.month(2026, 11)
LATER = NOW + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _clock():
    with fixed_clock():
        yield


def read(scope: Scope) -> statistics.UsageFigures:
    with clock.frozen(LATER):
        usage_rebuild(first=NOVEMBER.first, last=NOW.date())
        figures = statistics.usage(scope=scope, period=NOVEMBER)
        assert figures == statistics.usage_live(scope=scope, period=NOVEMBER)
        return figures


def test_exchange_with_partner_systems_equals_the_deliveries(team):
    link = support.partner(team)
    _draft, first = issued(team)
    _draft, second = issued(team, subject="Kế hoạch tổ chức hội nghị chuyển đổi số")
    snv = team.province.snv.agency_code
    received = [
        partner_services.receive(partner=link.partner, data=support.readdressed(doc, to=snv))
        for doc in (first, second)
    ]
    assert [r.outcome for r in received] == ["accepted", "accepted"]
    inbound = received[0].inbound
    partner_services.inbound_refuse(
        actor=team.clerk_snv, inbound=inbound, reason="Văn bản không thuộc thẩm quyền giải quyết."
    )
    to_ministry = Delivery.objects.exclude(transport=Transport.LOCAL).get(
        document=first, agency_code=support.MINISTRY
    )
    partner_services.receive(
        partner=link.partner, data=support.status_from_ministry(to_ministry, "03")
    )

    at_snv = read(Scope.of_unit(team.province.snv))
    from_partner = Delivery.objects.filter(recipient_unit=team.province.snv, package__isnull=False)
    assert at_snv.exchange_partner_received == from_partner.count() == 2
    assert at_snv.exchange_partner_refused == from_partner.filter(status="02").count() == 1
    assert at_snv.exchange_partner_waiting == from_partner.filter(status="01").count() == 1
    # Our own documents also reached the Sở Nội vụ inside the deployment.
    assert at_snv.exchange_local_received == 2
    assert at_snv.exchange_partner_sent == 0

    at_stttt = read(Scope.of_unit(team.province.stttt))
    sent_out = Delivery.objects.filter(sender_unit=team.province.stttt).exclude(
        transport=Transport.LOCAL
    )
    assert at_stttt.exchange_partner_sent == sent_out.count() == 2
    back = DeliveryEvent.objects.filter(delivery__in=sent_out, code__in=["01", "03"])
    assert at_stttt.exchange_partner_status_back == back.count() == 1
    assert at_stttt.exchange_local_sent == 2
    assert at_stttt.exchange_partner_received == 0


def test_accounts_equal_the_account_register(province):
    admin = make_user(province.snv, "Cao Văn Quản", (Role.UNIT_ADMIN,))
    TOTPDevice.objects.create(user=admin, name="Ứng dụng xác thực", confirmed=True)
    make_user(province.snv, "Lưu Thị Chưa", (Role.STAFF,))
    account_lock(
        actor=province.province_admin,
        user=province.staff_snv,
        reason=LockReason.AGENCY_REQUEST,
        note="Theo công văn số 15.",
    )
    gone = make_user(province.snv, "Tạ Văn Đi", (Role.STAFF,))
    account_revoke(
        actor=province.province_admin, user=gone, reason=RevokeReason.LEFT_UNIT, note="Nghỉ hưu."
    )
    with clock.frozen(LATER):
        figures = statistics.usage(scope=Scope.of_unit(province.snv), period=NOVEMBER)
        province_wide = statistics.usage(scope=Scope.province(), period=NOVEMBER)
    people = User.objects.filter(unit=province.snv)
    assert figures.accounts_active == people.filter(status=AccountStatus.ACTIVE).count() == 3
    assert figures.accounts_locked == people.filter(status=AccountStatus.LOCKED).count() == 1
    assert figures.accounts_revoked == people.filter(status=AccountStatus.REVOKED).count() == 1
    assert figures.accounts_never_used == 4
    assert figures.accounts_never_used == (
        people.exclude(status=AccountStatus.REVOKED).filter(last_login__isnull=True).count()
    )
    # The accounts app's own rule, person by person.
    active = User.objects.filter(status=AccountStatus.ACTIVE)
    missing = [u for u in active if second_factor_required(u) and not second_factor_enrolled(u)]
    assert province_wide.accounts_without_second_factor == len(missing)
    in_snv = [u for u in missing if u.unit_id == province.snv.pk]
    assert figures.accounts_without_second_factor == len(in_snv) == 1  # admin_snv; not Cao Văn Quản
