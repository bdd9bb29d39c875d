"""The A4 poster of a service point: the survey's title, a large QR code of the public form's address with
the point's code in it (so the answer is attributed without asking), the address in letters, and a short
note on anonymity. reportlab only (its QR widget), the serif font of chiso's documents."""

from __future__ import annotations

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from chiso.documents.fonts import balanced_lines, font_name, register_fonts


def poster_pdf(survey, point, url: str) -> bytes:
    register_fonts()
    width, height = A4
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(f"{survey.title} — {point.name}")
    y = height - 30 * mm

    def centred(text: str, size: float, bold: bool = False, gap: float = 1.3) -> None:
        nonlocal y
        for line in balanced_lines(text, size, width - 40 * mm, bold=bold):
            c.setFont(font_name(bold), size)
            c.drawCentredString(width / 2, y, line)
            y -= size * gap

    centred("PHIẾU KHẢO SÁT SỰ HÀI LÒNG", 26, bold=True)
    y -= 4 * mm
    centred(survey.title, 15)
    y -= 4 * mm
    centred(point.name, 17, bold=True)
    side = 120 * mm
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    y -= side + 6 * mm
    renderPDF.draw(drawing, c, (width - side) / 2, y)
    y -= 10 * mm
    centred("Quét mã bằng điện thoại để trả lời (khoảng 5 phút).", 15, bold=True)
    centred(url, 12)
    y -= 4 * mm
    centred(
        "Phiếu không hỏi họ tên, số điện thoại hay địa chỉ. Ý kiến của Ông/Bà giúp chính quyền phục vụ "
        "người dân tốt hơn.",
        13,
    )
    c.showPage()
    c.save()
    return buf.getvalue()
