"""CSV that a spreadsheet opens as text: OWASP's CSV-injection rule. A text cell starting with = + - @ tab or
carriage return would be read as a formula (=HYPERLINK(...), -2+3+Cmd|...), so it gets a leading apostrophe, which
spreadsheets show as nothing and which makes the rest plain text. Numbers stay numbers."""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class FormulaSafeWriter:
    """csv.writer with every text cell passed through `formula_safe`: every CSV the site writes uses it."""

    def __init__(self, handle, **options):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row):
        return self._writer.writerow([formula_safe(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)
