"""Where numba caches orgsim's compiled kernels: beside the code, or a user cache folder where that is read-only.

numba writes its cache (``kernels.*.nbi``/``.nbc``) into ``__pycache__`` beside the source. In an install
folder the user cannot write (a system-wide or read-only install, a container image), ``import orgsim``
points numba at ``$XDG_CACHE_HOME/orgsim/numba`` (``~/.cache/orgsim/numba``; ``%LOCALAPPDATA%`` on
Windows) instead, so the kernels are compiled once per user, not on every run. A ``NUMBA_CACHE_DIR`` the
user has set is left as it is.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def user_cache_dir() -> Path:
    """The user's cache folder for orgsim's kernels."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "orgsim" / "numba"


def cache_dir(package: Path = PACKAGE) -> Path | None:
    """``None`` if numba can cache beside the code in ``package``; else the user's cache folder."""
    pycache = package / "__pycache__"
    return None if os.access(pycache if pycache.exists() else package, os.W_OK) else user_cache_dir()


def configure(package: Path = PACKAGE) -> Path | None:
    """Set ``NUMBA_CACHE_DIR`` to :func:`cache_dir` where the package folder is read-only; return it (or None)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    folder = cache_dir(package)
    if folder is not None:
        os.environ["NUMBA_CACHE_DIR"] = str(folder)
        if "numba" in sys.modules:  # imported before orgsim: numba has read its settings already
            sys.modules["numba"].config.CACHE_DIR = str(folder)
    return folder
