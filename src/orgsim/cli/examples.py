"""``orgsim examples``: the shipped scenarios and experiments, listed or copied out to edit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from orgsim.cli.common import Quiet, app, console, fail, stdout_console


@app.command()
def examples(
    folder: Annotated[Path | None, typer.Argument(
        help="Copy them into FOLDER/scenarios and FOLDER/experiments \\[default: only list them].",
        show_default=False, metavar="FOLDER")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace files that exist already.")] = False,
    quiet: Quiet = False,
) -> None:
    """List the shipped scenarios and experiments, or copy them into FOLDER to change and run them.

    Any command also takes a shipped file by name: `orgsim run top_down`, `orgsim sweep leaders`.
    """
    from orgsim.examples import copy_examples, names

    if folder is None:
        stdout_console.print(f"scenarios: {' '.join(names('scenario'))}", highlight=False, soft_wrap=True)
        stdout_console.print(f"experiments: {' '.join(names('experiment'))}", highlight=False, soft_wrap=True)
        return
    try:
        written = copy_examples(folder, overwrite=overwrite)
    except (FileExistsError, OSError) as exc:
        fail(str(exc))
    if not quiet:
        console.print(f"Copied {len(written)} files into [bold]{escape(str(folder / 'scenarios'))}[/] and "
                      f"[bold]{escape(str(folder / 'experiments'))}[/]; try `orgsim run "
                      f"{escape(str(folder / 'scenarios' / 'top_down.yaml'))}`", highlight=False)
