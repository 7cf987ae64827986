"""Numerical work on series: arrays or dataclasses in, dataclasses out; no database, no web."""
