"""The scenarios and experiments shipped with orgsim, inside the package (so a wheel has them too).

``scenarios/*.yaml`` and ``experiments/*.yaml`` live in this folder; in a clone of the repository, the
top-level ``scenarios/`` and ``experiments/*.yaml`` are links to them. ``orgsim examples DIR`` copies them
out (:func:`copy_examples`), and a command given a name instead of a file (``orgsim run top_down``,
``orgsim sweep leaders``) finds the shipped file (:func:`find`); a path that exists wins.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"
EXPERIMENTS = HERE / "experiments"
KINDS = {"scenario": SCENARIOS, "experiment": EXPERIMENTS}


def names(kind: str = "scenario") -> list[str]:
    """The names of the shipped scenarios (or experiments), sorted."""
    return sorted(path.stem for path in KINDS[kind].glob("*.yaml"))


def find(path: str | Path, kind: str = "scenario") -> Path:
    """``path`` if it exists; else the shipped file it names (``top_down`` or ``top_down.yaml``); else ``path``.

    A path that does not exist and names no shipped file is returned as it is, for the caller's usual
    "no such file" error.
    """
    path = Path(path)
    if path.exists() or path.parent != Path("."):
        return path
    shipped = KINDS[kind] / (path.name if path.suffix in (".yaml", ".yml") else f"{path.name}.yaml")
    return shipped if shipped.is_file() else path


def copy_examples(target: str | Path, overwrite: bool = False) -> list[Path]:
    """Copy the shipped scenarios and experiments into ``target/scenarios`` and ``target/experiments``.

    The experiments name their scenario as ``../scenarios/NAME.yaml``, and a scenario's data files (the
    client example's ``client_example/*.csv``) are copied beside it, so the copies run as they are.
    Existing files are left alone unless ``overwrite``: a :class:`FileExistsError` names them and
    nothing is copied. Returns the files written.
    """
    target = Path(target)
    pairs = [(source, target / folder.name / source.relative_to(folder))
             for folder in (SCENARIOS, EXPERIMENTS)
             for source in sorted([*folder.glob("*.yaml"), *folder.glob("*/*.csv")])]
    if not overwrite and (existing := [str(dest) for _, dest in pairs if dest.exists()]):
        raise FileExistsError(f"{len(existing)} file(s) exist already, e.g. {existing[0]} "
                              "(use --overwrite to replace them)")
    for source, dest in pairs:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    return [dest for _, dest in pairs]
