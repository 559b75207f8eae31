"""What every `moocast` command module shares: the error console and the failure exit."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console

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
