"""Drafting, checking, approving and issuing outgoing documents (NĐ 30/2020 Art. 10-14, 18;
R16), and the exchange inside the deployment on issue (R15).

The steps and who takes them:
- the drafter creates the draft with its content file and uploads new versions (`draft_create`,
  `draft_version_add`), asks people for comments (`draft_comments_request`), who answer
  (`draft_comment`), and sends it for checking (`draft_submit`);
- the head of the drafting unit (one of its leaders) checks the content (`draft_review_content`)
  and the assigned checker the format (`draft_check_format`); both passing sends it to the signer,
  either returning it sends it back to the drafter;
- the competent signer (a leader of the issuing unit) approves it or returns it
  (`draft_approve`); a new version after the approval voids it and needs approval again;
- the issuing unit's clerk numbers, registers and issues it (`draft_issue`): the latest version
  becomes the main file of the outgoing document, and each recipient unit of the deployment gets
  it in its reception queue in the same transaction.

Every service checks permission first, locks the draft row before checking its state, writes one
trail entry and one audit event, and changes nothing when refused.

One module per sub-process: `creating` (a new draft, its signer block and recipients),
`versions` (new versions of the content file, reading a stored version), `comments` (comments
asked of colleagues and their answers), `checking` (sending for checking, the content and format
checks), `approval` (the signer's approval, or a deputy's under a delegation) and `issuing`
(numbering, registering, the organisation signature, sending); `_common` holds what they share.
This package exports the public names of all of them.
"""

from ._common import (
    MAX_RECIPIENTS_TEXT,
    MAX_TEXT,
    MSG_CLERK_ONLY,
    MSG_DRAFTER_ONLY,
    MSG_ISSUED,
    STATUS_REFUSALS,
    STORAGE_PREFIX,
    draft_label,
    issuing_units_for,
    recipients_text,
    subtree_ids,
)
from .approval import MSG_DELEGATION_INACTIVE, MSG_SIGNER_ONLY, draft_approve, signer_delegator
from .checking import draft_check_format, draft_review_content, draft_submit
from .comments import draft_comment, draft_comments_request
from .creating import DraftInput, ExternalRecipient, draft_create
from .issuing import draft_issue
from .versions import (
    PdfDownload,
    VersionDownload,
    draft_version_add,
    version_download,
    version_pdf_download,
)

__all__ = [
    "MAX_RECIPIENTS_TEXT",
    "MAX_TEXT",
    "MSG_CLERK_ONLY",
    "MSG_DELEGATION_INACTIVE",
    "MSG_DRAFTER_ONLY",
    "MSG_ISSUED",
    "MSG_SIGNER_ONLY",
    "STATUS_REFUSALS",
    "STORAGE_PREFIX",
    "DraftInput",
    "ExternalRecipient",
    "PdfDownload",
    "VersionDownload",
    "draft_approve",
    "draft_check_format",
    "draft_comment",
    "draft_comments_request",
    "draft_create",
    "draft_issue",
    "draft_label",
    "draft_review_content",
    "draft_submit",
    "draft_version_add",
    "issuing_units_for",
    "recipients_text",
    "signer_delegator",
    "subtree_ids",
    "version_download",
    "version_pdf_download",
]
