"""Spreadsheets as downloads: a streamed CSV or a spooled XLSX, both neutralised.

Built on ``vungxanh.lib.spreadsheet`` and ``vungxanh.lib.workbook``: every cell of a
download has been through ``safe_cell``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from vungxanh.lib.spreadsheet import Show, csv_lines
from vungxanh.lib.workbook import XLSX_CONTENT_TYPE, Book

SPOOL_BYTES = 16 * 1024 * 1024  # larger workbooks are spooled to a temporary file


def csv_download(
    filename: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    show: Show | None = None,
) -> StreamingHttpResponse:
    """Stream ``rows`` under ``header`` as the CSV file ``filename``."""
    response = StreamingHttpResponse(
        csv_lines(header, rows, show=show), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_download(filename: str, book: Book, *, spool: bool = False) -> HttpResponse:
    """Send ``book`` as the XLSX file ``filename``.

    A report of a few sheets is sent from memory; ``spool`` sends an export of any length
    through a temporary file instead.
    """
    if not spool:
        response = HttpResponse(book.content(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    # FileResponse closes the file once it has been sent.
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    book.save(handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
