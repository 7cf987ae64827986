"""File formats in and out: one reader and one writer per format, chosen through a registry."""
