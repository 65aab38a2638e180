"""The capped helper process that converts Word and ODT files to PDF/A-2b
(documents.pdfconvert): memory cap, own network, deadline killing the whole process group.

The limits are read from inside real child processes; the deadline is tried on a stand-in
`soffice` (a shell script that starts a grandchild and waits), so that the test can see that
nothing of the group survives. The conversions themselves are in tests/drafting/test_conversion.py.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.files import docx_bytes
from vanban.documents import pdfconvert

CAT = shutil.which("cat") or "/bin/cat"


def test_the_helper_runs_with_its_memory_cap(settings):
    limits = subprocess.run(  # noqa: S603 - cat, fixed arguments
        [CAT, "/proc/self/limits"],
        preexec_fn=lambda: pdfconvert._preexec(123 << 20),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(row for row in limits.splitlines() if row.startswith("Max data size"))
    assert line.split()[3:5] == [str(123 << 20), str(123 << 20)]


@pytest.mark.skipif(os.geteuid() != 0, reason="a network namespace needs root here")
def test_the_helper_has_no_network_but_a_loopback():
    interfaces = subprocess.run(  # noqa: S603 - cat, fixed arguments
        [CAT, "/proc/net/dev"],
        preexec_fn=lambda: pdfconvert._preexec(256 << 20),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = [row.split(":")[0].strip() for row in interfaces.splitlines()[2:]]
    assert names == ["lo"]


def test_past_the_deadline_the_whole_process_group_is_killed(settings, tmp_path):
    marker = tmp_path / "grandchild.pid"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {marker}\nwait\n")
    fake.chmod(0o755)
    settings.VANBAN_SOFFICE = str(fake)
    settings.VANBAN_CONVERSION_TIMEOUT = 1
    started = time.monotonic()
    with pytest.raises(pdfconvert.ConversionFailed) as caught:
        pdfconvert.to_pdfa(docx_bytes("Nội dung"), "docx", name="Kế hoạch.docx")
    assert time.monotonic() - started < 30
    assert caught.value.reason == "timeout"
    assert caught.value.message == (
        "Không chuyển được tệp “Kế hoạch.docx” sang PDF trong 1 giây: tệp quá lớn hoặc quá phức "
        "tạp. Hãy tải lên bản PDF của dự thảo."
    )
    grandchild = int(marker.read_text())
    for _ in range(50):  # the kernel reaps the killed grandchild (its parent died too)
        if not Path(f"/proc/{grandchild}").exists():
            break
        state = Path(f"/proc/{grandchild}/stat").read_text().split(")")[-1].split()[0]
        if state == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail("the process started by soffice survived the deadline")


def test_a_missing_binary_and_a_format_that_is_not_word(settings, tmp_path):
    settings.VANBAN_SOFFICE = str(tmp_path / "soffice")
    assert pdfconvert.soffice_path() is None
    with pytest.raises(pdfconvert.SofficeMissing):
        pdfconvert.to_pdfa(docx_bytes("Nội dung"), "docx")
    with pytest.raises(ValueError):
        pdfconvert.to_pdfa(b"%PDF-1.7", "pdf")
