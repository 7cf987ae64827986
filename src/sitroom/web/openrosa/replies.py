"""OpenRosa's answers: XML bodies, the version header on every one, and the form list and
manifest documents Collect reads."""

from __future__ import annotations

from xml.sax.saxutils import escape

from fastapi.responses import Response

from ...field.forms import FieldForm

XML = "text/xml; charset=utf-8"
OPENROSA_HEADERS = {"X-OpenRosa-Version": "1.0"}


class OpenRosaError(Exception):
    """Answered as an OpenRosa message with this status; nothing was stored."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def xml_reply(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
        status_code=status,
        media_type=XML,
        headers={**OPENROSA_HEADERS, **(headers or {})},
    )


def message_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    nature = "submit_success" if status < 300 else "error"
    body = (
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f'<message nature="{nature}">{escape(message)}</message></OpenRosaResponse>'
    )
    return xml_reply(body, status, headers)


def form_list(forms: list[FieldForm], base: str) -> str:
    items = "".join(
        "<xform>"
        f"<formID>{escape(f.form_id)}</formID>"
        f"<name>{escape(f.title)}</name>"
        f"<version>{escape(f.version)}</version>"
        f"<hash>{f.md5}</hash>"
        f"<downloadUrl>{escape(base)}/forms/{escape(f.form_id)}/form.xml</downloadUrl>"
        f"<manifestUrl>{escape(base)}/forms/{escape(f.form_id)}/manifest</manifestUrl>"
        "</xform>"
        for f in forms
    )
    return f'<xforms xmlns="http://openrosa.org/xforms/xformsList">{items}</xforms>'


def manifest(files: list[tuple[str, str]], base: str) -> str:
    """`files` are (name, md5 hex) pairs; each is downloaded from `base/<name>`."""
    items = "".join(
        "<mediaFile>"
        f"<filename>{escape(name)}</filename>"
        f"<hash>md5:{digest}</hash>"
        f"<downloadUrl>{escape(base)}/{escape(name)}</downloadUrl>"
        "</mediaFile>"
        for name, digest in files
    )
    return f'<manifest xmlns="http://openrosa.org/xforms/xformsManifest">{items}</manifest>'
