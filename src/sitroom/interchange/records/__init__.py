"""The kinds of records sitroom exchanges in files: figures, incidents, sites and sections."""
