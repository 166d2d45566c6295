"""What every ``orgsim`` command shares: the app, error handling, progress bars, tables."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from orgsim.output import OutputError
from orgsim.scenario import ScenarioError

app = typer.Typer(
    help="orgsim: simulate how an organization adopts (or fails to adopt) an internal social platform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)


def examples(*lines: str) -> str:
    """The epilog of a command's --help: real examples, one a line."""
    return "[bold]Examples[/bold]\n\n" + "\n\n".join(f"  [cyan]{line}[/cyan]" for line in lines)


# progress, messages and errors; lines are never wrapped (so paths and errors can be copied and grepped)
console = Console(stderr=True, soft_wrap=True)
ORGSIM_DIR = str(Path(__file__).resolve().parents[1])  # warnings issued from here on are orgsim's
_python_showwarning = warnings.showwarning
stdout_console = Console()  # tables of results (so `orgsim run FILE > summary.txt` keeps them)

def find_scenario(path: Path | None) -> Path | None:
    """A scenario file, or the shipped scenario a name names (``top_down``); a path that exists wins."""
    from orgsim.examples import find

    return None if path is None else find(path, "scenario")


def find_scenarios(paths: list[Path]) -> list[Path]:
    """:func:`find_scenario` of each."""
    return [find_scenario(path) for path in paths]


ScenarioFile = Annotated[Path, typer.Argument(
    help="Scenario YAML file, or the name of a shipped scenario (top_down; `orgsim examples` lists them).",
    show_default=False, metavar="SCENARIO", callback=find_scenario)]
Force = Annotated[bool, typer.Option(
    "--force", help="Replace an output that already holds files (another run's), whole; without it that is an error.")]
Quiet = Annotated[bool, typer.Option(
    "--quiet", "-q", help="For scripts: print only warnings and errors (no progress bars, tables or messages).")]


def _print_version(value: bool) -> None:
    if value:
        from orgsim import __version__

        typer.echo(f"orgsim {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                                   help="Print the version and exit.")] = False) -> None:
    warnings.showwarning = _print_warning


def _print_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Show orgsim's warnings (a value without effect, an event after the run) as one ``warning:`` line.

    Other warnings (a library's) keep Python's usual report, which says where they come from.
    """
    if category is UserWarning and filename.startswith(ORGSIM_DIR):
        console.print(f"[bold yellow]warning:[/] {escape(str(message))}", highlight=False)
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


def print_errors(message: str) -> None:
    """Print each line of ``message`` as one ``error:`` line on stderr."""
    for line in message.split("\n"):  # a control character in a value never reaches the terminal raw
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)
        console.print(f"[bold red]error:[/] {escape(shown)}", highlight=False)


def fail(message: str, code: int = 2) -> None:
    """Print an error without a traceback and exit."""
    print_errors(message)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn scenario and file errors into clean messages with exit status 2."""
    try:
        yield
    except (ScenarioError, OutputError) as exc:
        fail(str(exc))
    except OSError as exc:  # one line naming the file, e.g. "results/x/summary.json: No space left on device"
        fail(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else f"{type(exc).__name__}: {exc}")
    except ValueError as exc:
        fail(f"{type(exc).__name__}: {exc}")


@contextmanager
def day_progress(days: int, replicates: int, label: str, quiet: bool) -> Iterator:
    """A progress bar over the run's days; yields the callback of one simulated day of one replicate (or None).

    The bar counts the days a user asked for (365 for a year, however many replicates run side by side):
    each replicate's day advances it by 1 / ``replicates``. Its time estimate starts once the kernels are
    loaded, so the first estimate is not thrown off by the wait for them.
    """
    if quiet or days < 1:
        yield None
        return
    from orgsim.runner import LOADING_KERNELS, kernels_loaded

    label = escape(label) + (f" ({replicates} replicates)" if replicates > 1 else "")
    waiting = "" if kernels_loaded() else f": {LOADING_KERNELS}"
    if not console.is_terminal:  # no live bar (a log file, CI): say once what the first wait is
        if waiting:
            console.print(f"{label}{waiting}...", highlight=False)
        yield None
        return
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("days"),
               TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        # until the first day is done, say what the wait is: numba loads the kernels (compiles them on first use)
        task = progress.add_task(f"{label}{waiting}", total=days)
        started = False

        def tick() -> None:
            nonlocal started
            if not started:
                progress.reset(task, total=days, description=label)  # the clock starts with the first day
                started = True
            progress.advance(task, 1 / replicates)

        yield tick


def summary_table(results: list) -> Table:
    """The headline metrics as a rich table, one column per run: the mean and, in brackets, its spread."""
    from orgsim.metrics import spread_table, spread_words
    from orgsim.viz.narrative import spread_cell, title
    from orgsim.viz.report import HEADLINES

    runs = min(len(r.replicates) for r in results)
    caption = f"Means of {runs} runs; in brackets: {spread_words(runs)}" if runs > 1 else "One run: no spread"
    table = Table(title=caption)
    table.add_column("metric")
    for r in results:
        table.add_column(escape(title(r.scenario)), justify="right")
    spreads = [spread_table(r.replicates, [h.key for h in HEADLINES]) for r in results]
    for h in HEADLINES:
        table.add_row(h.label, *(spread_cell(s, h.key, h.pattern) for s in spreads))
    return table
