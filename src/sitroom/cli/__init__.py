"""The `sitroom` command: one module per command group, each a thin shell over services."""
