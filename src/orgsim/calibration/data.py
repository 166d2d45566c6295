"""Read a client's usage data: the Microsoft 365 Viva Engage (Yammer) reports, or a plain CSV.

Three layouts are read, each exactly as written:

- ``user_counts``: Microsoft Graph ``reportRoot: getYammerActivityUserCounts`` (the admin center's
  "Viva Engage activity: users" export). Columns ``Report Refresh Date, Liked, Posted, Read,
  Report Date, Report Period``: per ``Report Date``, the number of unique users who liked, posted
  and read. They become the observables ``likers``, ``posters`` and ``readers``.
- ``activity_counts``: ``reportRoot: getYammerActivityCounts``, the same columns counting messages:
  ``messages_liked``, ``messages_posted``, ``messages_read``.
- ``plain``: a ``date`` column and any of :data:`PLAIN_COLUMNS`.

Dates are ISO (``YYYY-MM-DD``); a day is ``date - launch`` in days (day 0 is the launch). A file
may begin with ``#`` comment lines (the synthetic examples say there that they are synthetic).
Every problem found is reported, one line each, as a :class:`DataError`; nothing is returned
from a broken file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# observable name -> the daily time-series column (orgsim.metrics.COLUMNS) it is compared with
OBSERVABLES = {
    "registered": "n_registered",
    "active_7d": "n_active_7d",
    "readers": "n_readers",
    "posters": "n_posters",
    "likers": "n_likers",
    "messages_posted": "new_messages",
    "messages_read": "new_reads",
    "messages_liked": "new_endorsements",
}
# observables that count people: none may exceed the head count
PEOPLE = frozenset({"registered", "active_7d", "readers", "posters", "likers"})
PLAIN_COLUMNS = tuple(OBSERVABLES)
MICROSOFT_COLUMNS = ("Report Refresh Date", "Liked", "Posted", "Read", "Report Date", "Report Period")
MICROSOFT = {
    "user_counts": {"Read": "readers", "Posted": "posters", "Liked": "likers"},
    "activity_counts": {"Read": "messages_read", "Posted": "messages_posted", "Liked": "messages_liked"},
}
REPORTS = ("auto", "plain", *MICROSOFT)


class DataError(ValueError):
    """A usage file that cannot be used: one line per problem, each naming the file (and line)."""


@dataclass
class UsageData:
    """Observed daily counts: one row per day since launch, one column per observable."""

    frame: pd.DataFrame  # columns: day, date, and the observables
    head_count: int
    launch: dt.date
    sources: list[str] = field(default_factory=list)

    @property
    def observables(self) -> list[str]:
        """The observables the data holds."""
        return [c for c in self.frame.columns if c in OBSERVABLES]

    @property
    def days(self) -> list[int]:
        """The days since launch the data covers."""
        return self.frame["day"].tolist()


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _decode(path: Path, raw: bytes, problems: list[str]) -> str | None:
    """The text of a UTF-8 file (a byte-order mark is allowed, as Microsoft writes one)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(f"{path}: UTF-16 text (Excel's 'Unicode text'); save the file as CSV UTF-8")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        problems.append(f"{path} (line {line}): not UTF-8 text (byte 0x{raw[exc.start]:02x}); the exports are "
                        "UTF-8: export again, or save the file as CSV UTF-8")
        return None


def _rows(path: Path, text: str, problems: list[str]) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """The header and the data rows with their line numbers, skipping ``#`` comments and blank lines."""
    lines = text.splitlines()
    numbered = [(k + 1, line) for k, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        problems.append(f"{path}: the file is empty; expected a header line and one line per day")
        return None
    reader = csv.reader(io.StringIO("\n".join(line for _, line in numbered)))
    parsed = list(reader)
    header = [h.strip() for h in parsed[0]]
    rows = [(numbered[k][0], row) for k, row in enumerate(parsed[1:], start=1)]
    if not rows:
        problems.append(f"{path}: only a header line; expected one line per day below it")
        return None
    return header, rows


def _count(path: Path, line: int, column: str, text: str, problems: list[str]) -> float | None:
    """A count: a whole, non-negative number."""
    text = text.strip()
    if text == "":
        problems.append(f"{path} (line {line}): {column}: empty; expected a count (0 if none)")
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(f"{path} (line {line}): {column}: {text!r} is not a number; expected a count")
        return None
    if not math.isfinite(value) or value != int(value):
        problems.append(f"{path} (line {line}): {column}: {text!r} is not a whole number; expected a count")
        return None
    if value < 0:
        problems.append(f"{path} (line {line}): {column}: {text} is negative; expected a count >= 0")
        return None
    return value


def _detect(header: list[str]) -> str:
    if "date" in header:
        return "plain"
    if set(MICROSOFT_COLUMNS) & set(header):
        return "microsoft"
    return "unknown"


def read_usage_file(path: str | Path, report: str = "auto") -> tuple[pd.DataFrame, list[str]]:
    """One usage file as a frame (``date`` and observables, sorted by date) and the problems found.

    ``report``: ``plain``, ``user_counts``, ``activity_counts`` or ``auto`` (a plain file has a ``date``
    column; the two Microsoft reports share their columns, so which one a Microsoft file is must be said).
    """
    path = Path(path)
    problems: list[str] = []
    empty = pd.DataFrame(columns=["date"])
    if report not in REPORTS:
        return empty, [f"{path}: report: {report!r}; expected one of {', '.join(REPORTS)}"]
    if not path.is_file():
        return empty, [f"{path}: file not found"]
    text = _decode(path, path.read_bytes(), problems)
    if text is None:
        return empty, problems
    parsed = _rows(path, text, problems)
    if parsed is None:
        return empty, problems
    header, rows = parsed
    kind = _detect(header)
    if report == "auto":
        if kind == "microsoft":
            return empty, [f"{path}: a Microsoft usage report: say which one with report: user_counts "
                           "(getYammerActivityUserCounts, unique users) or report: activity_counts "
                           "(getYammerActivityCounts, messages)"]
        report = "plain" if kind == "plain" else "unknown"
    if report == "unknown":
        return empty, [f"{path}: header {', '.join(header)!s}: neither a Microsoft Viva Engage report "
                       f"({', '.join(MICROSOFT_COLUMNS)}) nor a plain file (date, {', '.join(PLAIN_COLUMNS)})"]
    if report == "plain":
        date_column = "date"
        columns = {name: name for name in header if name != "date"}
        required = ["date"]
        unknown = [name for name in columns if name not in OBSERVABLES]
        for name in unknown:
            problems.append(f"{path}: column {name!r} is not an observable; expected date and any of "
                            f"{', '.join(PLAIN_COLUMNS)}")
        columns = {k: v for k, v in columns.items() if k in OBSERVABLES}
        if not columns and not unknown:
            problems.append(f"{path}: no observable columns; expected date and any of {', '.join(PLAIN_COLUMNS)}")
    else:
        date_column = "Report Date"
        columns = MICROSOFT[report]
        required = list(MICROSOFT_COLUMNS)
    missing = [name for name in required + [c for c in columns if report != "plain"] if name not in header]
    for name in dict.fromkeys(missing):
        problems.append(f"{path}: missing column {name!r} (found: {', '.join(header)})")
    duplicated = sorted({h for h in header if header.count(h) > 1})
    for name in duplicated:
        problems.append(f"{path}: column {name!r} appears more than once")
    if missing or duplicated:
        return empty, problems
    where = {name: header.index(name) for name in header}
    records, seen = [], {}
    for line, row in rows:
        if len(row) != len(header):
            problems.append(f"{path} (line {line}): {len(row)} fields; the header has {len(header)}")
            continue
        raw_date = row[where[date_column]]
        date = _parse_date(raw_date)
        if date is None:
            problems.append(f"{path} (line {line}): {date_column}: {raw_date.strip()!r} is not a date; "
                            "expected YYYY-MM-DD")
            continue
        if date in seen:
            problems.append(f"{path} (line {line}): {date_column}: {date} given twice (first on line {seen[date]})")
            continue
        seen[date] = line
        record = {"date": date}
        for column, name in columns.items():
            record[name] = _count(path, line, column, row[where[column]], problems)
        records.append(record)
    if not records:
        return empty, problems
    frame = pd.DataFrame(records).sort_values("date", ignore_index=True)
    dates = frame["date"].tolist()
    for before, after in zip(dates, dates[1:], strict=False):
        gap = (after - before).days
        if gap > 1:
            missing_days = gap - 1
            problems.append(f"{path}: date gap: no line for {before + dt.timedelta(days=1)}"
                            + (f" to {after - dt.timedelta(days=1)} ({missing_days} days)" if missing_days > 1 else "")
                            + "; every day between the first and the last must have a line")
    return frame, problems


def read_usage(files: list[tuple[str | Path, str]], head_count: int, launch: dt.date | str) -> UsageData:
    """Read and check usage files (``(path, report)`` pairs) against the head count and launch date.

    Files are joined on their dates, which must be the same days. Raises :class:`DataError` with every
    problem, one per line.
    """
    problems: list[str] = []
    if isinstance(launch, str):
        parsed = _parse_date(launch)
        if parsed is None:
            raise DataError(f"launch: {launch!r} is not a date; expected YYYY-MM-DD")
        launch = parsed
    if not isinstance(head_count, int) or head_count < 1:
        raise DataError(f"head_count: {head_count!r}; expected a whole number of employees >= 1")
    if not files:
        raise DataError("data: no usage file given")
    frames = []
    for path, report in files:
        frame, found = read_usage_file(path, report)
        problems += found
        if found:
            continue
        for name in frame.columns:
            if name in PEOPLE:
                over = frame[frame[name] > head_count]
                for _, row in over.head(3).iterrows():
                    problems.append(f"{path}: {row['date']}: {name} = {int(row[name])} is more than the "
                                    f"{head_count} employees (head_count)")
                if len(over) > 3:
                    problems.append(f"{path}: {name}: {len(over) - 3} more days above the head count")
        early = frame[frame["date"] < launch]
        if len(early):
            problems.append(f"{path}: {len(early)} days before the launch ({launch}), from {early['date'].iloc[0]}; "
                            "set launch to the platform's launch date or remove those lines")
        frames.append((str(path), frame))
    if problems:
        raise DataError("\n".join(problems))
    merged = frames[0][1]
    for path, frame in frames[1:]:
        twice = [c for c in frame.columns if c != "date" and c in merged.columns]
        if twice:
            problems.append(f"{path}: {', '.join(twice)} already given by another file")
            continue
        if frame["date"].tolist() != merged["date"].tolist():
            problems.append(f"{path}: covers {frame['date'].iloc[0]} to {frame['date'].iloc[-1]}, another file "
                            f"{merged['date'].iloc[0]} to {merged['date'].iloc[-1]}; the files must cover the same "
                            "days")
            continue
        merged = merged.merge(frame, on="date")
    if problems:
        raise DataError("\n".join(problems))
    merged.insert(0, "day", [(d - launch).days for d in merged["date"]])
    for name in merged.columns:
        if name in OBSERVABLES:
            merged[name] = merged[name].astype("int64")
    return UsageData(merged, head_count, launch, [str(p) for p, _ in files])
