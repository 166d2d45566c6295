"""Reading usage data: the Microsoft Viva Engage reports as exported, plain CSVs, and every kind of broken file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from orgsim.calibration.data import DataError, read_usage

EXAMPLE = Path(__file__).resolve().parents[1] / "experiments" / "calibration"
HEADER = "Report Refresh Date,Liked,Posted,Read,Report Date,Report Period"
LAUNCH = dt.date(2026, 1, 5)


def microsoft(rows: list[tuple[int, int, int, str]], bom: bool = True) -> str:
    """A user-counts report as Microsoft writes it: a byte-order mark, newest day first."""
    lines = [HEADER] + [f"2026-02-01,{liked},{posted},{read},{date},7" for liked, posted, read, date in rows]
    return ("\ufeff" if bom else "") + "\n".join(lines) + "\n"


GOOD = [(1, 2, 30, "2026-01-07"), (0, 1, 20, "2026-01-06"), (0, 0, 10, "2026-01-05")]


def write(tmp_path: Path, text: str | bytes, name: str = "usage.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_reads_a_microsoft_user_counts_report_as_exported(tmp_path):
    data = read_usage([(write(tmp_path, microsoft(GOOD)), "user_counts")], head_count=100, launch=LAUNCH)
    frame = data.frame
    assert frame["day"].tolist() == [0, 1, 2]  # sorted by date, day 0 = launch
    assert frame["readers"].tolist() == [10, 20, 30]
    assert frame["posters"].tolist() == [0, 1, 2]
    assert frame["likers"].tolist() == [0, 0, 1]


def test_reads_the_activity_counts_report_and_joins_files_on_dates(tmp_path):
    users = write(tmp_path, microsoft(GOOD), "users.csv")
    messages = write(tmp_path, microsoft([(5, 6, 700, "2026-01-07"), (4, 3, 500, "2026-01-06"),
                                          (0, 0, 0, "2026-01-05")]), "messages.csv")
    data = read_usage([(users, "user_counts"), (messages, "activity_counts")], head_count=100, launch="2026-01-05")
    assert data.frame["messages_read"].tolist() == [0, 500, 700]  # messages may exceed the head count
    assert set(data.observables) == {"readers", "posters", "likers", "messages_read", "messages_posted",
                                     "messages_liked"}


def test_reads_a_plain_csv_with_any_observables(tmp_path):
    path = write(tmp_path, "# a comment\ndate,registered,active_7d\n2026-01-06,12,8\n2026-01-05,10,5\n")
    data = read_usage([(path, "auto")], head_count=50, launch=LAUNCH)
    assert data.frame["registered"].tolist() == [10, 12]
    assert data.observables == ["registered", "active_7d"]


def test_reads_the_shipped_synthetic_example():
    data = read_usage([(EXAMPLE / "synthetic_YammerActivityUserCounts.csv", "user_counts"),
                       (EXAMPLE / "synthetic_YammerActivityCounts.csv", "activity_counts")], 2000, LAUNCH)
    assert data.days == list(range(180))


BROKEN = {
    "missing column": (microsoft(GOOD).replace(",Liked", ""), "user_counts", "missing column 'Liked'"),
    "date gap": (microsoft([GOOD[0], GOOD[2]]), "user_counts", "date gap: no line for 2026-01-06"),
    "negative count": (microsoft([(0, -1, 3, "2026-01-05")]), "user_counts", "Posted: -1 is negative"),
    "more users than employees": (microsoft([(0, 1, 101, "2026-01-05")]), "user_counts",
                                  "readers = 101 is more than the 100 employees"),
    "wrong encoding": ("date,readers\n2026-01-05,3\n# caf\xe9\n".encode("latin-1"), "auto", "not UTF-8 text"),
    "UTF-16": ("date,readers\n2026-01-05,3\n".encode("utf-16"), "auto", "UTF-16 text"),
    "empty file": ("", "auto", "the file is empty"),
    "header only": (HEADER + "\n", "user_counts", "only a header line"),
    "unparseable date": (microsoft([(0, 1, 3, "05/01/2026")]), "user_counts", "'05/01/2026' is not a date"),
    "duplicate dates": (microsoft([(0, 1, 3, "2026-01-05"), (0, 1, 4, "2026-01-05")]), "user_counts",
                        "2026-01-05 given twice"),
    "non-numeric count": (microsoft([(0, "n/a", 3, "2026-01-05")]), "user_counts", "'n/a' is not a number"),
    "fractional count": (microsoft([(0, 1.5, 3, "2026-01-05")]), "user_counts", "'1.5' is not a whole number"),
    "empty count": (microsoft([(0, "", 3, "2026-01-05")]), "user_counts", "Posted: empty"),
    "ragged row": (microsoft(GOOD) + "2026-02-01,1,2\n", "user_counts", "3 fields; the header has 6"),
    "unknown plain column": ("date,reders\n2026-01-05,3\n", "auto", "column 'reders' is not an observable"),
    "Microsoft report not named": (microsoft(GOOD), "auto", "say which one with report: user_counts"),
    "neither layout": ("day,users\n0,3\n", "auto", "neither a Microsoft Viva Engage report"),
    "before launch": (microsoft([(0, 1, 3, "2026-01-05"), (0, 1, 3, "2026-01-04")]), "user_counts",
                      "1 days before the launch (2026-01-05)"),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_files_are_rejected_with_a_clear_line(tmp_path, kind):
    text, report, expected = BROKEN[kind]
    path = write(tmp_path, text)
    with pytest.raises(DataError) as info:
        read_usage([(path, report)], head_count=100, launch=LAUNCH)
    message = str(info.value)
    assert expected in message, message
    assert all(line.startswith(str(path)) for line in message.splitlines()), message  # each line names the file


def test_every_problem_is_reported_one_per_line(tmp_path):
    rows = [(0, -1, 3, "2026-01-07"), (0, "x", 3, "2026-01-06"), (0, 1, 3, "2026-13-01")]
    with pytest.raises(DataError) as info:
        read_usage([(write(tmp_path, microsoft(rows)), "user_counts")], head_count=100, launch=LAUNCH)
    lines = str(info.value).splitlines()
    assert len(lines) == 3 and "(line 2)" in lines[0] and "(line 3)" in lines[1] and "(line 4)" in lines[2]


def test_files_covering_different_days_are_rejected(tmp_path):
    users = write(tmp_path, microsoft(GOOD), "users.csv")
    messages = write(tmp_path, microsoft(GOOD[:2]), "messages.csv")
    with pytest.raises(DataError, match="must cover the same days"):
        read_usage([(users, "user_counts"), (messages, "activity_counts")], head_count=100, launch=LAUNCH)
