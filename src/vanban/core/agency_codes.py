"""Agency identification codes (mã định danh điện tử), checked against their published structure.

QĐ 20/2020/QĐ-TTg (mã định danh điện tử của các cơ quan, tổ chức), amended by QĐ 09/2025/QĐ-TTg,
gives every agency a code of four levels written from the lowest to the highest, separated by
dots; OrganId carries it in edXML (QCVN 102:2016/BTTTT, 13 characters at most):

- the full form `V1V2V3.Z1Z2.Y1Y2.H##`, 13 characters: the level-4 code (3 digits), the level-3
  code (2 digits), the level-2 code (2 digits) and the level-1 code (3 characters: a capital letter,
  then two capital letters or digits). Examples: `000.00.00.H07`, `000.00.50.H19` (a department of
  a province), `000.00.00.G22` (a ministry), `001.00.20.JB2`.
- the three-group form `Z1Z2.Y1Y2.H##`, 9 characters (two digits, two digits, a level-1 code),
  which the national samples carry for the exchange's own agencies: `14.00.W00` (sender of the
  sample package), `01.02.G22` (a trace header). The texts at hand do not describe it; it is
  accepted because packages from the national exchange carry it.

QĐ 09/2025/QĐ-TTg keeps the structure: a merged province keeps the level-1 code of the province
whose name it takes and the others are closed. A closed code (H07 of Bến Tre) stays well-formed:
documents issued before 1/7/2025 carry it. This module says whether a code is well-formed, not
whether it is still open.

Everything that takes an agency code (units, partner codes and their import, the From and To of an
edXML message) asks `agency_code_problem`; `AGENCY_CODE_RE` is the same rule as one expression.
"""

from __future__ import annotations

import re

# The groups of each accepted form, from left to right: a number is that many digits, "L" the
# level-1 code (a capital letter, then two capital letters or digits).
_DIGITS = {3: "[0-9]{3}", 2: "[0-9]{2}"}
_LEVEL1 = r"[A-Z][A-Z0-9]{2}"
FORMS: tuple[tuple[int | str, ...], ...] = ((3, 2, 2, "L"), (2, 2, "L"))
FULL_EXAMPLE = "000.00.00.H07"
SHORT_EXAMPLE = "14.00.W00"
MAX_LENGTH = 13


def _group(spec: int | str) -> str:
    return _LEVEL1 if spec == "L" else _DIGITS[int(spec)]


AGENCY_CODE_RE = re.compile(
    "^(?:" + "|".join(r"\.".join(_group(g) for g in form) for form in FORMS) + r")\Z"
)

HINT = (
    f"Dạng đúng: {FULL_EXAMPLE} (đủ 4 cấp V1V2V3.Z1Z2.Y1Y2.H##) hoặc {SHORT_EXAMPLE} (3 nhóm "
    "Z1Z2.Y1Y2.H##), theo QĐ 20/2020/QĐ-TTg."
)
_ALLOWED = re.compile(r"[0-9A-Za-z.]")
_LEVEL1_RE = re.compile(f"^{_LEVEL1}\\Z")


def is_agency_code(code: str) -> bool:
    """Whether `code` is a well-formed agency code, exactly as written (no trimming, no case
    change)."""
    return AGENCY_CODE_RE.match(code) is not None


def agency_code_problem(code: str) -> str:
    """Why `code` is not a well-formed agency code, one Vietnamese sentence; empty when it is."""
    if is_agency_code(code):
        return ""
    shown = "".join(c if c.isprintable() else "?" for c in code[:40])
    shown += "…" if len(code) > 40 else ""
    return f"Mã định danh “{shown}” không đúng dạng: {_detail(code)}. {HINT}"


def agency_code_line_problem(number: int, code: str) -> str:
    """`agency_code_problem` for line `number` of a list (a form, a CSV file)."""
    problem = agency_code_problem(code)
    return f"Dòng {number}: {problem[0].lower()}{problem[1:]}" if problem else ""


def _detail(code: str) -> str:
    if not code.strip():
        return "để trống"
    stray = [c for c in code if not _ALLOWED.match(c)]
    if stray:
        shown = ", ".join(_character(c) for c in dict.fromkeys(stray))
        return (
            f"có ký tự không được dùng ({shown}), chỉ gồm chữ số, chữ in hoa không dấu và dấu chấm"
        )
    if code != code.upper():
        return "có chữ thường, mã cấp 1 viết chữ in hoa"
    if len(code) > MAX_LENGTH:
        return f"dài {len(code)} ký tự, tối đa {MAX_LENGTH}"
    groups = code.split(".")
    if len(groups) == 1 and _LEVEL1_RE.match(code):
        return f"chỉ có mã cấp 1 “{code}”, thiếu các nhóm trước nó (ví dụ 000.00.00.{code})"
    if len(groups) == 1:
        return "không có dấu chấm ngăn các nhóm, cần 4 nhóm (hoặc 3 nhóm)"
    if len(groups) not in {len(form) for form in FORMS}:
        return f"có {len(groups)} nhóm ngăn bởi dấu chấm, cần 4 nhóm (hoặc 3 nhóm)"
    form = next(f for f in FORMS if len(f) == len(groups))
    for number, (group, spec) in enumerate(zip(groups, form, strict=True), start=1):
        if spec == "L":
            if not _LEVEL1_RE.match(group):
                return (
                    f"mã cấp 1 “{group}” phải gồm 3 ký tự: một chữ in hoa rồi hai chữ in hoa "
                    "hoặc chữ số"
                )
        elif not re.fullmatch(_group(spec), group):
            return f"nhóm thứ {number} “{group}” phải gồm {spec} chữ số"
    return "không khớp dạng nào"


def _character(c: str) -> str:
    if c == " ":
        return "dấu cách"
    if not c.isprintable() or not c.strip():
        return "ký tự trắng hoặc điều khiển"
    return f"“{c}”"
