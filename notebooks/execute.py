"""Run every notebook here top to bottom and save it with its outputs, so that a code host shows its figures.

    python notebooks/execute.py            # all notebooks
    python notebooks/execute.py 01_quickstart.ipynb

Run it after changing a notebook or the model; tests/test_notebooks.py checks that each notebook is saved
from one clean run (cells numbered 1, 2, 3, ... and no errors) and that it still executes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def execute(path: Path) -> None:
    """Execute ``path`` in its folder and write it back with its outputs (timing metadata dropped)."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
                   ).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(p.name for p in HERE.glob("*.ipynb")):
        print(f"executing {name}", flush=True)
        execute(HERE / name)
