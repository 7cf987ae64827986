"""The web situation room: a JSON API (api/) and server-rendered pages (pages/), built by
`create_app(settings)` in app.py; nothing is built at import time."""
