"""How error_cells.xls was made (needs xlwt, which the project does not install: run it by hand).

xlwt writes BOOLERR records: the cells show #N/A (0x2A) and #DIV/0! (0x07) in Excel.
"""

import xlwt

book = xlwt.Workbook()
sheet = book.add_sheet("data")
# a title row, a blank row, then the table: row numbers as the partner sees them
sheet.write(1, 1, "Indberetning fra SKOLE")
for j, h in enumerate(["dataelement", "område", "periode", "værdi"]):
    sheet.write(3, j + 1, h)
rows = [
    ("ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", 40),
    ("ELEVER_UDD_15MD", "0561-OST-N", "2023/24", 0x2A),
    ("ELEVER_AFGANG_9KL", "0561-OST-S", "2023/24", 0x07),
    ("ELEVER_UDD_15MD", "0561-OST-S", "2023/24", 20),
]
for i, (e, a, p, v) in enumerate(rows, start=4):
    sheet.write(i, 1, e)
    sheet.write(i, 2, a)
    sheet.write(i, 3, p)
    if v in (0x2A, 0x07) and i in (5, 6):
        sheet.row(i).set_cell_error(4, v)
    else:
        sheet.write(i, 4, v)
book.save("error_cells.xls")
