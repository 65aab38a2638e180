"""edXML test data: the exchange axis's samples (tests/exchange/data, copied byte for byte from
the interoperability kit) and packages built here in the same shape."""

import base64
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

DATA = Path(__file__).parent.parent / "exchange" / "data"
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def build_package(
    *,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    subject: str = "V/v triển khai kết nối liên thông văn bản điện tử năm 2027",
    code_number: str = "25",
    code_notation: str = "UBND-VP",
    type_name: str | None = "Công văn",
    from_id: str = "000.00.00.H62",
    from_name: str = "Ủy ban nhân dân tỉnh Vĩnh Long",
    promulgation_date: str = "2026/11/20",
    due_date: str = "2026/12/10",
    priority: str = "1",
    page_amount: str = "3",
    signer: str = "Lữ Quang Ngời",
    position: str = "Chủ tịch",
    business_type: str = "0",
) -> bytes:
    """A package with the structure of the axis's edoc_new sample, attachments base64-encoded."""
    e = escape
    type_xml = (
        f"<edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeName>{e(type_name)}"
        "</edXML:TypeName></edXML:DocumentType>"
        if type_name is not None
        else ""
    )
    manifest = "".join(
        f"<edXML:Reference><edXML:ContentId>cid:{i}</edXML:ContentId><edXML:ContentType>{e(t)}"
        f"</edXML:ContentType><edXML:AttachmentName>{e(n)}</edXML:AttachmentName>"
        "</edXML:Reference>"
        for i, (n, t, _d) in enumerate(attachments, start=1)
    )
    encoded = "".join(
        f"<Attachment><ContentId>cid:{i}</ContentId><AttachmentName>{e(n)}</AttachmentName>"
        f'<ContentType>{e(t)}</ContentType><edXML:ContentTransferEncoded xmlns:edXML="{NS}">'
        f"{base64.b64encode(d).decode()}</edXML:ContentTransferEncoded></Attachment>"
        for i, (n, t, d) in enumerate(attachments, start=1)
    )
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId>{e(from_id)}</edXML:OrganId>
          <edXML:OrganName>{e(from_name)}</edXML:OrganName></edXML:From>
        <edXML:To><edXML:OrganId>000.00.12.H07</edXML:OrganId>
          <edXML:OrganName>Sở Thông tin và Truyền thông</edXML:OrganName></edXML:To>
        <edXML:DocumentId>{e(from_id)},{e(promulgation_date)},{e(code_number)}/{e(code_notation)}</edXML:DocumentId>
        <edXML:Code><edXML:CodeNumber>{e(code_number)}</edXML:CodeNumber>
          <edXML:CodeNotation>{e(code_notation)}</edXML:CodeNotation></edXML:Code>
        <edXML:PromulgationInfo><edXML:Place>Vĩnh Long</edXML:Place>
          <edXML:PromulgationDate>{e(promulgation_date)}</edXML:PromulgationDate></edXML:PromulgationInfo>
        {type_xml}
        <edXML:Subject>{e(subject)}</edXML:Subject>
        <edXML:Content>{e(subject)}</edXML:Content>
        <edXML:SignerInfo><edXML:Competence>CHỦ TỊCH</edXML:Competence>
          <edXML:Position>{e(position)}</edXML:Position><edXML:FullName>{e(signer)}</edXML:FullName></edXML:SignerInfo>
        <edXML:DueDate>{e(due_date)}</edXML:DueDate>
        <edXML:OtherInfo><edXML:Priority>{e(priority)}</edXML:Priority>
          <edXML:PageAmount>{e(page_amount)}</edXML:PageAmount></edXML:OtherInfo>
        <edXML:SteeringType>1</edXML:SteeringType>
        <edXML:ToPlaces><edXML:Place>Các sở, ban, ngành tỉnh</edXML:Place></edXML:ToPlaces>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>
        <edXML:TraceHeader><edXML:OrganId>{e(from_id)}</edXML:OrganId>
          <edXML:Timestamp>2026/11/20 08:00:00</edXML:Timestamp></edXML:TraceHeader>
        <edXML:Bussiness><edXML:BussinessDocType>{e(business_type)}</edXML:BussinessDocType>
          <edXML:BussinessDocReason>Văn bản điện tử mới</edXML:BussinessDocReason></edXML:Bussiness>
      </edXML:TraceHeaderList>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">{manifest}</edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>{encoded}</AttachmentEncoded>
</edXML>
"""
    return text.encode("utf-8")
