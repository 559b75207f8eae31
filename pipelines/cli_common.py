"""What every `moocast` command module shares: the error console and the failure exit."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` as an error on stderr; the Exit to raise (1: bad input or failure, 2: usage)."""
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def shown(counts: dict[str, Any], as_json: bool) -> None:
    """A command's counts on stdout: JSON with --json, else pretty-printed."""
    if as_json:
        print(json.dumps(counts, indent=2))
    else:
        Console().print(counts)


def progress_bar(quiet: bool) -> Progress:
    """A progress bar on stderr (task description, bar, done/total, elapsed), off when `quiet` (e.g. --json) or
    when stderr is not a terminal."""
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=err, disable=quiet or not err.is_terminal)  # fmt: skip


def step_spinner(quiet: bool) -> Progress:
    """A spinner on stderr with what a long command is doing and the time elapsed, for work of no known length;
    off when `quiet` or when stderr is not a terminal."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                    disable=quiet or not err.is_terminal)  # fmt: skip


def given_options(ctx: typer.Context, names: tuple[str, ...]) -> list[str]:
    """The options among `names` given on the command line (not defaulted), as --name: for refusing those that
    do not go together. By the source's name: typer may bring its own copy of click, with its own enum."""
    return [f"--{n}" for n in names if getattr(ctx.get_parameter_source(n), "name", "") == "COMMANDLINE"]
