"""The constants of the national document exchange (QCVN 102:2016/BTTTT; status codes of
QĐ 28/2018/QĐ-TTg): the namespace, the business types and the status codes, each with the one
Vietnamese text every page, message and model choice takes from here."""

from typing import NamedTuple

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
# URIs for prefixes that packages from the field use without declaring them.
KNOWN_PREFIXES = {
    "edXML": NAMESPACE,
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "ds": XMLDSIG,
}
UNKNOWN_PREFIX_URI = "urn:vanban:undeclared:"

MB = 1024 * 1024

# TraceHeaderList/Bussiness/BussinessDocType. The text is also the reason written in a package
# that gives none (BussinessDocReason).
BUSINESS_NEW, BUSINESS_REVOKE, BUSINESS_UPDATE, BUSINESS_REPLACE = 0, 1, 2, 3
BUSINESS_TYPES = {
    BUSINESS_NEW: "Văn bản mới",
    BUSINESS_REVOKE: "Thu hồi văn bản",
    BUSINESS_UPDATE: "Cập nhật văn bản",
    BUSINESS_REPLACE: "Thay thế văn bản",
}


class Status(NamedTuple):
    """One StatusCode of status messages.

    `label` is what pages, messages, model choices and API help show after the code ("02 bị từ
    chối"), whatever the transport: the one text of the code. 02 is worded as in the national
    code list; 13, 15 and 16 use "thu hồi", the word of Nghị định 30/2020/NĐ-CP that clerks
    know, and name the update that 15 and 16 also answer. `name` is the code's name in the
    exchange axis's code list, quoted when a status message is given where a document was
    expected; it is the label with a capital letter unless the list words it otherwise.
    """

    code: str
    label: str
    list_name: str = ""

    @property
    def name(self) -> str:
        return self.list_name or self.label[:1].upper() + self.label[1:]


STATUSES = (
    Status("01", "đã đến"),
    Status("02", "bị từ chối", "Từ chối tiếp nhận"),
    Status("03", "đã vào sổ", "Đã tiếp nhận"),
    Status("04", "đã giao xử lý", "Đã phân công"),
    Status("05", "đang xử lý"),
    Status("06", "hoàn thành"),
    Status("13", "đề nghị thu hồi", "Đề nghị lấy lại văn bản"),
    Status("15", "đồng ý thu hồi/cập nhật", "Đồng ý cập nhật hoặc lấy lại"),
    Status("16", "từ chối thu hồi/cập nhật", "Từ chối cập nhật hoặc lấy lại"),
)
# code -> label
STATUS_CODES = {status.code: status.label for status in STATUSES}
STATUS_NAMES = {status.code: status.name for status in STATUSES}
