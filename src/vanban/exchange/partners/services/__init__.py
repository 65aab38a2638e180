"""Exchange with other systems (R15).

Sending: issuing a document to an agency served by a partner system writes, in the issuing
transaction, a `Delivery` (transport direct or gateway) and an `Outbound` package (edXML);
registering, refusing, assigning, processing and completing a document received from a partner
writes an `Outbound` status message. Workers (`vanban interop work`) send what is due through
the partner's transport, retrying with an exponential backoff; nothing is lost when either side
stops.

Receiving (`receive`): a partner authenticated by its secret posts a package or a status
message. A package is checked (format and safety by the edXML reader, sender among the partner's
agency codes, recipient one of our units, signatures of its PDF files) and kept once per
DocumentId and recipient: the same bytes again are acknowledged, other bytes under the same
DocumentId are refused. A package whose signatures are missing or invalid is refused with a
status 02 and the reason sent back. A status message updates the document we sent.

Every write runs in a transaction; a refused message changes nothing but the log.

One module per sub-process: `partners` (the directory of partner systems, their secrets, agency
codes and routes), `outbox` (queueing packages and status messages, the delivery worker,
retries), `receive` (receiving a package or a status message, scanning, telling the clerks,
the package's source for registering or refusing it through `exchange.reception`), `status`
(status messages out and in, the status of a delivery to a partner), `recall` (take-back
requests and answers) and `queries` (reads); `_common` holds what they share. This package
exports the public names of all of them.
"""

from vanban.exchange.models import PROGRESS

from ._common import INBOUND_PREFIX, Received, Refused, logger
from .outbox import (
    BACKOFF_FIRST,
    BACKOFF_MAX,
    MAX_ATTEMPTS,
    backoff,
    deliver,
    due,
    external_send,
    message_unit_id,
    retry_now,
    unrouted,
    work_once,
)
from .partners import (
    ClosedCode,
    codes_import,
    new_token,
    partner_code_successor,
    partner_for_token,
    partner_save,
    partner_set_inbound_token,
    route_for,
    token_hash,
)
from .queries import (
    get_inbound,
    inbound_scope,
    monitor_counts,
    outbound_scope,
    queue_for,
)
from .recall import external_recall, inbound_revocation_answer
from .receive import inbound_package, inbound_refuse, inbound_register, receive
from .status import inbound_progress, status_send

__all__ = [
    "BACKOFF_FIRST",
    "BACKOFF_MAX",
    "INBOUND_PREFIX",
    "MAX_ATTEMPTS",
    "PROGRESS",
    "ClosedCode",
    "Received",
    "Refused",
    "backoff",
    "codes_import",
    "deliver",
    "due",
    "external_recall",
    "external_send",
    "get_inbound",
    "inbound_package",
    "inbound_progress",
    "inbound_refuse",
    "inbound_register",
    "inbound_revocation_answer",
    "inbound_scope",
    "logger",
    "message_unit_id",
    "monitor_counts",
    "new_token",
    "outbound_scope",
    "partner_code_successor",
    "partner_for_token",
    "partner_save",
    "partner_set_inbound_token",
    "queue_for",
    "receive",
    "retry_now",
    "route_for",
    "status_send",
    "token_hash",
    "unrouted",
    "work_once",
]
