"""`python -m sitroom.cli` runs the command line."""

from .main import run

run()
