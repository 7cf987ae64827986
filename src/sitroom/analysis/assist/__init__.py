"""Assistance arithmetic: the pipeline as of a day, and the allocation of offers to needs."""
