"""Release notes (R23; Art. 8.4 of the provincial regulation: units are told what a new version
changed).

Each version's notes are one Markdown file in `oversight/releases/`, named after the version
(`0.1.0.md`), written in Vietnamese. The file starts with a `# ` title, then a line
`Ngày phát hành: dd/mm/yyyy`, then a first paragraph that is the summary shown in the notice after
an upgrade, then `## ` sections of `- ` items. Only that small subset of Markdown is read, and all
text is escaped, so a note can never carry HTML into the page.
"""

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

NOTES_DIR = Path(__file__).resolve().parent / "releases"
VERSION_RE = re.compile(r"^\d+(?:\.\d+){1,3}$")
DATE_RE = re.compile(r"^Ngày phát hành:\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
INLINE_CODE_RE = re.compile(r"`([^`]+)`")
BOLD_RE = re.compile(r"\*\*([^*]+)\*\*")


@dataclass(frozen=True)
class ReleaseNote:
    version: str
    title: str
    released: dt.date | None
    summary: str
    html: SafeString

    @property
    def anchor(self) -> str:
        return "phien-ban-" + self.version.replace(".", "-")


def current_version() -> str:
    """The version this server runs (vanban.__version__, through settings.VANBAN_VERSION)."""
    return str(settings.VANBAN_VERSION)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _inline(text: str) -> str:
    text = escape(text)
    text = INLINE_CODE_RE.sub(r"<code>\1</code>", text)
    return BOLD_RE.sub(r"<strong>\1</strong>", text)


def note_parse(version: str, text: str) -> ReleaseNote:
    """One notes file read into its title, date, summary and HTML body."""
    title = f"Phiên bản {version}"
    released: dt.date | None = None
    summary = ""
    html: list[str] = []
    paragraph: list[str] = []
    in_list = False

    def close_paragraph() -> None:
        nonlocal summary
        if paragraph:
            joined = " ".join(paragraph)
            if not summary and not html:
                summary = joined
            html.append(f"<p>{_inline(joined)}</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal in_list
        if in_list:
            html.append("</ul>")
            in_list = False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            close_paragraph()
            close_list()
            continue
        if line.startswith("# "):
            title = line[2:].strip()
            continue
        date = DATE_RE.match(line)
        if date and released is None:
            day, month, year = (int(g) for g in date.groups())
            released = dt.date(year, month, day)
            continue
        if line.startswith(("## ", "### ")):
            close_paragraph()
            close_list()
            level = 3 if line.startswith("## ") else 4
            html.append(f"<h{level}>{_inline(line.lstrip('#').strip())}</h{level}>")
            continue
        if line.startswith("- "):
            close_paragraph()
            if not in_list:
                html.append("<ul>")
                in_list = True
            html.append(f"<li>{_inline(line[2:].strip())}</li>")
            continue
        if in_list:
            # A continued item: the line belongs to the last one.
            html[-1] = html[-1][: -len("</li>")] + " " + _inline(line) + "</li>"
            continue
        paragraph.append(line)
    close_paragraph()
    close_list()
    return ReleaseNote(
        version=version,
        title=title,
        released=released,
        summary=summary,
        html=mark_safe("\n".join(html)),  # noqa: S308 - every piece of text went through escape()
    )


@cache
def _notes_in(directory: Path) -> tuple[ReleaseNote, ...]:
    notes = []
    for path in directory.glob("*.md"):
        version = path.stem
        if VERSION_RE.match(version):
            notes.append(note_parse(version, path.read_text(encoding="utf-8")))
    return tuple(sorted(notes, key=lambda note: version_key(note.version), reverse=True))


def release_notes() -> tuple[ReleaseNote, ...]:
    """Every version's notes, the newest first (the page "Có gì mới")."""
    return _notes_in(NOTES_DIR)


def release_note(version: str) -> ReleaseNote | None:
    return next((note for note in release_notes() if note.version == version), None)
