"""Entry point: `sitroom --help` lists the command groups."""

from __future__ import annotations

import typer

from . import analysis, assist, browse, demo, foresee, live, report, transfer, warn, web

app = typer.Typer(
    name="sitroom",
    help=(
        "sitroom — a situation room for migration emergencies at external borders. "
        "Data lives in SQLite (./sitroom.db) unless SITROOM_DATABASE_URL names a PostgreSQL "
        "database (postgresql://user:pass@host/db)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (transfer, browse, analysis, warn, foresee, assist, demo, report, web, live):
    module.register(app)


def run() -> None:
    app()
