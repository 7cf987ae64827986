"""Surge detection on count series: R ``surveillance`` ports and a border-surge method."""
