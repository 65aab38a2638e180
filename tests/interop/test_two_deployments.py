"""Two deployments on one machine exchange signed documents (R15, R16).

Deployment A (Sở Thông tin và Truyền thông of province A) and deployment B (Sở Nội vụ of
province B) run as separate processes, each with its own database, web server and worker, and
know each other as partner systems. Both trust the same test PKI, served by this process.

- A document drafted, approved, signed and issued on A through A's API reaches B's reception
  queue; as B's clerk registers it and B's people assign, process and complete it (B's API),
  every status (01, 03, 04, 05, 06) comes back to A; a document B's clerk refuses shows 02 with
  the reason on A.
- While A's worker delivers twenty documents, B's web server and worker are killed (kill -9):
  A keeps its packages and retries; once B is back, every document has arrived exactly once
  and every 01 status has come back; a package sent again is answered "duplicate".

The functions of the section "Inside an instance" run in the instances' own processes
(`Instance.call`), for what has no command or endpoint.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.interop.deployment import Instance, free_port, http, multipart, parallel

PIN = "123456"  # of every PKCS#12 file of the test PKI
A_ROOT = ("Ủy ban nhân dân tỉnh A", "000.00.00.H07")
A_UNIT = ("Sở Thông tin và Truyền thông tỉnh A", "000.00.12.H07")
B_ROOT = ("Ủy ban nhân dân tỉnh B", "000.00.00.H29")
B_UNIT = ("Sở Nội vụ tỉnh B", "000.00.05.H29")
SYSTEM_A = "Hệ thống quản lý văn bản tỉnh A"
SYSTEM_B = "Hệ thống quản lý văn bản tỉnh B"
HERE = "tests.interop.test_two_deployments"
WAIT = 90  # seconds an instance waits for what the other one sends
BURST = 20  # documents issued at once in the crash test
TAKEN_BEFORE_CRASH = 4  # packages B takes before it is killed


# ---------------------------------------------------------------- inside an instance


def _use_pki(directory: str) -> Any:
    """The test PKI built by the test process (tests.signing builds its own otherwise)."""
    from tests import signing
    from vanban.signatures import testpki

    signing._PKI = testpki.load(Path(directory))
    return signing


def _tokens(people: dict[str, Any], wanted: list[str]) -> dict[str, str]:
    """API tokens of `wanted` people, each from `vanban token create <username>`."""
    import io

    from django.core.management import call_command

    tokens = {}
    for key in wanted:
        out = io.StringIO()
        call_command("token", "create", people[key].username, stdout=out, stderr=io.StringIO())
        tokens[key] = out.getvalue().strip()
    return tokens


def _people(people: dict[str, Any]) -> dict[str, Any]:
    return {key: {"id": u.pk, "username": u.username} for key, u in people.items()}


def setup_sender(pki_directory: str) -> dict[str, Any]:
    """Deployment A: the province, its Sở, the people of a draft's path with their API tokens,
    the director's personal certificate and signature image, the Sở's organisation certificate
    and seal."""
    from tests.support.province import make_user
    from vanban.accounts.models import Role
    from vanban.accounts.services import unit_create
    from vanban.documents.models import DocumentType

    signing = _use_pki(pki_directory)
    root = unit_create(
        actor=None,
        name=A_ROOT[0],
        symbol="UBND",
        abbreviation="ubnda",
        agency_code=A_ROOT[1],
        parent=None,
    )
    unit = unit_create(
        actor=None,
        name=A_UNIT[0],
        symbol="STTTT",
        abbreviation="stttt",
        agency_code=A_UNIT[1],
        parent=root,
    )
    people = {
        "province_admin": make_user(unit, "Trần Văn Quản", (Role.PROVINCE_ADMIN, Role.STAFF)),
        "unit_admin": make_user(unit, "Lê Thị Hồng", (Role.UNIT_ADMIN, Role.STAFF)),
        "drafter": make_user(unit, "Nguyễn Thu Phương"),
        "head": make_user(unit, "Lâm Quốc Hùng", (Role.LEADER,), position="Phó Giám đốc"),
        "checker": make_user(unit, "Trương Thị Mai", position="Chánh Văn phòng"),
        "signer": make_user(unit, "Phạm Minh Đức", (Role.LEADER,), position="Giám đốc"),
        "clerk": make_user(unit, "Võ Thị Thu Trang", (Role.CLERK,)),
    }
    personal = signing.personal(people["signer"])
    organisation = signing.organisation(unit, people["unit_admin"])
    return {
        "unit": unit.pk,
        "people": _people(people),
        "tokens": _tokens(people, ["drafter", "head", "checker", "signer", "clerk"]),
        "personal_certificate": personal.pk,
        "organisation_certificate": organisation.certificate.pk,
        "document_type": DocumentType.objects.get(name="Kế hoạch").pk,
    }


def setup_receiver(pki_directory: str) -> dict[str, Any]:
    """Deployment B: the province, its Sở Nội vụ with a clerk, a leader and a staff member (with
    their API tokens); the test root in its trust list."""
    from tests.support.province import make_user
    from vanban.accounts.models import Role
    from vanban.accounts.services import unit_create

    signing = _use_pki(pki_directory)
    signing.trust()
    root = unit_create(
        actor=None,
        name=B_ROOT[0],
        symbol="UBND",
        abbreviation="ubndb",
        agency_code=B_ROOT[1],
        parent=None,
    )
    unit = unit_create(
        actor=None,
        name=B_UNIT[0],
        symbol="SNV",
        abbreviation="snv",
        agency_code=B_UNIT[1],
        parent=root,
    )
    people = {
        "province_admin": make_user(root, "Đoàn Văn Quang", (Role.PROVINCE_ADMIN, Role.STAFF)),
        "clerk": make_user(unit, "Đinh Văn Thư", (Role.CLERK,)),
        "leader": make_user(unit, "Châu Văn Lãnh", (Role.LEADER,), position="Giám đốc"),
        "staff": make_user(unit, "Huỳnh Ngọc Lan"),
    }
    return {
        "unit": unit.pk,
        "people": _people(people),
        "tokens": _tokens(people, ["clerk", "leader", "staff"]),
    }


def _poll(check: Any, timeout: float) -> Any:
    """`check()` again every 0.2 s until it answers something true or `timeout` passes; its last
    answer."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def deliveries(edxml_ids: list[str], status: str = "", timeout: float = 0) -> dict[str, Any]:
    """A: the status each partner reported for our documents, with its events; waits until all
    have `status`."""
    from vanban.exchange.models import Delivery, Transport

    def read() -> dict[str, Any]:
        rows = (
            Delivery.objects.exclude(transport=Transport.LOCAL)
            .filter(edxml_id__in=edxml_ids)
            .prefetch_related("events")
        )
        return {
            row.edxml_id: {
                "to": row.agency_code,
                "status": row.status,
                "reason": row.reason,
                "events": [event.code for event in row.events.all()],
            }
            for row in rows
        }

    def done() -> bool:
        rows = read()
        return len(rows) == len(set(edxml_ids)) and all(
            r["status"] == status for r in rows.values()
        )

    if status:
        _poll(done, timeout)
    return read()


def inbound(edxml_ids: list[str], timeout: float = 0) -> dict[str, Any]:
    """B: the packages received for these DocumentIds (every row, so that a duplicate shows)."""
    from vanban.exchange.models import Inbound, MessageKind

    rows = Inbound.objects.filter(kind=MessageKind.PACKAGE, edxml_id__in=edxml_ids)
    _poll(
        lambda: rows.order_by().values("edxml_id").distinct().count() == len(set(edxml_ids)),
        timeout,
    )
    return {
        "rows": [
            {
                "edxml_id": row.edxml_id,
                "state": row.state,
                "from": row.from_code,
                "to": row.to_code,
                "unit": row.unit.agency_code if row.unit else "",
                "subject": row.subject,
                "reason": row.reason,
            }
            for row in rows.select_related("unit").order_by("id")
        ]
    }


def received(edxml_ids: list[str]) -> dict[str, Any]:
    """B: the documents received for these DocumentIds, as the deliveries of its reception
    queue: transport, sending agency, status and trail."""
    from vanban.exchange.models import Delivery

    rows = Delivery.objects.filter(package__isnull=False, edxml_id__in=edxml_ids)
    return {
        row.edxml_id: {
            "transport": row.transport,
            "from": row.agency_code,
            "unit": row.recipient_unit.agency_code if row.recipient_unit else "",
            "status": row.status,
            "reason": row.return_note,
            "events": [e.code for e in row.events.order_by("at", "pk")],
        }
        for row in rows.select_related("recipient_unit")
    }


def register(edxml_id: str, clerk: str) -> dict[str, Any]:
    """B's clerk registers the received document, the record prefilled from the package."""
    from vanban.accounts.models import User
    from vanban.documents.models import DocumentType
    from vanban.documents.services import DocumentInput, Refusals
    from vanban.exchange.models import Inbound
    from vanban.exchange.partners import services

    actor = User.objects.get(username=clerk)
    row = Inbound.objects.get(kind="package", edxml_id=edxml_id)
    package = services.inbound_package(row)
    document = services.inbound_register(
        actor=actor,
        inbound=row,
        data=DocumentInput(
            document_type=DocumentType.objects.filter(name=package.type_name).first()
            or DocumentType.objects.get(name="Công văn"),
            subject=package.subject,
            code_number=package.code_number,
            code_notation=package.code_notation,
            issued_date=package.promulgation_date,
            issuer_name=row.from_name,
            issuer_code=row.from_code,
            signer_name=package.signer_name,
            signer_position=package.signer_position,
        ),
        refusals=Refusals(sensitive_declared=True),
    )
    return {"document": document.pk, "number": document.register_number}


def refuse(edxml_id: str, clerk: str, reason: str) -> str:
    from vanban.accounts.models import User
    from vanban.exchange.models import Inbound
    from vanban.exchange.partners import services

    row = Inbound.objects.get(kind="package", edxml_id=edxml_id)
    services.inbound_refuse(actor=User.objects.get(username=clerk), inbound=row, reason=reason)
    row.refresh_from_db()
    return row.state


def outbox(edxml_ids: list[str], kind: str, state: str = "", timeout: float = 0) -> list[Any]:
    """The outbox rows of `kind` about these DocumentIds; waits until all are in `state`."""
    from vanban.exchange.models import Outbound

    rows = Outbound.objects.filter(kind=kind, edxml_id__in=edxml_ids)
    if state:
        _poll(
            lambda: (
                rows.order_by().values("edxml_id").distinct().count() == len(set(edxml_ids))
                and not rows.exclude(state=state).exists()
            ),
            timeout,
        )
    return [
        {
            "edxml_id": r.edxml_id,
            "status_code": r.status_code,
            "state": r.state,
            "attempts": r.attempts,
            "last_error": r.last_error,
        }
        for r in rows.order_by("id")
    ]


def waiting_after_failure(timeout: float) -> list[Any]:
    """A: the packages still waiting after a failed attempt (the partner did not answer)."""
    from vanban.exchange.models import Outbound

    rows = Outbound.objects.filter(kind="package", state="pending", attempts__gt=0)
    _poll(rows.exists, timeout)
    return [{"edxml_id": r.edxml_id, "attempts": r.attempts, "error": r.last_error} for r in rows]


def status_received(edxml_ids: list[str]) -> list[Any]:
    """A: the status messages received about these DocumentIds."""
    from vanban.exchange.models import Inbound

    rows = Inbound.objects.filter(kind="status", edxml_id__in=edxml_ids).order_by("id")
    return [{"edxml_id": r.edxml_id, "code": r.status_code, "state": r.state} for r in rows]


def package_bytes(edxml_id: str) -> str:
    from vanban.exchange.models import Outbound

    row = Outbound.objects.get(kind="package", edxml_id=edxml_id)
    return base64.b64encode(bytes(row.payload)).decode()


def package_totals() -> dict[str, int]:
    """B: every package received, and how many distinct DocumentIds they carry."""
    from vanban.exchange.models import Inbound

    rows = Inbound.objects.filter(kind="package")
    return {"rows": rows.count(), "ids": rows.order_by().values("edxml_id").distinct().count()}


# ---------------------------------------------------------------- the two deployments


@dataclass
class Pair:
    a: Instance
    b: Instance
    setup_a: dict[str, Any]
    setup_b: dict[str, Any]
    tokens: dict[str, str]  # "a:drafter", "b:clerk"... -> API token
    inbound_secret_b: str  # what A presents to B
    pdf: bytes

    def person(self, key: str) -> dict[str, Any]:
        side, _, who = key.partition(":")
        return (self.setup_a if side == "a" else self.setup_b)["people"][who]

    def api(
        self,
        key: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        form: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Any:
        """`key` ("a:signer") calls the API of its deployment with its own token: a JSON
        `body`, or a multipart `form` with `files`."""
        instance = self.a if key.startswith("a:") else self.b
        url = f"{instance.base_url}/api/v1{path}"
        data, kind = None, ""
        if form is not None:
            data, kind = multipart(form, files or {})
        elif body is not None:
            data, kind = json.dumps(body).encode(), "application/json"
        answer = http(method, url, token=self.tokens[key], data=data, content_type=kind)
        assert answer.status in (200, 201), (
            f"{key} {method} {path}: {answer.status} {answer.body.decode()[:2000]}\n"
            f"{instance.logs()}"
        )
        return answer.json()


def _pdf() -> bytes:
    from tests.support.files import pdf_bytes

    return pdf_bytes(
        "ỦY BAN NHÂN DÂN TỈNH A", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "KẾ HOẠCH", "Nội dung kế hoạch."
    )


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """Deployments A and B running, partners of each other, with their people and tokens; the
    test PKI both trust served by this process. Stopped, and their databases dropped, after
    the tests of this module."""
    from vanban.signatures import testpki

    base = tmp_path_factory.mktemp("two-deployments")
    pki_directory, pki_port = base / "pki", free_port()
    pki_server = None
    instances: list[Instance] = []
    try:
        a = Instance("a", base / "a", pki_directory)
        instances.append(a)
        b = Instance("b", base / "b", pki_directory)
        instances.append(b)
        a.console_start()
        b.console_start()
        pki, _ = parallel(lambda: testpki.build(pki_directory, port=pki_port), a.migrate)
        pki_server = testpki.serve(pki)
        b.migrate(like=a)
        setup_a, setup_b = parallel(
            lambda: a.call(f"{HERE}:setup_sender", pki_directory=str(pki_directory)),
            lambda: b.call(f"{HERE}:setup_receiver", pki_directory=str(pki_directory)),
        )
        a_to_b, b_to_a = "vbl_" + secrets.token_urlsafe(32), "vbl_" + secrets.token_urlsafe(32)
        # Each side knows the other; meanwhile both start (web server and worker).
        parallel(
            a.start,
            b.start,
            lambda: a.command(
                "interop",
                "partner-add",
                SYSTEM_B,
                b.receive_url,
                "--outbound-token",
                a_to_b,
                "--inbound-token",
                b_to_a,
                "--code",
                f"{B_UNIT[1]}={B_UNIT[0]}",
            ),
            lambda: b.command(
                "interop",
                "partner-add",
                SYSTEM_A,
                a.receive_url,
                "--outbound-token",
                b_to_a,
                "--inbound-token",
                a_to_b,
                "--code",
                f"{A_UNIT[1]}={A_UNIT[0]}",
            ),
        )
        tokens = {f"a:{k}": v for k, v in setup_a["tokens"].items()}
        tokens.update({f"b:{k}": v for k, v in setup_b["tokens"].items()})
        yield Pair(a, b, setup_a, setup_b, tokens, a_to_b, _pdf())
    finally:
        parallel(*(instance.close for instance in instances))
        if pki_server is not None:
            pki_server.shutdown()
            pki_server.server_close()


def issue(pair: Pair, subject: str, *, steps: str = "all") -> dict[str, Any]:
    """On A through its API: the drafter creates a draft for the Sở of B (outside A's system),
    it is checked, approved and signed, and (steps="all") the clerk issues it."""
    person = pair.person
    draft = pair.api(
        "a:drafter",
        "POST",
        "/drafts",
        form={
            "document_type_id": pair.setup_a["document_type"],
            "subject": subject,
            "external_recipients": f"{B_UNIT[0]}; {B_UNIT[1]}",
            "signer_id": person("a:signer")["id"],
            "authority": "",
            "signer_position": "Giám đốc",
            "sensitive_declared": "true",
        },
        files={"content_file": ("ke-hoach.pdf", pair.pdf, "application/pdf")},
    )
    path = f"/drafts/{draft['id']}"
    pair.api(
        "a:drafter",
        "POST",
        f"{path}/submit",
        {"reviewer_id": person("a:head")["id"], "checker_id": person("a:checker")["id"]},
    )
    pair.api("a:head", "POST", f"{path}/content-review", {"accept": True})
    pair.api("a:checker", "POST", f"{path}/format-check", {"accept": True})
    pair.api("a:signer", "POST", f"{path}/approve", {"accept": True})
    pair.api(
        "a:signer",
        "POST",
        f"{path}/sign",
        {"certificate_id": pair.setup_a["personal_certificate"], "pin": PIN},
    )
    if steps != "all":
        return {"draft": draft["id"]}
    return issue_signed(pair, draft["id"])


def issue_signed(pair: Pair, draft_id: int) -> dict[str, Any]:
    issued = pair.api(
        "a:clerk",
        "POST",
        f"/drafts/{draft_id}/issue",
        form={"certificate_id": pair.setup_a["organisation_certificate"], "pin": PIN},
    )
    date = dt.date.fromisoformat(str(issued["issued_date"]))
    issued["edxml_id"] = f"{A_UNIT[1]},{date:%Y/%m/%d},{issued['number_symbol']}"
    return issued


def wait_status(pair: Pair, edxml_ids: list[str], status: str) -> dict[str, Any]:
    """A's documents as B reported them, once all have `status` (or after WAIT seconds)."""
    rows = pair.a.call(f"{HERE}:deliveries", edxml_ids=edxml_ids, status=status, timeout=WAIT)
    assert {k: v["status"] for k, v in rows.items()} == dict.fromkeys(edxml_ids, status), (
        f"{rows}\n{pair.a.logs()}\n{pair.b.logs()}"
    )
    return rows


# ---------------------------------------------------------------- tests


def test_a_signed_document_goes_to_the_other_system_and_every_status_comes_back(pair):
    kept = issue(pair, "Kế hoạch chuyển đổi số năm 2027 gửi Sở Nội vụ tỉnh B")
    refused = issue(pair, "Kế hoạch tập huấn văn thư năm 2027 gửi nhầm Sở Nội vụ tỉnh B")
    ids = [kept["edxml_id"], refused["edxml_id"]]
    # Nothing of B's is in A's system: only the outbox carries the documents there.
    assert kept["delivered_unit_ids"] == [] and refused["delivered_unit_ids"] == []

    arrived = pair.b.call(f"{HERE}:inbound", edxml_ids=ids, timeout=WAIT)["rows"]
    assert [(r["edxml_id"], r["state"], r["from"], r["unit"]) for r in arrived] == [
        (kept["edxml_id"], "queued", A_UNIT[1], B_UNIT[1]),
        (refused["edxml_id"], "queued", A_UNIT[1], B_UNIT[1]),
    ], arrived
    wait_status(pair, ids, "01")

    # B's clerk registers the first document (03) and refuses the second with the reason (02).
    clerk = pair.person("b:clerk")["username"]
    registered = pair.b.call(f"{HERE}:register", edxml_id=kept["edxml_id"], clerk=clerk)
    reason = "Văn bản không thuộc thẩm quyền giải quyết của Sở Nội vụ."
    assert (
        pair.b.call(f"{HERE}:refuse", edxml_id=refused["edxml_id"], clerk=clerk, reason=reason)
        == "refused"
    )
    wait_status(pair, [kept["edxml_id"]], "03")
    rows = wait_status(pair, [refused["edxml_id"]], "02")
    assert rows[refused["edxml_id"]]["reason"] == reason
    assert rows[refused["edxml_id"]]["events"] == ["01", "02"]

    # B's API: the clerk presents it, the leader assigns it (04), the staff member reports
    # progress (05) and completes it (06).
    document = registered["document"]
    shown = pair.api("b:clerk", "GET", f"/documents/{document}")
    assert shown["subject"] == "Kế hoạch chuyển đổi số năm 2027 gửi Sở Nội vụ tỉnh B"
    pair.api(
        "b:clerk",
        "POST",
        f"/workflow/documents/{document}/present",
        {"leader_id": pair.person("b:leader")["id"]},
    )
    processing = pair.api(
        "b:leader",
        "POST",
        f"/workflow/documents/{document}/assign",
        {"direction": "Giao đồng chí Lan tham mưu.", "lead_user_id": pair.person("b:staff")["id"]},
    )
    wait_status(pair, [kept["edxml_id"]], "04")
    (lead,) = [a for a in processing["assignments"] if a["role"] == "lead"]
    pair.api(
        "b:staff",
        "POST",
        f"/workflow/assignments/{lead['id']}/progress",
        form={"text": "Đang xem."},
    )
    wait_status(pair, [kept["edxml_id"]], "05")
    pair.api(
        "b:staff",
        "POST",
        f"/workflow/assignments/{lead['id']}/complete",
        {"result": "Đã tham mưu.", "reply_reference": "12/SNV-VP"},
    )
    rows = wait_status(pair, [kept["edxml_id"]], "06")
    assert rows[kept["edxml_id"]]["events"] == ["01", "03", "04", "05", "06"]

    # Each status went once from B and was applied once on A.
    sent_back = pair.b.call(
        f"{HERE}:outbox", edxml_ids=ids, kind="status", state="sent", timeout=WAIT
    )
    assert sorted((r["edxml_id"], r["status_code"]) for r in sent_back) == sorted(
        [(kept["edxml_id"], code) for code in ("01", "03", "04", "05", "06")]
        + [(refused["edxml_id"], code) for code in ("01", "02")]
    ), sent_back
    received = pair.a.call(f"{HERE}:status_received", edxml_ids=ids)
    assert len(received) == 7 and all(r["state"] == "applied" for r in received)
    # B holds each document as a delivery received, with the trail A was told.
    assert pair.b.call(f"{HERE}:received", edxml_ids=ids) == {
        kept["edxml_id"]: {
            "transport": "direct",
            "from": A_UNIT[1],
            "unit": B_UNIT[1],
            "status": "06",
            "reason": "",
            "events": ["01", "03", "04", "05", "06"],
        },
        refused["edxml_id"]: {
            "transport": "direct",
            "from": A_UNIT[1],
            "unit": B_UNIT[1],
            "status": "02",
            "reason": reason,
            "events": ["01", "02"],
        },
    }


def test_the_receiver_killed_while_documents_arrive_loses_nothing_and_takes_each_once(pair):
    drafts = [
        issue(pair, f"Kế hoạch số {n} về chuyển đổi số gửi Sở Nội vụ tỉnh B", steps="signed")
        for n in range(1, BURST + 1)
    ]
    mark = pair.b.web_log.stat().st_size
    issued: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def issue_all() -> None:
        try:
            for draft in drafts:
                issued.append(issue_signed(pair, draft["draft"]))
        except BaseException as exc:  # reported by the test below
            errors.append(exc)

    issuing = threading.Thread(target=issue_all)
    issuing.start()

    # B is killed (web server and worker, kill -9) once it has taken a few packages.
    def taken() -> int:
        with pair.b.web_log.open("rb") as log:
            log.seek(mark)
            text = log.read().decode("utf-8", "replace")
        return sum(
            1
            for line in text.splitlines()
            if '"POST /lien-thong/he-thong-khac/nhan/' in line and '" 200 ' in line
        )

    deadline = time.monotonic() + 120
    while taken() < TAKEN_BEFORE_CRASH and time.monotonic() < deadline:
        time.sleep(0.05)
    assert taken() >= TAKEN_BEFORE_CRASH, pair.b.logs()
    pair.b.kill()
    taken_before_crash = taken()

    # A keeps what B did not take and tries again.
    waiting = pair.a.call(f"{HERE}:waiting_after_failure", timeout=WAIT)
    assert waiting, pair.a.logs()
    assert any("Không kết nối được" in w["error"] for w in waiting), waiting

    # B comes back while A is still issuing.
    pair.b.start()
    issuing.join(timeout=300)
    assert not errors, errors
    assert len(issued) == BURST
    ids = [row["edxml_id"] for row in issued]
    assert len(set(ids)) == BURST
    assert taken_before_crash < BURST

    # Everything arrives, each document once, and every 01 comes back to A.
    packages = pair.a.call(
        f"{HERE}:outbox", edxml_ids=ids, kind="package", state="sent", timeout=WAIT
    )
    assert len(packages) == BURST and {p["state"] for p in packages} == {"sent"}, packages
    assert any(p["attempts"] > 1 for p in packages), packages
    rows = wait_status(pair, ids, "01")
    assert all(row["events"] == ["01"] for row in rows.values()), rows
    arrived = pair.b.call(f"{HERE}:inbound", edxml_ids=ids)["rows"]
    assert sorted(r["edxml_id"] for r in arrived) == sorted(ids)
    assert {r["state"] for r in arrived} == {"queued"}
    # (B records a message as sent once A has answered: A may show it a moment before.)
    statuses = pair.b.call(
        f"{HERE}:outbox", edxml_ids=ids, kind="status", state="sent", timeout=WAIT
    )
    assert sorted((s["edxml_id"], s["status_code"], s["state"]) for s in statuses) == sorted(
        (i, "01", "sent") for i in ids
    ), statuses
    assert len(pair.a.call(f"{HERE}:status_received", edxml_ids=ids)) == BURST

    # The same package again (a sender that did not hear the answer) is only acknowledged.
    again = http(
        "POST",
        pair.b.receive_url,
        token=pair.inbound_secret_b,
        data=base64.b64decode(pair.a.call(f"{HERE}:package_bytes", edxml_id=ids[0])),
        content_type="application/xml; charset=utf-8",
    )
    assert (again.status, again.json()["outcome"]) == (200, "duplicate"), again.body
    totals = pair.b.call(f"{HERE}:package_totals")
    assert totals["rows"] == totals["ids"], totals
    assert len(pair.b.call(f"{HERE}:inbound", edxml_ids=ids)["rows"]) == BURST
