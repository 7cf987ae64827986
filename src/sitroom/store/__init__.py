"""Persistence: SQLAlchemy tables, queries, the unit of work and the Alembic migrations."""
