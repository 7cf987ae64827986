"""What every command shares: the engine from settings, the consoles and the exit codes."""

from __future__ import annotations

import enum
import json
from typing import Any

import typer
from rich.console import Console
from sqlalchemy import Engine

from ..config import SettingsError, load_settings
from ..store.engine import make_engine

out = Console()
err = Console(stderr=True)


class Exit(enum.IntEnum):
    """Exit codes scripts can rely on."""

    OK = 0
    ROWS_REJECTED = 1
    BAD_INPUT = 2


def engine() -> Engine:
    try:
        return make_engine(load_settings())
    except SettingsError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(Exit.BAD_INPUT) from None


def print_json(data: Any) -> None:
    # Plain print, not Rich: scripts parse this, and Rich would wrap long lines.
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
