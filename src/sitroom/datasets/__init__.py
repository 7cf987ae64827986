"""Real, cited datasets shipped with sitroom, turned into sitroom's import files."""
