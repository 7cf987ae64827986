"""sitroom: a situation room for migration emergencies at external borders."""

__version__ = "0.1.0"
