"""Agency codes for the table-driven tests of every door that takes one (QĐ 20/2020/QĐ-TTg,
`vanban.core.agency_codes`): the codes of the national samples, and malformed codes with the
part of the reason each must be refused with."""

import re

from tests.support.edxml import DATA


def sample_organ_ids() -> list[str]:
    """Every non-empty OrganId written in the national samples (trace headers and commented-out
    parts included)."""
    codes: set[str] = set()
    for path in sorted(DATA.glob("*.edxml")):
        text = path.read_bytes().decode("utf-8", "replace")
        codes |= {c.strip() for c in re.findall(r"<edXML:OrganId>([^<]*)<", text) if c.strip()}
    return sorted(codes)


SAMPLE_CODES = sample_organ_ids()

# Malformed codes and the part of the reason; the first ones keep their case when upper-cased
# (the unit form upper-cases what is typed before the check).
MALFORMED = [
    ("K19", "chỉ có mã cấp 1 “K19”"),
    ("G22", "chỉ có mã cấp 1 “G22”"),
    ("000.00.00.H7", "mã cấp 1 “H7” phải gồm 3 ký tự"),
    ("000.00.00.07", "mã cấp 1 “07” phải gồm 3 ký tự"),
    ("000.00.00.1A2", "mã cấp 1 “1A2” phải gồm 3 ký tự"),
    ("0000.00.00.H07", "dài 14 ký tự, tối đa 13"),
    ("000.00.00.H07X", "dài 14 ký tự, tối đa 13"),
    ("00.00.00.H07", "nhóm thứ 1 “00” phải gồm 3 chữ số"),
    ("000.0.00.H07", "nhóm thứ 2 “0” phải gồm 2 chữ số"),
    ("H07.00.12.000", "nhóm thứ 1 “H07” phải gồm 3 chữ số"),
    ("12.34.56", "mã cấp 1 “56” phải gồm 3 ký tự"),
    ("4.00.W00", "nhóm thứ 1 “4” phải gồm 2 chữ số"),
    ("00.H07", "có 2 nhóm"),
    ("12345", "không có dấu chấm ngăn các nhóm"),
    ("000-00-31-H07", "có ký tự không được dùng (“-”)"),
    ("000.00.00 H07", "dấu cách"),
    ("000.00.00.Đ07", "có ký tự không được dùng (“Đ”)"),
    ("٠٠٠.00.00.H07", "có ký tự không được dùng (“٠”)"),
    ("000..00.H07", "nhóm thứ 2 “” phải gồm 2 chữ số"),
]
LOWERCASE = [("000.00.00.h07", "có chữ thường"), ("14.00.w00", "có chữ thường")]
