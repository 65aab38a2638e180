"""Agency codes checked against their published structure (QĐ 20/2020/QĐ-TTg, amended by QĐ
09/2025/QĐ-TTg): every code of the national samples is accepted, malformed ones are refused with a
Vietnamese reason, by the rule itself and by the edXML checks of From and To."""

import pytest

from tests.support.agency_codes import LOWERCASE, SAMPLE_CODES
from tests.support.agency_codes import MALFORMED as CODES_MALFORMED
from tests.support.edxml import DATA, build_package, sample
from vanban.core.agency_codes import (
    AGENCY_CODE_RE,
    agency_code_problem,
    is_agency_code,
)
from vanban.exchange.edxml import (
    EdxmlError,
    address_problems,
    check_addresses,
    parse_package,
    read_status,
    validate,
)

LIMIT = 50 * 1024 * 1024

# The forms of the published structure: level 1 alone (a province, a ministry), then levels 2, 3
# and 4 under it, and the 3-group form of the national exchange's agencies.
PUBLISHED = [
    "000.00.00.H07",  # Bến Tre: closed from 1/7/2025 (QĐ 09/2025/QĐ-TTg), still well-formed
    "000.00.00.H62",
    "000.00.00.G09",
    "000.00.00.A01",
    "000.00.12.H07",  # level 2
    "000.31.05.H07",  # level 3
    "001.05.31.H62",  # level 4
    "001.00.20.JB2",
    "14.00.W00",
    "01.02.G22",
]

# Refused wherever a code is taken as written (not by the unit form, which upper-cases first).
MALFORMED = [
    *CODES_MALFORMED,
    *LOWERCASE,
    ("", "để trống"),
    (" 000.00.00.H07", "dấu cách"),
    ("000.00.00.H07\n", "ký tự trắng hoặc điều khiển"),
]


def test_the_samples_carry_the_codes_expected():
    assert "14.00.W00" in SAMPLE_CODES
    assert {"000.00.00.K19", "01.02.G22", "001.00.20.JB2", "000.00.00.G22"} <= set(SAMPLE_CODES)


@pytest.mark.parametrize("code", SAMPLE_CODES + PUBLISHED)
def test_codes_of_the_samples_and_the_published_forms_are_accepted(code):
    assert is_agency_code(code)
    assert AGENCY_CODE_RE.match(code)
    assert agency_code_problem(code) == ""


@pytest.mark.parametrize(("code", "reason"), MALFORMED)
def test_malformed_codes_are_refused_with_a_reason(code, reason):
    assert not is_agency_code(code)
    assert not AGENCY_CODE_RE.match(code)
    problem = agency_code_problem(code)
    assert problem.startswith("Mã định danh “")
    assert "không đúng dạng: " in problem
    assert reason in problem
    assert "QĐ 20/2020/QĐ-TTg" in problem


# ---------------------------------------------------------------- edXML


@pytest.mark.parametrize(
    "name", sorted(p.name for p in DATA.glob("edoc*.edxml")), ids=lambda name: name
)
def test_every_sample_package_passes_the_address_check(name):
    package = parse_package(sample(name), max_bytes=LIMIT)
    assert address_problems(package) == []
    check_addresses(package)


@pytest.mark.parametrize(
    "name", sorted(p.name for p in DATA.glob("status*.edxml")), ids=lambda name: name
)
def test_every_sample_status_message_is_read(name):
    assert is_agency_code(read_status(sample(name)).from_code)


def with_recipient(data: bytes, code: str) -> bytes:
    return data.replace(
        b"<edXML:To><edXML:OrganId>000.00.12.H07</edXML:OrganId>",
        f"<edXML:To><edXML:OrganId>{code}</edXML:OrganId>".encode(),
    )


@pytest.mark.parametrize(("code", "reason"), [m for m in MALFORMED if m[0].strip() == m[0]])
def test_a_package_with_a_malformed_sender_or_recipient_is_refused(code, reason):
    for data, where in (
        (build_package(from_id=code), "OrganId của nơi gửi (From)"),
        (with_recipient(build_package(), code), "OrganId của nơi nhận (To)"),
    ):
        package = parse_package(data, max_bytes=LIMIT)  # a clerk may still read it
        with pytest.raises(EdxmlError) as caught:
            check_addresses(package)
        assert caught.value.message.startswith("Gói tin bị từ chối: ")
        assert where in caught.value.message
        assert reason in caught.value.message
        assert any(where in p and reason in p for p in validate(data))


def test_a_well_formed_package_has_no_address_problem():
    data = build_package(from_id="14.00.W00")
    assert address_problems(parse_package(data, max_bytes=LIMIT)) == []
    assert not [p for p in validate(data) if "OrganId" in p]


def test_a_status_message_from_a_malformed_code_is_refused():
    data = sample("status_inbox_01.edxml").replace(
        b"<edXML:OrganId>000.00.00.H41</edXML:OrganId>", b"<edXML:OrganId>H41</edXML:OrganId>"
    )
    with pytest.raises(EdxmlError) as caught:
        read_status(data)
    assert caught.value.message.startswith("Thông điệp trạng thái bị từ chối: OrganId của nơi gửi")
    assert "chỉ có mã cấp 1 “H41”" in caught.value.message
