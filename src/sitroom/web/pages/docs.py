"""The API's documentation, offline: rendered here from the OpenAPI document rather than by
Swagger UI from a CDN. The machine-readable document is /api/openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..deps import MaybeAuth
from .common import render

router = APIRouter()


@router.get("/api/docs")
def api_docs(request: Request, auth: MaybeAuth) -> Response:
    spec: dict[str, Any] = request.app.openapi()
    operations = []
    for path, methods in sorted(spec.get("paths", {}).items()):
        for method, op in methods.items():
            parameters = [
                {
                    "name": p.get("name", ""),
                    "where": p.get("in", ""),
                    "required": p.get("required", False),
                    "description": p.get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {})
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "tag": (op.get("tags") or [""])[0],
                    "parameters": parameters,
                    "body": ", ".join(body),
                }
            )
    return render(request, "api_docs.html", auth, {"operations": operations, "info": spec["info"]})
