"""The permit and the safety plan as DOCX files in the Nghị định 30/2020 layout.

Mẫu 1.4 "Văn bản có tên loại" (RULES-RECOVERY §4.3–4.4): A4 portrait, margins 20 mm top
and bottom, 30 mm left, 15 mm right, Times New Roman; a two-column header (left: the
governing body, the issuing body in bold with a short rule under it, "Số: NN/TB-ABBR";
right: the national title and motto in bold with a full rule, the place and date in
italics); the type and the summary in bold capitals and bold, centred, with a short rule;
the body justified, first line indented 1.27 cm, 6 pt after each paragraph, ending "./.";
then a two-column footer: "Nơi nhận:" (12 pt bold italic) with "- …;" lines (11 pt) and
"- Lưu: VT, …." on the left, the signing authority, title and name (bold) on the right.

The permit is a THÔNG BÁO (TB): Nghị định 30/2020 lists no "giấy phép" among its 29 types
(Điều 7), and a notice of approval is the type of the 29 that fits. Text people typed is
written as plain text (python-docx escapes it; characters XML cannot hold are dropped).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FONT = "Times New Roman"
# Characters XML 1.0 cannot hold (control characters but tab and newline).
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def plain(text: str) -> str:
    return NOT_XML.sub("", text or "")


@dataclass(frozen=True)
class Letter:
    """What one document says; the layout is the decree's."""

    governing_body: str  # "UBND THÀNH PHỐ CẦN THƠ" ("" for none)
    issuing_body: str  # "SỞ CÔNG THƯƠNG"
    number: str  # "Số: 05/TB-SCT"
    place: str  # "Cần Thơ"
    day: dt.date
    type_name: str  # "THÔNG BÁO"
    summary: str  # "Về việc …"
    paragraphs: tuple[str, ...]
    recipients: tuple[str, ...]  # without the leading "- " and the final ";"
    archive: str  # "VT, SCT" → "- Lưu: VT, SCT."
    authority: str  # "KT. GIÁM ĐỐC" ("" for none)
    signer_title: str  # "PHÓ GIÁM ĐỐC"
    signer_name: str


def date_line(place: str, day: dt.date) -> str:
    """ "Cần Thơ, ngày 05 tháng 01 năm 2021": days below 10 and months 1–2 with a leading 0."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _run(paragraph, text: str, size: float, *, bold=False, italic=False):
    run = paragraph.add_run(plain(text))
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    # East-Asian and complex-script fonts too, or Word substitutes its own for Vietnamese.
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:cs", "w:hAnsi"):
        fonts.set(qn(attribute), FONT)
    return run


def _line(cell_or_doc, text: str, size: float, *, bold=False, italic=False, align="center"):
    paragraph = cell_or_doc.add_paragraph()
    paragraph.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    _run(paragraph, text, size, bold=bold, italic=italic)
    return paragraph


def _rule(cell_or_doc, width_fraction: float, full_width: float):
    """A solid centred line ``width_fraction`` of ``full_width`` cm (an empty bordered paragraph)."""
    paragraph = cell_or_doc.add_paragraph()
    indent = Cm(full_width * (1 - width_fraction) / 2)
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.right_indent = indent
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)
    return paragraph


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _first_paragraph_used(cell):
    """A table cell starts with one empty paragraph: remove it so content starts at the top."""
    first = cell.paragraphs[0]
    first._element.getparent().remove(first._element)


def render(letter: Letter) -> bytes:
    """Return the DOCX bytes of ``letter``."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)

    _header(document, letter)
    _line(document, "", 13)
    _line(document, letter.type_name.upper(), 14, bold=True)
    _line(document, letter.summary, 14, bold=True)
    _rule(document, 0.33, 16.5)
    _line(document, "", 13)
    for i, text in enumerate(letter.paragraphs):
        ending = "./." if i == len(letter.paragraphs) - 1 else ""
        paragraph = _line(document, text + ending, 14, align="justify")
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
        paragraph.paragraph_format.space_after = Pt(6)
        paragraph.paragraph_format.line_spacing = 1.15
    _line(document, "", 13)
    _footer(document, letter)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _table(document, widths: tuple[float, float]):
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    cells = table.rows[0].cells
    for cell, width in zip(cells, widths, strict=True):
        cell.width = Cm(width)
        _first_paragraph_used(cell)
    return cells


def _header(document, letter: Letter) -> None:
    left, right = _table(document, (6.5, 10.0))
    if letter.governing_body:
        _line(left, letter.governing_body.upper(), 12.5)
    _line(left, letter.issuing_body.upper(), 12.5, bold=True)
    _rule(left, 0.4, 6.5)
    _line(left, letter.number, 13)
    _line(right, NATIONAL_TITLE, 12.5, bold=True)
    _line(right, MOTTO, 13.5, bold=True)
    _rule(right, 0.62, 10.0)
    _line(right, date_line(letter.place, letter.day), 13.5, italic=True)


def _footer(document, letter: Letter) -> None:
    left, right = _table(document, (8.0, 8.5))
    _line(left, "Nơi nhận:", 12, bold=True, italic=True, align="left")
    for recipient in letter.recipients:
        _line(left, f"- {recipient};", 11, align="left")
    _line(left, f"- Lưu: {letter.archive}.", 11, align="left")
    if letter.authority:
        _line(right, letter.authority.upper(), 13.5, bold=True)
    _line(right, letter.signer_title.upper(), 13.5, bold=True)
    for _blank in range(3):  # room for the signature and the seal
        _line(right, "", 13.5)
    _line(right, letter.signer_name, 13.5, bold=True)
