"""The vocabulary of sitroom: plain dataclasses, enums and rules; no database, no web."""
