"""CSV downloads that spreadsheet programs open safely.

UTF-8 with a byte order mark, so Excel reads non-Latin text as UTF-8; every
text cell guarded against formula injection (OWASP's "CSV injection"): a
cell a spreadsheet would read as a formula is prefixed with a quote. Shared by
every download (the offices list, an audit export).
"""

import csv

from django.http import HttpResponse, StreamingHttpResponse

# What makes a spreadsheet read a cell as a formula: the four operators (and
# their full-width forms, which some spreadsheets take for them), even after
# spaces, which LibreOffice skips; and a tab or carriage return at the very
# start, which some programs skip before looking (OWASP).
OPERATORS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CONTROL_STARTS = ("\t", "\r")

# Several values in one cell (field offices, mandates, terms).
LIST_SEPARATOR = "; "
# A spreadsheet opened with ";" as its separator splits a cell there: every
# part is guarded as if it were a cell of its own.
SPLIT_AT = ";"

BOM = "\ufeff"


def _guarded(text):
    """text with a quote before what a spreadsheet would read as a formula:
    at the start, or after the spaces that hid it."""
    if text.startswith(CONTROL_STARTS):
        return "'" + text
    body = text.lstrip()
    if body.startswith(OPERATORS):
        return text[: len(text) - len(body)] + "'" + body
    return text


def safe_cell(value):
    """One cell's text: lists joined, None empty, formulas defused.

    Every part between semicolons is checked (a list's items included), so
    the cell stays safe however a spreadsheet splits it. Numbers are written
    as they are: a negative number is data, not a formula anybody wrote, and
    a quote would make it text.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    text = value if isinstance(value, str) else str(value)
    return SPLIT_AT.join(_guarded(part) for part in text.split(SPLIT_AT))


def write_csv(file, header, rows):
    """Write the BOM, the header and every row (an iterable of sequences)."""
    file.write(BOM)
    writer = csv.writer(file)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)


def csv_response(filename, header, rows):
    """A download of the rows as filename, built in memory (it is cached)."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    write_csv(response, header, rows)
    return response


class _Echo:
    """A file whose write() hands back what it is given, for a streamed CSV."""

    def write(self, value):
        return value


def csv_streaming_response(filename, header, rows):
    """A download of the rows as filename, written as they are read.

    For lists that only grow (the audit trail): the rows are never all in
    memory. Not cacheable: the data is not public.
    """
    writer = csv.writer(_Echo())

    def lines():
        yield BOM + writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(value) for value in row])

    response = StreamingHttpResponse(
        lines(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    response["Cache-Control"] = "private, no-store"
    return response
