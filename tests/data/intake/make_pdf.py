"""Regenerates ru-verdict.pdf: `pip install fpdf2`, then `python make_pdf.py` here.

The PDF is shipped so that the tests need neither fpdf2 nor a font; the DejaVu Sans font
(Debian's fonts-dejavu-core) is embedded as a subset.
"""

from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).parent
LINES = [
    "Приговор по делу Владимира Кара-Мурзы",
    "",
    "Суд признал Владимира Владимировича Кара-Мурзу виновным. Кара-Мурза выслушал",
    "приговор стоя. В зале были Илья Пономарев и Екатерина Шульман.",
    "Защиту представлял адвокат Вадим Прохоров.",
]

pdf = FPDF()
pdf.add_page()
pdf.add_font("DejaVu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
pdf.set_font("DejaVu", size=12)
for line in LINES:
    pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
pdf.output(HERE / "ru-verdict.pdf")
