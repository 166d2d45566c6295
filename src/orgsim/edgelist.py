"""Read an edge list (CSV ``source,target`` of 0-based person ids), checked as ``validate`` and ``run`` both need.

Every problem is a :class:`ValueError` of one line naming the file: not found, not UTF-8, empty, not a
table, without the two columns, or with an id that is not a whole number in ``0..n-1``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

_ID = r"\s*\+?[0-9]{1,12}\s*"  # a non-negative whole number (no sign, point or exponent)


def read_edgelist(path: str | Path, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(source, target)`` id arrays of the edge list at ``path`` for ``n`` people."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise ValueError(f"edgelist {path}: cannot be read ({exc.strerror or exc})") from None
    return _read(path, n, info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=4)  # a sweep validates its scenario once per design point
def _read(path: Path, n: int, mtime_ns: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd  # here only: a simulation (in a worker process too) needs no pandas otherwise

    where = f"edgelist {path}"
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", encoding_errors="strict")
    except UnicodeDecodeError:
        raise ValueError(f"{where}: not UTF-8 text; save it as UTF-8 CSV") from None
    except pd.errors.EmptyDataError:
        raise ValueError(f"{where}: the file is empty; expected a header line 'source,target', then one tie a "
                         "line") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1][:200]
        raise ValueError(f"{where}: not a CSV table of two columns ({detail})") from None
    except OSError as exc:
        raise ValueError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    if not {"source", "target"} <= set(table.columns):
        found = ", ".join(repr(c[:40]) for c in table.columns[:5])
        raise ValueError(f"{where}: expected columns 'source' and 'target' in the first line, got {found}")
    ids = []
    for column in ("source", "target"):
        text = table[column]
        whole = text.str.fullmatch(_ID)
        if not whole.all():
            row = int(np.argmax(~whole.to_numpy()))
            raise ValueError(f"{where} (line {row + 2}): {column} {text.iloc[row][:40]!r} is not a person id "
                             f"(a whole number in 0..{n - 1})")
        values = text.to_numpy(dtype=np.int64) if len(text) else np.zeros(0, np.int64)
        outside = values >= n
        if outside.any():
            row = int(np.argmax(outside))
            raise ValueError(f"{where} (line {row + 2}): {column} {values[row]} is not a person id: ids lie in "
                             f"0..{n - 1} (n_employees)")
        ids.append(values)
    return ids[0], ids[1]
