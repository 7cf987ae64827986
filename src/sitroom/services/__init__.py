"""The use cases. The CLI and the web call these and nothing else; each write commits once."""
