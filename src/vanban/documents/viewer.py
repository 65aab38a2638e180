"""The document viewer shown on the document, processing, draft and reception pages
(docs/files.md "Viewer").

A page hands the partial `documents/_viewer.html` a list of `ViewerFile`: each names a file the
person may already download there, with the address of what the viewer shows of it. The viewer
(`core/static/vanban/js/viewer.js`, PDF.js served by us) loads that address from the same site:
the file's own download address with `?xem=1`, answered by the same view with the same access
check and audit record, marked `inline` and noted `viewed` in the record. A PDF is shown page by
page, an image as an image; a DOCX (or another format) is shown through a PDF made from it when
the page gives one (`pdf_url`), otherwise the viewer says there is no PDF to show and offers the
download.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

# The query parameter of a download address that asks for the viewer's copy.
VIEW_PARAMETER = "xem"
# Formats the browser shows as a picture (TIFF is not one: it is downloaded).
IMAGE_FORMATS = frozenset({"jpeg", "png"})


@dataclass(frozen=True)
class ViewerFile:
    name: str
    label: str  # what the file is on its page: "Tệp chính", "Phiên bản 2"…
    download_url: str
    pdf_url: str = ""  # the PDF the viewer shows; "" when there is none
    image_url: str = ""  # a picture shown as it is

    @property
    def viewable(self) -> bool:
        return bool(self.pdf_url or self.image_url)


def view_url(download_url: str) -> str:
    """The viewer's address of a file: its download address with `?xem=1`."""
    return f"{download_url}?{VIEW_PARAMETER}=1"


def viewer_file(
    *, name: str, label: str, file_format: str, download_url: str, pdf_url: str = ""
) -> ViewerFile:
    """A file as the viewer shows it: a PDF itself, a JPEG or PNG as a picture; any other
    format through `pdf_url` (a PDF made from it, for a DOCX) when there is one."""
    if file_format == "pdf":
        return ViewerFile(name, label, download_url, pdf_url=pdf_url or view_url(download_url))
    if file_format in IMAGE_FORMATS and not pdf_url:
        return ViewerFile(name, label, download_url, image_url=view_url(download_url))
    return ViewerFile(name, label, download_url, pdf_url=pdf_url)


def viewer_files(
    files: Iterable[Any],
    *,
    download_url: Callable[[Any], str],
    label: Callable[[Any], str],
    pdf_url: Callable[[Any], str] | None = None,
) -> list[ViewerFile]:
    """`viewer_file` for each stored file (`original_name`, `file_format`), with no query."""
    return [
        viewer_file(
            name=f.original_name,
            label=label(f),
            file_format=f.file_format,
            download_url=download_url(f),
            pdf_url=pdf_url(f) if pdf_url else "",
        )
        for f in files
    ]


def document_viewer_files(files: Iterable[Any]) -> list[ViewerFile]:
    """The viewer's list of a document's own files (`DocumentFile`), main file first as given,
    each read through `documents:file_download`."""
    return viewer_files(
        files,
        download_url=lambda f: reverse("documents:file_download", args=[f.pk]),
        label=lambda f: f.get_role_display(),
    )


def wants_view(request: HttpRequest) -> bool:
    """The download was asked for by the viewer (`?xem=1`): answered inline, recorded as viewed."""
    return request.GET.get(VIEW_PARAMETER) == "1"
