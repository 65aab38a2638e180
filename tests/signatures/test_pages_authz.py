"""Who may open each page under /chu-ky-so/ and send each form.

Every page and POST is tried by: nobody signed in, a staff member of the unit, the leader who
signs (a person with a certificate, no admin role), the admin of another unit, the unit's admin
and the province admin. A refused request (login redirect, 403, or 404 for a document the person
may not see) leaves the database and the storage exactly as they were, even when its input
would have been accepted.

A page, or the refusals of a form, are tried by everyone in turn on one world (nothing they do
changes it); each person allowed to send a form sends it on a fresh world.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests import signing
from tests.signatures.test_pages import (
    p12_upload,
    pem_upload,
    png,
    register_by_hand,
    signed_pdf,
    state,
)
from tests.support.matrix import (
    Case,
    Cells,
    allowed_posts,
    case_params,
    cell_params,
    unchanged_actors,
)
from vanban.signatures import services
from vanban.signatures.models import Certificate, MarkKind, SignatureMark

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "staff", "leader", "other_admin", "unit_admin", "province_admin"]


@dataclass
class World:
    team: Any
    certificate: Certificate  # the leader's personal certificate (Sở TT&TT)
    organisation: Certificate  # the Sở Nội vụ's organisation certificate
    signature: SignatureMark  # the leader's handwritten-signature image
    seal: SignatureMark  # the Sở TT&TT's seal
    root: Any
    document: Any  # an incoming document of the Sở TT&TT with a signed PDF


@pytest.fixture
def world(team) -> World:
    province = team.province
    root = signing.trust()
    certificate = signing.personal(team.signer)
    organisation = signing.organisation(province.snv, province.admin_snv, with_seal=False)
    seal = services.mark_upload(
        actor=province.admin_stttt, kind=MarkKind.SEAL, unit=province.stttt, data=signing.seal_png()
    )
    return World(
        team=team,
        certificate=certificate,
        organisation=organisation.certificate,
        signature=SignatureMark.objects.get(kind=MarkKind.SIGNATURE, user=team.signer),
        seal=seal,
        root=root,
        document=register_by_hand(team, ("Quyết định.pdf", signed_pdf())),
    )


def person(world: World, actor: str):  # type: ignore[no-untyped-def]
    province = world.team.province
    return {
        "anonymous": None,
        "staff": province.staff_stttt,
        "leader": world.team.signer,
        "other_admin": province.admin_snv,
        "unit_admin": province.admin_stttt,
        "province_admin": province.province_admin,
    }[actor]


def stttt(w: World) -> int:
    return w.team.province.stttt.pk


EVERYONE = {"staff", "leader", "other_admin", "unit_admin", "province_admin"}
UNIT = {"unit_admin", "province_admin"}

# A signed-in person who may not is answered 403, unless the row's `expect` says otherwise.
CASES = [
    Case("my page", "get", lambda w: "/chu-ky-so/", EVERYONE),
    Case(
        "my certificate",
        "post",
        lambda w: "/chu-ky-so/chung-thu-ca-nhan/",
        EVERYONE,
        data=lambda w: {
            "cert-key_storage": "pkcs12",
            "cert-pkcs12": p12_upload(),
            "cert-pin": "1",
        },
    ),
    Case(
        "my signature image",
        "post",
        lambda w: "/chu-ky-so/hinh-chu-ky/",
        EVERYONE,
        data=lambda w: {"mark-image": png(signing.signature_png())},
    ),
    Case(
        "a signature image",
        "get",
        lambda w: f"/chu-ky-so/hinh/{w.signature.pk}/",
        {"leader", *UNIT},
    ),
    Case("the seal image", "get", lambda w: f"/chu-ky-so/hinh/{w.seal.pk}/", UNIT),
    Case(
        "a person's certificate off",
        "post",
        lambda w: f"/chu-ky-so/chung-thu/{w.certificate.pk}/trang-thai/",
        {"leader", *UNIT},
        data=lambda w: {"active": "0"},
    ),
    Case(
        "another unit's certificate off",
        "post",
        lambda w: f"/chu-ky-so/chung-thu/{w.organisation.pk}/trang-thai/",
        {"other_admin", "province_admin"},
        data=lambda w: {"active": "0"},
    ),
    Case(
        "unit page choice",
        "get",
        lambda w: "/chu-ky-so/don-vi/",
        {"other_admin", "unit_admin", "province_admin"},
    ),
    Case("unit page", "get", lambda w: f"/chu-ky-so/don-vi/{stttt(w)}/", UNIT),
    Case(
        "unit organisation certificate",
        "post",
        lambda w: f"/chu-ky-so/don-vi/{stttt(w)}/chung-thu-to-chuc/",
        UNIT,
        data=lambda w: {"org-key_storage": "local", "org-certificate": pem_upload("to-chuc")},
    ),
    Case(
        "unit person certificate",
        "post",
        lambda w: f"/chu-ky-so/don-vi/{stttt(w)}/chung-thu-ca-nhan/",
        UNIT,
        data=lambda w: {
            "person-person": w.team.province.staff_stttt.pk,
            "person-key_storage": "pkcs12",
            "person-pkcs12": p12_upload(),
            "person-pin": signing.PIN,
        },
    ),
    Case(
        "unit seal",
        "post",
        lambda w: f"/chu-ky-so/don-vi/{stttt(w)}/con-dau/",
        UNIT,
        data=lambda w: {"seal-image": png(signing.seal_png()), "seal-width_mm": "40"},
    ),
    Case("trust roots", "get", lambda w: "/chu-ky-so/chung-thu-goc/", {"province_admin"}),
    Case(
        "trust root add",
        "post",
        lambda w: "/chu-ky-so/chung-thu-goc/them/",
        {"province_admin"},
        data=lambda w: {
            "certificate": SimpleUploadedFile("khac.pem", signing.pki().other_root_pem())
        },
    ),
    Case(
        "trust root off",
        "post",
        lambda w: f"/chu-ky-so/chung-thu-goc/{w.root.pk}/trang-thai/",
        {"province_admin"},
        data=lambda w: {"active": "0"},
    ),
    # Only the unit's clerks and leaders (and people it was given to) see the document.
    Case(
        "check a document again",
        "post",
        lambda w: f"/chu-ky-so/van-ban/{w.document.pk}/kiem-tra/",
        {"leader"},
        expect=dict.fromkeys(EVERYONE - {"leader"}, 404),
    ),
]


def shared(case: Case) -> list[str]:
    return unchanged_actors(case, ACTORS)


ALLOWED_POSTS = allowed_posts(CASES, ACTORS)


def client_of(world: World, client_for, actor: str) -> Client:  # type: ignore[no-untyped-def]
    user = person(world, actor)
    return Client() if user is None else client_for(user)


def check_cell(world: World, client: Client, case: Case, actor: str) -> None:
    url = case.url(world)
    before = state()
    response = getattr(client, case.method)(url, case.body(world))
    if actor == "anonymous":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")
        assert state() == before
    elif actor in case.allowed:
        assert response.status_code in (200, 302), response.status_code
        if case.method == "get" and response.status_code == 302:
            assert response["Location"].startswith("/chu-ky-so/don-vi/")
    else:
        refusal = case.expect.get(actor, 403)
        assert response.status_code == refusal, (case.name, actor, response.status_code)
        assert state() == before


@pytest.mark.parametrize("case", case_params(CASES))
def test_signature_pages_authorization_matrix(world, client_for, case: Case):
    """Every page, and every refused form, tried by each person in turn on one world: none of
    their requests changes anything, so each finds the world as a fresh one would be."""
    clients = {actor: client_of(world, client_for, actor) for actor in shared(case)}
    before = state()
    cells = Cells(case.name)
    for actor, client in clients.items():
        with cells.cell(actor):
            check_cell(world, client, case, actor)
    cells.check()
    assert state() == before


@pytest.mark.parametrize(("case", "actor"), cell_params(ALLOWED_POSTS))
def test_signature_pages_authorization_matrix_allowed_posts(world, client_for, case, actor):
    """An allowed form changes the world: each person sends it on a fresh one."""
    check_cell(world, client_of(world, client_for, actor), case, actor)


def test_the_matrix_has_every_cell():
    tried = [(c.name, a) for c in CASES for a in shared(c)]
    tried += [(c.name, a) for c, a in ALLOWED_POSTS]
    assert sorted(tried) == sorted((c.name, a) for c in CASES for a in ACTORS)


def test_what_an_allowed_post_changes(world, client_for):
    """The allowed side of the matrix does change things (the refusals above are real)."""
    province = world.team.province
    client = client_for(province.admin_stttt)
    client.post(
        f"/chu-ky-so/don-vi/{province.stttt.pk}/con-dau/",
        {"seal-image": png(signing.seal_png()), "seal-width_mm": "40"},
    )
    assert SignatureMark.objects.filter(kind=MarkKind.SEAL, active=True).get().width_mm == 40
    client.post(f"/chu-ky-so/chung-thu/{world.certificate.pk}/trang-thai/", {"active": "0"})
    world.certificate.refresh_from_db()
    assert not world.certificate.active
    response = client.post(
        f"/chu-ky-so/don-vi/{province.stttt.pk}/chung-thu-to-chuc/",
        {"org-key_storage": "local", "org-certificate": pem_upload("to-chuc")},
    )
    # The Sở Nội vụ already registered this certificate: refused on the form, not forbidden.
    assert response.status_code == 200
    assert "Chứng thư số này đã được đăng ký." in response.content.decode()
    admin = client_for(province.province_admin)
    admin.post(f"/chu-ky-so/chung-thu-goc/{world.root.pk}/trang-thai/", {"active": "0"})
    world.root.refresh_from_db()
    assert not world.root.active
    clerk = client_for(world.team.clerk)
    assert clerk.post(f"/chu-ky-so/van-ban/{world.document.pk}/kiem-tra/").status_code == 302
    assert world.document.verification_reports.count() == 2


def test_unknown_objects_answer_404(world, client_for):
    client = client_for(world.team.province.province_admin)
    before = state()
    for url in (
        "/chu-ky-so/chung-thu/999999/trang-thai/",
        "/chu-ky-so/chung-thu-goc/999999/trang-thai/",
        "/chu-ky-so/don-vi/999999/con-dau/",
        "/chu-ky-so/van-ban/999999/kiem-tra/",
    ):
        assert client.post(url, {"active": "0"}).status_code == 404, url
    assert client.get("/chu-ky-so/hinh/999999/").status_code == 404
    assert client.get("/chu-ky-so/don-vi/999999/").status_code == 404
    assert state() == before


def test_forms_only_take_posts(world, client_for):
    client = client_for(world.team.province.province_admin)
    for url in (
        "/chu-ky-so/chung-thu-ca-nhan/",
        "/chu-ky-so/hinh-chu-ky/",
        f"/chu-ky-so/chung-thu/{world.certificate.pk}/trang-thai/",
        "/chu-ky-so/chung-thu-goc/them/",
        f"/chu-ky-so/van-ban/{world.document.pk}/kiem-tra/",
    ):
        assert client.get(url).status_code == 405, url
