"""Read a client's CSV files: named columns only, fast (pyarrow), with errors that name file, row and column.

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first person row 2 (lines
starting with ``#`` above the header, such as the shipped example's "synthetic" notes, count as rows too
and are skipped).
No error message ever quotes a cell: a file's ids, names and attributes are the client's, and
an error line travels into logs and e-mails. It says where the problem is and what was expected.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

BLOCK = 1 << 24  # bytes per block read (pyarrow), and per step of the error scans
SHOWN = 5  # rows named per problem


class ClientFileError(ValueError):
    """A client file is missing, unreadable or inconsistent; one line per problem."""


def rows_text(rows: np.ndarray, first: int = 2) -> str:
    """'row 7' or 'rows 7, 9, 12 (and 40 more)' from 0-based data row indices; ``first``: the first data row's."""
    rows = np.asarray(rows)
    shown = ", ".join(str(int(r) + first) for r in rows[:SHOWN])
    more = f" (and {rows.shape[0] - SHOWN} more)" if rows.shape[0] > SHOWN else ""
    return f"row{'s' if rows.shape[0] > 1 else ''} {shown}{more}"


def place(path, rows: np.ndarray, first: int, column: str) -> str:
    """'FILE (rows ..., column 'NAME')': where a problem is, for the start of an error line."""
    return f"{path} ({rows_text(rows, first)}, column {column!r})"


def header(path: Path) -> tuple[list[str], int]:
    """The column names of ``path``'s header and the number of ``#`` lines above it (checked: exists, UTF-8)."""
    if not path.is_file():
        raise ClientFileError(f"{path}: file not found (a relative path is read from the scenario file's folder)")
    with path.open("rb") as f:
        head = f.read(1 << 16)
    if not head.strip():
        raise ClientFileError(f"{path}: the file is empty; expected a header row and one row per record")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ClientFileError(f"{path} (row 1): UTF-16 text; save the file as CSV UTF-8")
    lines = head.removeprefix(codecs.BOM_UTF8).split(b"\n")
    notes = next((i for i, line in enumerate(lines) if not line.startswith(b"#")), len(lines))
    try:
        text = lines[min(notes, len(lines) - 1)].rstrip(b"\r").decode("utf-8")
    except UnicodeDecodeError:
        raise ClientFileError(f"{path} (row {notes + 1}): the header is not UTF-8 text; save the file as CSV UTF-8"
                              ) from None
    return next(csv.reader([text]), []), notes


def read_columns(path: Path, columns: dict[str, pa.DataType], what: str) -> tuple[pa.Table, int]:
    """The named ``columns`` of CSV ``path`` (others are never read) and its first data row's number.

    ``what`` names the file in errors.
    """
    names, notes = header(path)
    missing = [c for c in columns if c not in names]
    if missing and len(names) == 1 and ";" in names[0]:
        raise ClientFileError(f"{path} (row {notes + 1}): the {what} is separated by semicolons; save it as "
                              "comma-separated CSV (UTF-8)")
    if missing:
        raise ClientFileError(f"{path} (row {notes + 1}): the {what} has no column {', '.join(map(repr, missing))}; "
                              f"its columns are {', '.join(map(repr, names))} (set the column names in "
                              "organization.org_chart)")
    duplicated = sorted({c for c in columns if names.count(c) > 1})
    if duplicated:
        raise ClientFileError(f"{path} (row {notes + 1}): column {', '.join(map(repr, duplicated))} appears twice "
                              "in the header")
    convert = pacsv.ConvertOptions(include_columns=list(columns), column_types=columns, null_values=[""],
                                   strings_can_be_null=True, quoted_strings_can_be_null=True)
    try:
        table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=BLOCK, skip_rows=notes),
                               convert_options=convert)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # its message quotes the bad cell: never shown
        try:
            problem = diagnose(path, names, notes, columns, what)
        except Exception:  # noqa: BLE001  (whatever the scan meets, no message of a library is shown)
            problem = f"{path}: not a readable CSV {what} (comma-separated, UTF-8, a header row)"
        raise ClientFileError(problem) from None
    if table.num_rows == 0:
        raise ClientFileError(f"{path}: the {what} has a header but no rows")
    return table, notes + 2


def diagnose(path: Path, names: list[str], notes: int, columns: dict[str, pa.DataType], what: str) -> str:
    """Why pyarrow could not read ``path``: the first bad byte, row length or number, by row and column."""
    bad = first_bad_utf8(path)
    if bad is not None:
        row, offset_in_row = bad
        where = column_at(path, row, offset_in_row, names)
        return f"{path} (row {row}, {where}): not UTF-8 text; save the file as CSV UTF-8"
    expected = len(names)
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row, fields in enumerate(csv.reader(f), start=1):
            if row > notes and len(fields) != expected and fields:
                return f"{path} (row {row}): {len(fields)} fields; expected {expected}, as in the header"
    numeric = [c for c, t in columns.items() if pa.types.is_floating(t)]
    table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(skip_rows=notes), convert_options=pacsv.ConvertOptions(
        include_columns=numeric, column_types=dict.fromkeys(numeric, pa.string()), null_values=[""],
        strings_can_be_null=True))
    for name in numeric:
        text = table.column(name).to_numpy(zero_copy_only=False)
        given = np.array([t is not None for t in text])
        number = np.array([_is_number(t) for t in text[given]])
        rows = np.flatnonzero(given)[~number]
        if rows.size:
            return f"{path} ({rows_text(rows, notes + 2)}, column {name!r}): not a number"
    return f"{path}: not a readable CSV {what} (comma-separated, UTF-8, a header row)"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def first_bad_utf8(path: Path) -> tuple[int, int] | None:
    """(row, byte offset in that row) of the first byte that is not UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    row, row_start, consumed = 1, 0, 0
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                before = block[: exc.start]
                lines = before.count(b"\n")
                start = consumed + before.rfind(b"\n") + 1 if lines else row_start
                return row + lines, consumed + exc.start - start
            lines = block.count(b"\n")
            if lines:
                row_start = consumed + block.rfind(b"\n") + 1
            row += lines
            consumed += len(block)
    return None


def column_at(path: Path, row: int, offset: int, names: list[str]) -> str:
    """'column NAME' of the byte at ``offset`` in ``row`` (fields counted by commas outside quotes)."""
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if number == row:
                prefix = line[:offset].decode("utf-8", errors="replace")
                fields = next(csv.reader(io.StringIO(prefix + "\n")), [""])
                index = len(fields) - 1
                return f"column {names[index]!r}" if index < len(names) else f"field {index + 1}"
    return "column ?"
