"""A workbook in the layout of the provincial one-stop systems' "Bảng thống kê chi tiết việc tiếp
nhận và trả kết quả": a title block, a two-row header of 14 columns with merged headings, a row
of column numbers, one row per unit and a totals row."""

import io

from openpyxl import Workbook

TOP = ["STT", "Đơn vị", "Tiếp nhận", None, None, None, "Đã xử lý", None, None, "Đang xử lý",
       None, "Chờ bổ sung", "Trả lại/Xin rút", "Tạm dừng"]  # fmt: skip
BELOW = [None, None, "Tổng số", "Kỳ trước", "Trong kỳ", "Qua mạng", "Trước hạn", "Đúng hạn",
         "Quá hạn", "Trong hạn", "Quá hạn", None, None, None]  # fmt: skip


def export_workbook(units, title="Từ ngày 01/10/2026 đến ngày 31/10/2026") -> bytes:
    """`units`: [(unit as printed, [12 figures from Tổng số to Tạm dừng])]."""
    book = Workbook()
    sheet = book.active
    sheet.append(["ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG"])
    sheet.append(["BẢNG THỐNG KÊ CHI TIẾT VIỆC TIẾP NHẬN VÀ TRẢ KẾT QUẢ"])
    sheet.append([title])
    sheet.append([])
    sheet.append(TOP)
    sheet.append(BELOW)
    for cells in ("A1:N1", "A2:N2", "A3:N3", "A5:A6", "B5:B6", "C5:F5", "G5:I5", "J5:K5",
                  "L5:L6", "M5:M6", "N5:N6"):  # fmt: skip
        sheet.merge_cells(cells)
    sheet.append([f"({n})" for n in range(1, 15)])
    totals = [0] * 12
    for number, (unit, figures) in enumerate(units, start=1):
        sheet.append([number, unit, *figures])
        totals = [
            a + (b if isinstance(b, int) else 0) for a, b in zip(totals, figures, strict=True)
        ]
    sheet.append([None, "Tổng cộng", *totals])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
