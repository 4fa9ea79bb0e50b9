"""Uploaded files: accepted by type and size, served so that a browser never runs them.

Checking an upload (for a form field)::

    attachment = forms.FileField(validators=[FileKindValidator({"pdf", "jpg", "png", "docx"})])

or, on a model field, ``models.FileField(validators=[FileKindValidator(...)])`` (the validator is
deconstructible, so migrations can refer to it). The name's extension must be one of the allowed
kinds AND the content must look like that kind (magic bytes; for Office files, a zip with the
parts that format has), so a script renamed ``report.pdf`` is refused. The size limit is
``settings.UPLOAD_MAX_BYTES``.

Serving an upload (in a view that has already found the record through the user's
jurisdiction, so outside it is a 404)::

    return attachment_response(record.attachment, filename=record.original_name)

It is always a download (``Content-Disposition: attachment``), with the content type of the
checked kind rather than one guessed from the name, ``X-Content-Type-Options: nosniff`` and a
sandboxing Content Security Policy: even an HTML file that slipped through would not run.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.http import FileResponse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Kind:
    extensions: tuple[str, ...]
    content_type: str
    label: str


KINDS: dict[str, Kind] = {
    "pdf": Kind(("pdf",), "application/pdf", "PDF"),
    "jpg": Kind(("jpg", "jpeg"), "image/jpeg", "JPEG"),
    "png": Kind(("png",), "image/png", "PNG"),
    "docx": Kind(
        ("docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word",
    ),
    "xlsx": Kind(
        ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"
    ),
}

# How many leading bytes are read to recognise a file.
SNIFF_BYTES = 8


def _ooxml_part(file: File, prefix: str) -> bool:
    """An Office Open XML package: a zip with [Content_Types].xml and the format's folder."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)


def sniff(file: File) -> str | None:
    """The kind the content shows (one of KINDS), or None. Leaves the file at its start."""
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    try:
        if head.startswith(b"%PDF-"):
            return "pdf"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "png"
        if head.startswith(b"\xff\xd8\xff"):
            return "jpg"
        if head.startswith(b"PK\x03\x04"):
            file.seek(0)
            if _ooxml_part(file, "word/"):
                return "docx"
            file.seek(0)
            if _ooxml_part(file, "xl/"):
                return "xlsx"
        return None
    finally:
        file.seek(0)


def kind_of_name(name: str) -> str | None:
    extension = PurePath(name or "").suffix.lower().lstrip(".")
    return next((key for key, kind in KINDS.items() if extension in kind.extensions), None)


def check_upload(file: File, allowed: Iterable[str]) -> str:
    """The kind of an acceptable upload; ValidationError (in Chinese) otherwise."""
    allowed = tuple(allowed)
    unknown = set(allowed) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown upload kinds: {sorted(unknown)}")
    labels = "、".join(KINDS[k].label for k in allowed)
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(file, "size", None)
    if size is None or size > limit:
        raise ValidationError(
            _("文件过大:最大允许 %(mb)s MB。") % {"mb": f"{limit / 1024 / 1024:g}"},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("文件是空的。"), code="empty")
    claimed = kind_of_name(getattr(file, "name", ""))
    if claimed not in allowed:
        raise ValidationError(
            _("不支持的文件类型,请上传 %(kinds)s 文件。") % {"kinds": labels}, code="type"
        )
    actual = sniff(file)
    if actual != claimed:
        raise ValidationError(
            _("文件内容与扩展名不符(不是有效的 %(kind)s 文件),请检查后重新上传。")
            % {"kind": KINDS[claimed].label},
            code="content",
        )
    return actual


@deconstructible
class FileKindValidator:
    """A field validator: ``FileKindValidator({"pdf", "png"})``."""

    def __init__(self, allowed: Iterable[str]):
        self.allowed = tuple(sorted(allowed))

    def __call__(self, file: File) -> None:
        check_upload(file, self.allowed)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileKindValidator) and self.allowed == other.allowed

    def __hash__(self) -> int:
        return hash(self.allowed)


def attachment_response(file: File, *, filename: str) -> FileResponse:
    """A stored upload as a download that no browser will render or run."""
    kind = kind_of_name(filename) or kind_of_name(getattr(file, "name", ""))
    content_type = KINDS[kind].content_type if kind else "application/octet-stream"
    file.open("rb")
    response = FileResponse(file, as_attachment=True, filename=filename)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
