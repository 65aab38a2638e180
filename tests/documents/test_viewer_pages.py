"""The document viewer on its four pages, and the viewer's copy of a file (docs/files.md
"Viewer"): the document page (outgoing and incoming), the processing page, the draft page and
the reception queue item show the viewer with the address of each file's viewer copy; the copy
(`?xem=1`) is the download itself, inline, with the same access check and an audit record noted
`viewed`; a person who may not see the file gets the Vietnamese 404 page and nothing is recorded.
The Content-Security-Policy of the pages is unchanged. The browser side is in
tests/e2e/test_document_viewer.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.documents import DECLARED, doc_type, incoming_input
from tests.support.drafting import Team, issued, make_team, pdf
from tests.support.files import docx_bytes, upload
from tests.test_headers import assert_no_inline_code, assert_policy, csp_directives
from vanban.audit.models import AuditEvent
from vanban.documents import services as document_services
from vanban.documents.services import DocumentInput
from vanban.documents.viewer import viewer_file
from vanban.exchange import delivery
from vanban.exchange.models import Delivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage", "drafting_clock")]

PDFJS = "/static/vanban/vendor/pdfjs/pdf.min.mjs"
WORKER = "/static/vanban/vendor/pdfjs/pdf.worker.min.mjs"
MISSING = "Chưa có bản PDF để xem tệp này."


@pytest.fixture
def team(province) -> Team:
    return make_team(province)


@pytest.fixture
def flow(team):
    """A Kế hoạch issued by the Sở TT&TT to the Sở Nội vụ, waiting in its reception queue."""
    draft, document = issued(team)
    return draft, document, Delivery.objects.get(document=document)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert_policy(url, response)
    assert_no_inline_code(url, html)
    assert 'id="document-viewer"' in html, url
    assert f'data-pdfjs="{PDFJS}"' in html and f'data-pdfjs-worker="{WORKER}"' in html
    assert '<script type="module" src="/static/vanban/js/viewer.js"></script>' in html
    return html


def test_the_viewer_is_on_the_four_pages(team, flow, client_for):
    draft, outgoing, queued = flow
    main = outgoing.files.get(role="main")

    # The outgoing document's page: its main file, read through its download address.
    html = page(client_for(team.clerk), f"/van-ban/{outgoing.pk}/")
    download = f"/van-ban/tep/{main.pk}/tai-xuong/"
    assert f'data-download="{download}" data-pdf="{download}?xem=1"' in html
    assert 'class="button viewer-download" href="' + download + '"' in html

    # The draft's page: the signed PDF first, then the versions.
    html = page(client_for(team.drafter), f"/du-thao/{draft.pk}/")
    signed = f"/du-thao/{draft.pk}/ky-so/tai-xuong/"
    version = f"/du-thao/{draft.pk}/phien-ban/1/tai-xuong/"
    assert f'data-download="{signed}" data-pdf="{signed}?xem=1"' in html
    assert f'data-download="{version}" data-pdf="{version}?xem=1"' in html
    assert html.index(signed + '" data-pdf') < html.index(version + '" data-pdf')

    # The reception queue item, for the recipient's clerk before registering.
    clerk_snv = client_for(team.clerk_snv)
    received = queued.sent_document.files.get(role="main")
    html = page(clerk_snv, f"/lien-thong/hang-cho/{queued.pk}/")
    url = f"/lien-thong/hang-cho/{queued.pk}/tep/{received.pk}/"
    assert f'data-download="{url}" data-pdf="{url}?xem=1"' in html

    # Registered: the incoming document's page and its processing page.
    incoming = delivery.delivery_register(actor=team.clerk_snv, delivery=queued, refusals=DECLARED)
    own = incoming.files.get(role="main")
    download = f"/van-ban/tep/{own.pk}/tai-xuong/"
    for url in (f"/van-ban/{incoming.pk}/", f"/xu-ly/van-ban/{incoming.pk}/"):
        html = page(clerk_snv, url)
        assert f'data-download="{download}" data-pdf="{download}?xem=1"' in html, url


def test_a_docx_without_a_pdf_says_so_and_one_with_a_pdf_is_shown(team, client_for):
    document = document_services.incoming_register(
        actor=team.clerk,
        unit=team.province.stttt,
        data=incoming_input(),
        refusals=DECLARED,
        main_file=upload("Công văn.docx", docx_bytes("Kính gửi các sở")),
    )
    html = page(client_for(team.clerk), f"/van-ban/{document.pk}/")
    file = document.files.get()
    assert f'data-download="/van-ban/tep/{file.pk}/tai-xuong/" data-pdf="" data-image=""' in html
    assert f'<p class="warning viewer-missing">{MISSING}' in html  # shown: not hidden

    # A page that has a PDF made from the DOCX hands it to the viewer.
    shown = viewer_file(
        name="Công văn.docx",
        label="Phiên bản 2",
        file_format="docx",
        download_url="/du-thao/1/phien-ban/2/tai-xuong/",
        pdf_url="/du-thao/1/phien-ban/2/pdf/",
    )
    assert shown.pdf_url == "/du-thao/1/phien-ban/2/pdf/" and shown.viewable
    picture = viewer_file(name="a.png", label="", file_format="png", download_url="/t/")
    assert (picture.image_url, picture.pdf_url) == ("/t/?xem=1", "")
    tiff = viewer_file(name="a.tiff", label="", file_format="tiff", download_url="/t/")
    assert not tiff.viewable


def viewer_copies(team: Team, flow) -> list[tuple[str, object, str]]:
    """Each viewer copy: its address, the person who may read it, the audit action."""
    draft, outgoing, queued = flow
    main = outgoing.files.get(role="main")
    received = queued.sent_document.files.get(role="main")
    return [
        (f"/van-ban/tep/{main.pk}/tai-xuong/", team.clerk, "document.file_download"),
        (f"/du-thao/{draft.pk}/phien-ban/1/tai-xuong/", team.drafter, "draft.version_download"),
        (f"/du-thao/{draft.pk}/ky-so/tai-xuong/", team.drafter, "draft.signed_download"),
        (
            f"/lien-thong/hang-cho/{queued.pk}/tep/{received.pk}/",
            team.clerk_snv,
            "exchange.file_download",
        ),
    ]


def test_the_viewer_copy_is_the_download_inline_and_recorded_as_viewed(team, flow, client_for):
    for url, person, action in viewer_copies(team, flow):
        client = client_for(person)
        saved = client.get(url)
        viewed = client.get(f"{url}?xem=1")
        assert saved.status_code == viewed.status_code == 200, url
        body = b"".join(viewed.streaming_content)
        assert body == b"".join(saved.streaming_content) and body.startswith(b"%PDF-"), url
        assert saved["Content-Disposition"].startswith("attachment; filename="), url
        assert viewed["Content-Disposition"] == "inline" + saved["Content-Disposition"][10:]
        for header in ("Content-Type", "X-Content-Type-Options", "Content-Security-Policy"):
            assert viewed[header] == saved[header], (url, header)
        assert viewed["Content-Security-Policy"] == "default-src 'none'; sandbox"
        events = list(AuditEvent.objects.filter(action=action).order_by("-pk")[:2])
        assert events[0].data.get("viewed") is True, url
        assert "viewed" not in events[1].data, url
        # Any other value is a plain download.
        other = client.get(f"{url}?xem=yes")
        assert other["Content-Disposition"].startswith("attachment;"), url


def test_a_person_who_may_not_see_the_file_cannot_view_it(team, flow, client_for):
    draft, outgoing, queued = flow
    # The other unit's staff sees neither the Sở TT&TT's document and draft nor the Sở Nội vụ's
    # queue (a clerk's work).
    client = client_for(team.staff_snv)
    before = AuditEvent.objects.count()
    for url, _person, _action in viewer_copies(team, flow):
        response = client.get(f"{url}?xem=1")
        assert response.status_code == 404, url
        assert "Content-Disposition" not in response, url
        html = response.content.decode()
        assert "Không tìm thấy" in html, url
        assert "%PDF" not in html
    assert AuditEvent.objects.count() == before
    # Nor do the pages show her the viewer.
    for url in (
        f"/van-ban/{outgoing.pk}/",
        f"/du-thao/{draft.pk}/",
        f"/lien-thong/hang-cho/{queued.pk}/",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"document-viewer" not in response.content, url


def test_the_reception_page_reads_no_more_for_more_files(team, client_for):
    """The viewer adds no query per file: a document with four attachments costs the same."""
    client = client_for(team.clerk_snv)
    counts = []
    for attachments in (0, 4):
        document = document_services.outgoing_register(
            actor=team.clerk,
            unit=team.province.stttt,
            data=DocumentInput(
                document_type=doc_type("Công văn"),
                subject=f"Công văn có {attachments} phụ lục",
                code_number=str(20 + attachments),
                recipients="Sở Nội vụ",
            ),
            refusals=DECLARED,
            main_file=pdf(f"Công văn {attachments}.pdf"),
            attachments=[pdf(f"Phụ lục {n}.pdf") for n in range(attachments)],
        )
        (queued,) = delivery.deliveries_create(
            actor=team.clerk, document=document, units=[team.province.snv]
        )
        with CaptureQueriesContext(connection) as queries:
            html = page(client, f"/lien-thong/hang-cho/{queued.pk}/")
        assert html.count('class="secondary viewer-file"') == (
            attachments + 1 if attachments else 0
        )
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_policy_is_unchanged_and_the_library_is_served_as_a_module(team, client_for):
    client = client_for(team.clerk)
    policy = csp_directives(client.get("/"))
    # Scripts, and so workers, from the site itself (a nonce only when a page uses one).
    assert policy["script-src"][0] == "'self'"
    assert all(v.startswith("'nonce-") for v in policy["script-src"][1:])
    for directive in ("worker-src", "child-src"):
        assert directive not in policy  # workers fall back to script-src: the site only
    assert not any("blob:" in v or "eval" in v for values in policy.values() for v in values)
    for path in (PDFJS, WORKER, "/static/vanban/js/viewer.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/javascript"), path
