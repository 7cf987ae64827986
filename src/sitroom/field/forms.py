"""sitroom's field forms: XLSForm files in `sitroom/data/forms`, converted to XForms by pyxform
once per process. The choice lists a form reads (`select_one_from_file x.csv`) are served as
media files per organisation, so a new site changes a list on the phone, not the form's
version: instances filled offline against the same version stay acceptable."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pyxform.xls2xform import convert

FORMS_DIR = Path(str(resources.files("sitroom") / "data" / "forms"))
_MEDIA = re.compile(rb'src="jr://file-csv/([A-Za-z0-9_.-]+)"')
_ROOT = re.compile(rb'<data id="([^"]+)" version="([^"]+)"')
_TITLE = re.compile(rb"<h:title>([^<]*)</h:title>")


@dataclass(frozen=True, slots=True)
class FieldForm:
    form_id: str
    title: str
    version: str
    xml: bytes
    media: tuple[str, ...]

    @property
    def md5(self) -> str:
        """OpenRosa names a form's hash as `md5:<hex>`; Collect downloads it again when it
        changes."""
        return "md5:" + hashlib.md5(self.xml, usedforsecurity=False).hexdigest()


def convert_form(path: Path) -> FieldForm:
    """One XLSForm (xlsx, or pyxform's markdown table format) as an XForm."""
    notes: list[str] = []  # advice such as max-pixels for photos: evidence keeps originals
    xml = convert(xlsform=path, warnings=notes).xform.encode()
    root, title = _ROOT.search(xml), _TITLE.search(xml)
    if root is None or title is None:
        raise ValueError(f"{path.name}: pyxform made an XForm without form id or version")
    media = tuple(m.decode() for m in _MEDIA.findall(xml))
    return FieldForm(root[1].decode(), title[1].decode(), root[2].decode(), xml, media)


@cache
def field_forms() -> dict[str, FieldForm]:
    """Every bundled form by its form id, converted on first use."""
    forms = [convert_form(path) for path in sorted(FORMS_DIR.glob("*.md"))]
    return {form.form_id: form for form in forms}
