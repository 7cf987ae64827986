"""The app factory uvicorn's workers call: settings from the environment, read on start."""

from __future__ import annotations

from fastapi import FastAPI

from .app import create_app
from .settings import load_web_settings


def app_from_environment() -> FastAPI:
    return create_app(load_web_settings())
