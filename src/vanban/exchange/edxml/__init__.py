"""The edXML codec of the national document exchange (QCVN 102:2016/BTTTT): the one place that
knows the format.

- `constants`: the namespace, the business types and the status codes, each with its one text;
- `safety`: what every reader shares (size limit, refusal of DTDs and entities, repair of
  undeclared prefixes, EdxmlError);
- `reader`: the flat record of a package a clerk registers (`parse_package`);
- `model`: the records of a whole message, read and written without loss;
- `message_reader`, `writer`: a whole message from bytes and back (`read_message`,
  `write_package`, `write_status`);
- `status`: building a status message and reading one from a partner;
- `schema_check`: `validate` against the XML Schema in `schema/`, plus what it cannot say (the
  structure of the agency codes in From and To, checked with `vanban.core.agency_codes`);
- `reader.check_addresses`: the same check for a package received from another system.

The codec is a leaf: it imports the standard library, lxml and `vanban.core` only. What the
deployment decides (the size limit, which ZIP files are documents) is given by `configure`.
"""

from .constants import (
    BUSINESS_NEW,
    BUSINESS_REPLACE,
    BUSINESS_REVOKE,
    BUSINESS_TYPES,
    BUSINESS_UPDATE,
    KNOWN_PREFIXES,
    MB,
    NAMESPACE,
    STATUS_CODES,
    STATUS_NAMES,
    STATUSES,
    XMLDSIG,
    Status,
)
from .message_reader import read_message
from .model import (
    Attachment,
    Bussiness,
    BussinessDocumentInfo,
    Code,
    DocumentType,
    Manifest,
    MessageHeader,
    Organ,
    OtherInfo,
    Package,
    PromulgationInfo,
    Receiver,
    Reference,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusMessage,
    TraceHeader,
    TraceHeaderList,
    date_to_text,
    text_to_date,
    text_to_timestamp,
    timestamp_to_text,
)
from .reader import (
    EdxmlAttachment,
    EdxmlPackage,
    address_problems,
    check_addresses,
    organ_id_problem,
    parse_package,
)
from .safety import (
    MAX_ATTACHMENTS,
    MAX_DEPTH,
    MAX_MISSING_PREFIXES,
    MAX_ZIP_MEMBERS,
    EdxmlError,
    configure,
    parse_tree,
)
from .schema_check import schema, validate
from .status import StatusRead, read_status, status_message
from .writer import write_message, write_package, write_status

__all__ = [
    "BUSINESS_NEW",
    "BUSINESS_REPLACE",
    "BUSINESS_REVOKE",
    "BUSINESS_TYPES",
    "BUSINESS_UPDATE",
    "KNOWN_PREFIXES",
    "MAX_ATTACHMENTS",
    "MAX_DEPTH",
    "MAX_MISSING_PREFIXES",
    "MAX_ZIP_MEMBERS",
    "MB",
    "NAMESPACE",
    "STATUSES",
    "STATUS_CODES",
    "STATUS_NAMES",
    "XMLDSIG",
    "Attachment",
    "Bussiness",
    "BussinessDocumentInfo",
    "Code",
    "DocumentType",
    "EdxmlAttachment",
    "EdxmlError",
    "EdxmlPackage",
    "Manifest",
    "MessageHeader",
    "Organ",
    "OtherInfo",
    "Package",
    "PromulgationInfo",
    "Receiver",
    "Reference",
    "ReplacementInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "Status",
    "StatusMessage",
    "StatusRead",
    "TraceHeader",
    "TraceHeaderList",
    "address_problems",
    "check_addresses",
    "configure",
    "date_to_text",
    "organ_id_problem",
    "parse_package",
    "parse_tree",
    "read_message",
    "read_status",
    "schema",
    "status_message",
    "text_to_date",
    "text_to_timestamp",
    "timestamp_to_text",
    "validate",
    "write_message",
    "write_package",
    "write_status",
]
