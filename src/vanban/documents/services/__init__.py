"""Registering incoming and outgoing documents (R9, R10, R13, R14, R16; NĐ 30/2020 Art. 15-16, 22).

Numbers are gap-free and unique per series and year: the series row is locked while a number is
taken, in the same transaction as the document row, so a failed registration gives its number back.

One module per sub-process: `numbering` (register series, taking a number, the number and symbol
of an outgoing document), `refusals` (what the clerk declares: secret documents and complaints
refused, R13), `fields` (the typed fields of a document record, checked and cleaned), `incoming`
(registering an incoming document, duplicates, the signature checks of its files), `outgoing`
(numbering and registering an outgoing document), `sharing` (giving a document to a person of the
unit) and `policy` (the province's limits on files); `_common` holds what they share (today's
date, the clerk's permission, storing the files and saving the document). This package exports
the public names of all of them, and the helpers other apps and the bench data use.
"""

from ..receipt_checks import SignaturesNotConfirmed
from ._common import _require_clerk as _require_clerk
from ._common import _search_fields as _search_fields
from ._common import local_today
from .fields import NOTATION_RE, DocumentInput
from .incoming import DuplicateDocument, incoming_register
from .numbering import _series_default_name as _series_default_name
from .numbering import _series_scope as _series_scope
from .numbering import compose_notation, format_number, series_create
from .outgoing import outgoing_register
from .policy import document_policy_update
from .refusals import SECRECY_LEVELS, Refusals
from .refusals import _check_refusals as _check_refusals
from .sharing import document_share, share_opened

__all__ = [
    "NOTATION_RE",
    "SECRECY_LEVELS",
    "DocumentInput",
    "DuplicateDocument",
    "Refusals",
    "SignaturesNotConfirmed",
    "compose_notation",
    "document_policy_update",
    "document_share",
    "format_number",
    "incoming_register",
    "local_today",
    "outgoing_register",
    "series_create",
    "share_opened",
]
