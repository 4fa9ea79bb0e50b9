"""Checks on uploaded evidence (rectification responses).

TODO(portal.uploads): a minimal local validator. A shared, reusable one is being written as
``portal/uploads.py`` on another branch; once it is merged, point ``RectificationResponse
.attachment`` at it and delete this module (the migration only records the validator's path).
"""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# Extension → the bytes such a file starts with: a renamed .exe or .html is refused.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}


def validate_evidence_file(file) -> None:
    """A photo, a PDF or an Office document of at most 10 MB whose content matches its name."""
    name = getattr(file, "name", "") or ""
    extension = os.path.splitext(name)[1].lower()
    if extension not in SIGNATURES:
        raise ValidationError(
            _("只能上传 %(types)s 格式的文件。")
            % {"types": "、".join(sorted(e.lstrip(".").upper() for e in SIGNATURES))}
        )
    size = getattr(file, "size", None) or 0
    if size > MAX_BYTES:
        raise ValidationError(
            _("文件不能超过 %(max)s(当前 %(size)s)。")
            % {"max": filesizeformat(MAX_BYTES), "size": filesizeformat(size)}
        )
    if size == 0:
        raise ValidationError(_("文件是空的。"))
    # Only a freshly uploaded file is read; a stored one was checked when it came in.
    if hasattr(file, "content_type") or not getattr(file, "_committed", True):
        position = file.tell() if hasattr(file, "tell") else 0
        file.seek(0)
        head = file.read(16)
        file.seek(position)
        if not any(head.startswith(sig) for sig in SIGNATURES[extension]):
            raise ValidationError(_("文件内容与扩展名 %(ext)s 不符。") % {"ext": extension})
