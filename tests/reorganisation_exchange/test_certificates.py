"""A certificate whose subject names an agency that was reorganised (CV 275/BCY-CTSBMTT: the
certificate's information is changed rather than reissued, so documents keep the old name)
verifies as before, and the verification result says what became of the agency. The signature
is made with a key of the project's test PKI (tests/signing.py) and checked by the real code."""

import datetime as dt

import pytest
from django.template.loader import render_to_string

from tests.reorganisation_exchange.conftest import ended, new_code
from tests.signing import PIN, pki, seal_png, trust
from tests.support.drafting import issued
from tests.support.files import pdf_bytes
from tests.support.province import add_unit
from vanban.accounts.models import Unit
from vanban.signatures import pdfsign
from vanban.signatures.models import Trigger
from vanban.signatures.organisations import organisation_histories
from vanban.signatures.services import report_store, verify_bytes

OLD_NAME = "Sở Thông tin và Truyền thông tỉnh Bến Tre"
HISTORY = (
    "Tổ chức trong chứng thư: Sở Thông tin và Truyền thông tỉnh Bến Tre — đã sáp nhập vào Sở "
    "Khoa học và Công nghệ tỉnh Vĩnh Long từ 01/07/2025"
)


def sealed() -> bytes:
    """A PDF sealed with the old department's organisation certificate (signed 20/06/2025)."""
    pdf = pdf_bytes("Quyết định về việc ban hành quy chế")
    return pdfsign.sign(
        pdf,
        pdfsign.load_pkcs12(pki().p12("stttt-ben-tre"), PIN),
        field_name="ChuKyCoQuan",
        appearance=pdfsign.Appearance(pdfsign.attachment_box(pdf), image_png=seal_png()),
        signing_time=dt.datetime(2025, 6, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))),
    )


@pytest.fixture
def merged(team) -> tuple[Unit, Unit]:
    old = add_unit(OLD_NAME, "STTTTBT", "sttttbt", "000.00.12.H83", team.province.root)
    new = add_unit(
        "Sở Khoa học và Công nghệ tỉnh Vĩnh Long",
        "SKHCN",
        "skhcn",
        "000.00.14.H62",
        team.province.root,
    )
    return old, new


def verdict(report) -> dict:  # type: ignore[no-untyped-def]
    """The report without what depends on the day of the check and on the units."""
    data = report.as_dict()
    data.pop("checked_at")
    for signature in data["signatures"]:
        signature.pop("organisation_history")
    return data


def test_a_certificate_of_a_merged_agency_verifies_as_before_and_shows_its_history(merged):
    old, new = merged
    trust()
    pdf = sealed()
    before = verify_bytes(pdf)
    assert before.status == "valid", before.reasons()
    assert before.signatures[0].organisation == OLD_NAME
    assert before.signatures[0].organisation_history == ""

    ended(old, new)
    after = verify_bytes(pdf)

    assert after.status == "valid" and after.signatures[0].valid
    assert verdict(after) == verdict(before)
    assert after.signatures[0].organisation_history == HISTORY
    shown = render_to_string(
        "signatures/_signature_table.html", {"signatures": after.as_dict()["signatures"]}
    )
    assert HISTORY in shown and "Hợp lệ" in shown


def test_a_report_kept_before_the_merger_shows_the_history_on_the_document_page(
    team, merged, client
):
    old, new = merged
    trust()
    report = verify_bytes(sealed())
    _draft, document = issued(team)
    main = document.files.get(role="main")
    from vanban.documents.files import file_read_verified

    stored = report_store(
        report=report,
        trigger=Trigger.DEMAND,
        file_name=main.original_name,
        data=file_read_verified(main.storage_name, main.sha256),
        document=document,
    )
    assert stored.content["signatures"][0]["organisation_history"] == ""
    ended(old, new)

    client.force_login(team.clerk)
    page = client.get(f"/van-ban/{document.pk}/")

    assert page.status_code == 200
    assert HISTORY in page.content.decode()


def test_a_past_name_of_an_open_unit_says_what_it_is_called_now(team):
    stttt = team.province.stttt
    new_code(stttt, "000.00.14.H61")
    Unit.objects.filter(pk=stttt.pk).update(name="Sở Khoa học và Công nghệ")
    assert organisation_histories(["Sở Thông tin và Truyền thông", "Sở Nội vụ", ""]) == {
        "Sở Thông tin và Truyền thông": "Tổ chức trong chứng thư: Sở Thông tin và Truyền thông — "
        "nay là Sở Khoa học và Công nghệ từ 01/07/2025"
    }


def test_an_agency_closed_without_successor_is_said_closed(merged):
    old, _new = merged
    Unit.objects.filter(pk=old.pk).update(is_active=False, end_date="2025-06-30")
    assert organisation_histories([OLD_NAME]) == {
        OLD_NAME: f"Tổ chức trong chứng thư: {OLD_NAME} — đã chấm dứt hoạt động từ 01/07/2025"
    }


def test_no_name_costs_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert organisation_histories(["", "  "]) == {}


def test_the_check_through_the_api_gives_the_history(team, merged, client):
    import io

    from tests.support.api import token_for
    from tests.support.province import make_user
    from vanban.accounts.models import Role

    old, new = merged
    trust()
    ended(old, new)
    clerk = make_user(team.province.stttt, "Võ Thị Thu Trang", (Role.CLERK,))
    upload = io.BytesIO(sealed())
    upload.name = "quyet-dinh.pdf"
    answer = client.post(
        "/api/v1/signatures/verify",
        {"file": upload},
        headers={"Authorization": f"Bearer {token_for(clerk)}"},
    )
    assert answer.status_code == 200, answer.content
    [check] = answer.json()["signatures"]
    assert (check["valid"], check["organisation_history"]) == (True, HISTORY)
