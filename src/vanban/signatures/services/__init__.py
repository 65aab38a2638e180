"""Certificates, trust roots, signature images, signing and verification (R11, R12, R16).

Who does what:
- the province admin manages the trust roots (`trust_root_add`, `trust_root_set_active`);
- a person registers their own personal certificate; a unit admin registers those of the people
  of the unit and the unit's organisation certificate; the province admin anywhere
  (`certificate_add`, `certificate_set_active`); the same for the handwritten-signature images
  and seals (`mark_upload`);
- a personal signature is made with the signer's own certificate (`personal_certificate_check`,
  `personal_appearance`) by a key held by the server (`personal_sign`) or next to the signer's
  own key (`personal_prepare`, then `personal_complete`) or by a remote signing service
  (`remote_personal_sign`, CSC v2); the organisation signature with the
  unit's key and seal (`organisation_check`, `organisation_sign`). Who signs which document, and
  when, is the business of the callers (the drafting process signs and issues drafts);
- every signature made or received is checked (`verify_bytes`) and the report kept
  (`report_store`).

Every write checks permission first, runs in a transaction, writes one audit event and changes
nothing when refused.

One module per sub-process: `roots` (the trust list), `certificates` (registering certificates
and the keys the server holds), `marks` (signature images and seals), `verification` (checking
signatures and keeping the reports), `personal` (the competent signer's signature), `remote`
(the same signature by a remote signing service, CSC v2, and linking a person's credential
there), `expiry` (the notice 30 days before a personal certificate expires) and
`organisation` (the clerk's organisation signature when issuing); `_common` holds what they
share (the time, audit events, reading certificates, the active trust roots). This package
exports the public names of all of them.
"""

from ._common import MAX_CERT_BYTES, intermediates, parse_certificates, trust_roots
from .certificates import (
    KEYS_PREFIX,
    MAX_P12_BYTES,
    MSG_NOT_TRUSTED,
    certificate_add,
    certificate_chain,
    certificate_set_active,
    certificate_x509,
    key_holder,
)
from .expiry import certificates_expiry_notify
from .marks import MARKS_PREFIX, MAX_MARK_BYTES, active_mark, mark_bytes, mark_upload
from .organisation import (
    MSG_NO_SEAL,
    ORGANISATION_FIELD,
    OrganisationKey,
    organisation_check,
    organisation_sign,
)
from .personal import (
    PERSONAL_FIELD,
    PERSONAL_REASON,
    personal_appearance,
    personal_certificate_check,
    personal_complete,
    personal_prepare,
    personal_sign,
)
from .remote import (
    PendingRemoteSignature,
    remote_async_provider,
    remote_certificate,
    remote_certificate_register,
    remote_credential_link,
    remote_credentials_offered,
    remote_personal_sign,
    remote_personal_sign_cancel,
    remote_personal_sign_finish,
    remote_personal_sign_start,
    remote_provider,
)
from .roots import trust_root_add, trust_root_set_active
from .verification import document_verify, report_store, validation_context, verify_bytes

__all__ = [
    "KEYS_PREFIX",
    "MARKS_PREFIX",
    "MAX_CERT_BYTES",
    "MAX_MARK_BYTES",
    "MAX_P12_BYTES",
    "MSG_NOT_TRUSTED",
    "MSG_NO_SEAL",
    "ORGANISATION_FIELD",
    "PERSONAL_FIELD",
    "PERSONAL_REASON",
    "OrganisationKey",
    "PendingRemoteSignature",
    "active_mark",
    "certificate_add",
    "certificate_chain",
    "certificate_set_active",
    "certificate_x509",
    "certificates_expiry_notify",
    "document_verify",
    "intermediates",
    "key_holder",
    "mark_bytes",
    "mark_upload",
    "organisation_check",
    "organisation_sign",
    "parse_certificates",
    "personal_appearance",
    "personal_certificate_check",
    "personal_complete",
    "personal_prepare",
    "personal_sign",
    "remote_async_provider",
    "remote_certificate",
    "remote_certificate_register",
    "remote_credential_link",
    "remote_credentials_offered",
    "remote_personal_sign",
    "remote_personal_sign_cancel",
    "remote_personal_sign_finish",
    "remote_personal_sign_start",
    "remote_provider",
    "report_store",
    "trust_root_add",
    "trust_root_set_active",
    "trust_roots",
    "validation_context",
    "verify_bytes",
]
